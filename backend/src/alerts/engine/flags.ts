import { matchesAll, silenceActive, type AlertRule, type Silence } from '@district-monitor/streams';
import { escalate, flappingNow, type Step, type Transition } from './lifecycle.js';
import { SEVERITY_RANK, isActive, type AlertRecord } from './record.js';

/** What the flags of the open alerts are judged against. */
export interface FlagContext {
  readonly silences: readonly Silence[];
  readonly rules: ReadonlyMap<string, AlertRule>;
  /** When the alert of this fingerprint fired within the flapping window. */
  readonly recentFirings: (fingerprint: string) => number[];
  readonly now: number;
}

/**
 * Silences, inhibition (a more severe open alert of the same district), flapping and escalation of the
 * open alerts of some districts: one step per alert whose flags change, none for the others. Pure: the
 * engine stores and audits each step.
 */
export function flagSteps(
  open: readonly AlertRecord[],
  { silences, rules, recentFirings, now }: FlagContext,
): Step[] {
  const steps: Step[] = [];
  const strongest = new Map<string, AlertRecord>();
  for (const alert of open) {
    if (!isActive(alert)) continue;
    const best = strongest.get(alert.labels.district);
    if (best === undefined || SEVERITY_RANK[alert.labels.severity] > SEVERITY_RANK[best.labels.severity]) {
      strongest.set(alert.labels.district, alert);
    }
  }
  for (const alert of open) {
    const transitions: Transition[] = [];
    let next: AlertRecord = alert;
    const silencedBy = silences
      .filter((s) => silenceActive(s, now) && matchesAll(s.matchers, alert.labels))
      .map((s) => s.id);
    if (silencedBy.join() !== alert.silencedBy.join()) {
      next = { ...next, silencedBy };
      transitions.push(
        silencedBy.length > 0
          ? { action: 'alert.silenced', reason: `matched by silence ${silencedBy.join(', ')}` }
          : { action: 'alert.unsilenced', reason: 'no active silence matches any more' },
      );
    }
    const top = strongest.get(alert.labels.district);
    const inhibitedBy =
      top !== undefined &&
      top.id !== alert.id &&
      SEVERITY_RANK[top.labels.severity] > SEVERITY_RANK[alert.labels.severity]
        ? top.id
        : null;
    if (inhibitedBy !== alert.inhibitedBy) {
      next = { ...next, inhibitedBy };
      transitions.push(
        inhibitedBy !== null
          ? {
              action: 'alert.inhibited',
              reason: `a ${top?.labels.severity ?? ''} alert of the same district (${inhibitedBy}) is open`,
            }
          : { action: 'alert.uninhibited', reason: 'no more severe alert of the district is open' },
      );
    }
    const flapping = isActive(alert) && flappingNow(recentFirings(alert.fingerprint), now);
    if (flapping !== alert.flapping) {
      next = { ...next, flapping };
      transitions.push(
        flapping
          ? { action: 'alert.flapping', reason: 'fired 3 or more times within an hour: notifications held' }
          : { action: 'alert.stable', reason: 'no longer flapping' },
      );
    }
    if (transitions.length > 0) {
      // Something untold may be due now (a silence ended, an inhibitor resolved).
      next = { ...next, dueSince: next.dueSince ?? now, updatedAt: now };
    }
    const rule = rules.get(alert.labels.rule);
    const escalated = rule === undefined ? null : escalate(next, rule, now);
    if (escalated !== null) {
      next = escalated.alert;
      transitions.push(...escalated.transitions);
    }
    if (transitions.length > 0) steps.push({ alert: next, transitions });
  }
  return steps;
}
