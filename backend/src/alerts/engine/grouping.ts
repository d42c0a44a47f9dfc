import type { AlertNotification, AlertRule, NotificationKind } from '@district-monitor/streams';
import { isActive, toWire, type AlertRecord } from './record.js';

/** Alertmanager's three timers, per district group. */
export interface GroupTiming {
  /** A new group's first notification waits this long, so alerts arriving together go out together. */
  readonly waitMs: number;
  /** Between two notifications of one group. */
  readonly intervalMs: number;
  /** An unchanged, unacknowledged firing group is told again this often. */
  readonly repeatMs: number;
}

/** The group timers of the alert settings (in seconds). */
export function groupTiming(settings: {
  readonly groupWaitSeconds: number;
  readonly groupIntervalSeconds: number;
  readonly repeatIntervalSeconds: number;
}): GroupTiming {
  return {
    waitMs: settings.groupWaitSeconds * 1000,
    intervalMs: settings.groupIntervalSeconds * 1000,
    repeatMs: settings.repeatIntervalSeconds * 1000,
  };
}

/** A notification to store (idempotently) and send, with the alerts' records as they will be once told. */
export interface PlannedNotification {
  readonly kind: NotificationKind;
  readonly level: number;
  readonly levelName: string;
  readonly idempotencyKey: string;
  readonly alerts: readonly AlertRecord[];
}

export interface GroupPlan {
  readonly notifications: readonly PlannedNotification[];
  /** When to look at the group again (a timer still running), or null when nothing is waiting. */
  readonly nextAt: number | null;
}

/** Silenced, inhibited and flapping alerts stay visible but are not told. */
export const told = (alert: AlertRecord): boolean =>
  alert.silencedBy.length === 0 && alert.inhibitedBy === null && !alert.flapping;

/**
 * What one district's group should send now. `alerts` are the group's open alerts and its resolved
 * ones still untold; `lastSentAt` is the group's last notification (null: none yet, a new group).
 * Firing, resolved and escalation notifications go out together once the group wait (new group) or
 * the group interval (since the last one) has passed; a firing group that had nothing new is repeated
 * every repeat interval. The idempotency key names exactly what is told, so a second writer's or a
 * restarted writer's copy is the same row.
 */
export function planGroup(
  district: string,
  alerts: readonly AlertRecord[],
  rules: ReadonlyMap<string, AlertRule>,
  lastSentAt: number | null,
  timing: GroupTiming,
  now: number,
): GroupPlan {
  const firing = alerts.filter((a) => a.state === 'firing' && told(a) && !a.notified.firing);
  const resolved = alerts.filter(
    (a) => a.state === 'resolved' && a.notified.firing && !a.notified.resolved && told(a),
  );
  const escalated = alerts.filter(
    // An acknowledged alert escalates only by hand (an operator asking for the next level): told as well.
    (a) => isActive(a) && told(a) && a.notified.firing && a.escalationLevel > a.notified.level,
  );
  const due = [...firing, ...resolved, ...escalated];

  if (due.length > 0) {
    const since = Math.min(...due.map((a) => a.dueSince ?? now));
    const isNew = lastSentAt === null || now - lastSentAt >= timing.repeatMs;
    const at = isNew ? since + timing.waitMs : Math.max(since, lastSentAt + timing.intervalMs);
    if (now < at) return { notifications: [], nextAt: at };
    const notifications: PlannedNotification[] = [];
    if (firing.length > 0) {
      notifications.push(
        planned(now, district, 'firing', 0, 'firing', firing, (a) => ({
          ...a,
          notified: { ...a.notified, firing: true },
        })),
      );
    }
    if (resolved.length > 0) {
      notifications.push(
        planned(now, district, 'resolved', 0, 'resolved', resolved, (a) => ({
          ...a,
          notified: { ...a.notified, resolved: true },
        })),
      );
    }
    const byLevel = new Map<number, AlertRecord[]>();
    for (const alert of escalated)
      byLevel.set(alert.escalationLevel, [...(byLevel.get(alert.escalationLevel) ?? []), alert]);
    for (const [level, list] of [...byLevel].sort(([a], [b]) => a - b)) {
      const name =
        list.map((a) => rules.get(a.labels.rule)?.escalation[level]?.name).find((n) => n !== undefined) ??
        `level ${level}`;
      notifications.push(
        planned(now, district, 'escalation', level, name, list, (a) => ({
          ...a,
          notified: { ...a.notified, level },
        })),
      );
    }
    return { notifications, nextAt: null };
  }

  const repeatable = alerts.filter((a) => a.state === 'firing' && told(a) && a.notified.firing);
  if (repeatable.length === 0 || lastSentAt === null) return { notifications: [], nextAt: null };
  const at = lastSentAt + timing.repeatMs;
  if (now < at) return { notifications: [], nextAt: at };
  const round = Math.floor(now / timing.repeatMs);
  return {
    notifications: [
      {
        ...planned(now, district, 'repeat', 0, 'repeat', repeatable, (a) => a),
        idempotencyKey: `${district}:repeat:${round}:${repeatable
          .map((a) => a.id)
          .sort()
          .join(',')}`,
      },
    ],
    nextAt: null,
  };
}

function planned(
  now: number,
  district: string,
  kind: NotificationKind,
  level: number,
  levelName: string,
  alerts: readonly AlertRecord[],
  mark: (alert: AlertRecord) => AlertRecord,
): PlannedNotification {
  const ids = alerts.map((a) => a.id).sort();
  return {
    kind,
    level,
    levelName,
    idempotencyKey: `${district}:${kind}:${level}:${ids.join(',')}`,
    alerts: alerts.map((a) => {
      const marked = mark(a);
      // An escalation reached before its firing was told is still due: keep its clock, or a group with no
      // last-sent time (a restarted writer) would move it to `now` at every look and never tell it.
      const stillDue =
        marked.state === 'firing' && marked.notified.firing && marked.escalationLevel > marked.notified.level;
      return { ...marked, dueSince: stillDue ? (a.dueSince ?? now) : null };
    }),
  };
}

/** The notification sent (and stored in the outbox under `id`) for a planned one of a district's group. */
export function notificationOf(
  district: string,
  plan: PlannedNotification,
  id: string,
  now: number,
): AlertNotification {
  return {
    id,
    idempotencyKey: plan.idempotencyKey,
    district,
    kind: plan.kind,
    level: plan.level,
    levelName: plan.levelName,
    createdAt: new Date(now).toISOString(),
    alerts: plan.alerts.map(toWire),
  };
}
