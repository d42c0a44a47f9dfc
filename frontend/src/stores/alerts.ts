import type {
  Alert,
  AlertsUpdate,
  AlertWithHistory,
  LabelMatcher,
  Severity,
  Silence,
} from '@district-monitor/streams';
import { defineStore } from 'pinia';
import { computed, shallowRef } from 'vue';
import { useApi } from '../lib/api';

/** Lowest first. Kept here rather than imported at run time: the contract package is types-only in the browser. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const satisfies readonly Severity[];

/** How many resolved alerts the board keeps for the "recently resolved" list. */
export const RECENTLY_RESOLVED = 50;
/** The open alerts asked for on every (re)connect; the server allows up to 1000. */
const OPEN_LIMIT = 500;

/** An alert without its audit trail: the store holds state, the desk asks for history when shown. */
function stripHistory(alert: Alert | AlertWithHistory): Alert {
  if (!('history' in alert)) return alert;
  const { history: _history, ...rest } = alert;
  return rest;
}

/** When the alert last came to an operator's attention: fired, else started. */
export function alertTime(alert: Alert): number {
  return Date.parse(alert.firedAt ?? alert.startedAt);
}

/** Newest first, ties by id so the order is stable between renders. */
export function newestFirst(a: Alert, b: Alert): number {
  return alertTime(b) - alertTime(a) || b.id.localeCompare(a.id);
}

function resolvedTime(alert: Alert): number {
  return Date.parse(alert.resolvedAt ?? alert.updatedAt);
}

/** True when `incoming` is not older than `known`: a late, older update never overwrites a newer state. */
function isCurrent(incoming: Alert, known: Alert | undefined): boolean {
  return known === undefined || Date.parse(incoming.updatedAt) >= Date.parse(known.updatedAt);
}

/** The silence matchers for "silence this alert": its district and its rule. */
export function silenceMatchers(alert: Alert): LabelMatcher[] {
  return [
    { label: 'district', op: '=', value: alert.labels.district },
    { label: 'rule', op: '=', value: alert.labels.rule },
  ];
}

/** Not expired by anyone and not past its end: in force now, or still to start. */
export function silenceOpen(silence: Silence, now: number): boolean {
  return silence.expiredBy === null && Date.parse(silence.endsAt) > now;
}

function endingFirst(a: Silence, b: Silence): number {
  return Date.parse(a.endsAt) - Date.parse(b.endsAt) || a.id.localeCompare(b.id);
}

/** Only `=` matchers are checked locally; the next `alerts` push carries the server's verdict anyway. */
function matchesEquals(matchers: readonly LabelMatcher[], alert: Alert): boolean {
  const labels: Readonly<Record<string, string | undefined>> = { ...alert.labels };
  return matchers.every((matcher) => matcher.op === '=' && labels[matcher.label] === matcher.value);
}

/**
 * The alerts the user may see: the open ones (pending, firing, acknowledged) and the last
 * {@link RECENTLY_RESOLVED} resolved. Fed by `load()` on every (re)connect and by `alerts` pushes;
 * the operator's actions go through REST and the answer is applied at once, so the acting board does
 * not wait for the push that every other board gets.
 */
export const useAlertsStore = defineStore('alerts', () => {
  const api = useApi();
  /** Pending, firing and acknowledged alerts, in no particular order. */
  const open = shallowRef<readonly Alert[]>([]);
  /** Resolved alerts, newest resolution first, at most {@link RECENTLY_RESOLVED}. */
  const recentlyResolved = shallowRef<readonly Alert[]>([]);
  /** Silences in force, the one ending first first (loaded by the desk). */
  const silences = shallowRef<readonly Silence[]>([]);

  /** Open alerts per district code, newest first. */
  const byDistrict = computed((): ReadonlyMap<string, readonly Alert[]> => {
    const map = new Map<string, Alert[]>();
    for (const alert of open.value) {
      const list = map.get(alert.labels.district);
      if (list === undefined) map.set(alert.labels.district, [alert]);
      else list.push(alert);
    }
    for (const list of map.values()) list.sort(newestFirst);
    return map;
  });

  const countsBySeverity = computed(() => {
    const counts = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<
      Severity,
      number
    >;
    for (const alert of open.value) counts[alert.labels.severity] += 1;
    return counts;
  });

  /** Applies `incoming` (any order) over `openById` and the resolved list; publishes both. */
  function merge(openById: Map<string, Alert>, incoming: readonly Alert[]): void {
    const resolvedById = new Map(recentlyResolved.value.map((alert) => [alert.id, alert]));
    let resolvedChanged = false;
    for (const raw of incoming) {
      const alert = stripHistory(raw);
      const known = openById.get(alert.id) ?? resolvedById.get(alert.id);
      if (!isCurrent(alert, known)) continue;
      if (alert.state === 'resolved') {
        openById.delete(alert.id);
        resolvedById.set(alert.id, alert);
        resolvedChanged = true;
      } else {
        // Re-opened as the same id (a newer update than its resolution): it is open again.
        if (resolvedById.delete(alert.id)) resolvedChanged = true;
        openById.set(alert.id, alert);
      }
    }
    open.value = [...openById.values()];
    if (resolvedChanged) {
      recentlyResolved.value = [...resolvedById.values()]
        .sort((a, b) => resolvedTime(b) - resolvedTime(a) || b.id.localeCompare(a.id))
        .slice(0, RECENTLY_RESOLVED);
    }
  }

  /**
   * Replaces the open alerts with a full list (a REST read). An alert the board already holds in a
   * newer state (a push that overtook the read) keeps that state.
   */
  function replaceOpen(alerts: readonly Alert[]): void {
    const held = new Map(open.value.map((alert) => [alert.id, alert]));
    merge(
      new Map(),
      alerts.map((alert) => {
        const known = held.get(alert.id);
        return known !== undefined && !isCurrent(alert, known) ? known : alert;
      }),
    );
  }

  /** A push (or an action's answer): newer `updatedAt` wins; resolved alerts leave `open`. */
  function applyUpdate(update: AlertsUpdate): void {
    if (update.alerts.length === 0) return;
    merge(new Map(open.value.map((alert) => [alert.id, alert])), update.alerts);
  }

  /** Every open alert the user may see, replacing what the board holds. */
  async function load(): Promise<void> {
    const answer = await api.get<{ alerts: AlertWithHistory[] }>(
      `/api/alerts?state=pending,firing,acknowledged&limit=${OPEN_LIMIT}`,
    );
    replaceOpen(answer.alerts);
  }

  /** The last resolved alerts (the desk's list below the feed). */
  async function loadRecentlyResolved(): Promise<void> {
    const answer = await api.get<{ alerts: AlertWithHistory[] }>(
      `/api/alerts?state=resolved&limit=${RECENTLY_RESOLVED}`,
    );
    applyUpdate({ at: new Date().toISOString(), alerts: answer.alerts });
  }

  /** One alert with its audit trail (oldest first); its state is applied to the store too. */
  async function history(id: string): Promise<AlertWithHistory> {
    const answer = await api.get<AlertWithHistory>(`/api/alerts/${encodeURIComponent(id)}`);
    applyUpdate({ at: new Date().toISOString(), alerts: [answer] });
    return answer;
  }

  async function act(id: string, action: 'acknowledge' | 'resolve' | 'escalate', reason: string) {
    const trimmed = reason.trim();
    // Acknowledge takes no reason at all rather than an empty one (the server refuses "").
    const body = trimmed === '' ? {} : { reason: trimmed };
    const answer = await api.post<Alert>(`/api/alerts/${encodeURIComponent(id)}/${action}`, body);
    applyUpdate({ at: new Date().toISOString(), alerts: [answer] });
    return answer;
  }

  /** Claims a firing alert and stops its escalation; `reason` may be empty. */
  function acknowledge(id: string, reason = ''): Promise<Alert> {
    return act(id, 'acknowledge', reason);
  }

  /** Escalates to the next level now; the server requires a reason. */
  function escalate(id: string, reason: string): Promise<Alert> {
    return act(id, 'escalate', reason);
  }

  /** Resolves by hand; the server requires a reason. */
  function resolve(id: string, reason: string): Promise<Alert> {
    return act(id, 'resolve', reason);
  }

  /**
   * Silences the alert's rule in its district until `endsAt`. The silence is marked on the matching
   * open alerts at once (their `updatedAt` kept, so the engine's next push replaces the mark).
   */
  async function silence(alert: Alert, reason: string, endsAt: string): Promise<Silence> {
    const created = await api.post<Silence>('/api/silences', {
      matchers: silenceMatchers(alert),
      reason: reason.trim(),
      endsAt,
    });
    silences.value = [...silences.value, created].sort(endingFirst);
    if (Date.parse(created.startsAt) <= Date.now()) {
      open.value = open.value.map((candidate) =>
        matchesEquals(created.matchers, candidate) && !candidate.silencedBy.includes(created.id)
          ? { ...candidate, silencedBy: [...candidate.silencedBy, created.id] }
          : candidate,
      );
    }
    return created;
  }

  /** The silences in force (`GET /api/silences?active=true`), the one ending first first. */
  async function loadSilences(): Promise<void> {
    const answer = await api.get<{ silences: Silence[] }>('/api/silences?active=true');
    silences.value = [...answer.silences].sort(endingFirst);
  }

  /** Drops the silences whose end has passed (the desk calls it on its clock). */
  function pruneSilences(now: number): void {
    if (silences.value.some((item) => !silenceOpen(item, now)))
      silences.value = silences.value.filter((item) => silenceOpen(item, now));
  }

  /**
   * Ends a silence now (operators). Its mark leaves the open alerts at once; the engine's next push
   * carries its verdict, as after `silence`.
   */
  async function endSilence(id: string): Promise<void> {
    await api.remove(`/api/silences/${encodeURIComponent(id)}`);
    silences.value = silences.value.filter((item) => item.id !== id);
    open.value = open.value.map((candidate) =>
      candidate.silencedBy.includes(id)
        ? { ...candidate, silencedBy: candidate.silencedBy.filter((other) => other !== id) }
        : candidate,
    );
  }

  return {
    open,
    recentlyResolved,
    silences,
    loadSilences,
    pruneSilences,
    endSilence,
    byDistrict,
    countsBySeverity,
    replaceOpen,
    applyUpdate,
    load,
    loadRecentlyResolved,
    history,
    acknowledge,
    escalate,
    resolve,
    silence,
  };
});
