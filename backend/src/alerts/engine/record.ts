import type {
  Alert,
  AlertEvidence,
  AlertLabels,
  AlertRule,
  AlertState,
  Severity,
} from '@district-monitor/streams';

/** What a notification has told about an alert so far (persisted with it, so a restart does not tell it again). */
export interface Notified {
  readonly firing: boolean;
  readonly resolved: boolean;
  /** Highest escalation level told. */
  readonly level: number;
}

/** One alert episode as the engine keeps and stores it (`alerts.record`); times in epoch ms. */
export interface AlertRecord {
  readonly id: string;
  readonly fingerprint: string;
  readonly labels: AlertLabels;
  readonly state: AlertState;
  readonly value: number;
  readonly summary: string;
  readonly evidence?: AlertEvidence;
  readonly startedAt: number;
  readonly firedAt: number | null;
  readonly acknowledgedAt: number | null;
  readonly acknowledgedBy: string | null;
  readonly resolvedAt: number | null;
  /** Since when the clear condition holds (keep-firing-for counts from here); null while it does not. */
  readonly clearSince: number | null;
  readonly escalationLevel: number;
  readonly flapping: boolean;
  readonly silencedBy: readonly string[];
  readonly inhibitedBy: string | null;
  readonly notified: Notified;
  /** Since when the alert has something untold (the group wait counts from here); null when nothing is due. */
  readonly dueSince: number | null;
  readonly updatedAt: number;
  /** Optimistic-concurrency version of the stored row. */
  readonly version: number;
}

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { low: 0, medium: 1, high: 2, critical: 3 };

export const isOpen = (alert: AlertRecord): boolean => alert.state !== 'resolved';
export const isActive = (alert: AlertRecord): boolean =>
  alert.state === 'firing' || alert.state === 'acknowledged';

/** rule + district + category (+ producer for a producer's no-data alert). */
export function fingerprintOf(
  labels: Pick<AlertLabels, 'rule' | 'district' | 'category' | 'producer'>,
): string {
  const base = `${labels.rule}/${labels.district}/${labels.category}`;
  return labels.producer === undefined ? base : `${base}/${labels.producer}`;
}

export function labelsOf(rule: AlertRule, district: string, producer?: string): AlertLabels {
  return {
    rule: rule.id,
    kind: rule.condition.kind,
    district,
    category: rule.category ?? '*',
    severity: rule.severity,
    ...(producer === undefined ? {} : { producer }),
  };
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function toWire(alert: AlertRecord): Alert {
  return {
    id: alert.id,
    fingerprint: alert.fingerprint,
    labels: alert.labels,
    state: alert.state,
    value: alert.value,
    summary: alert.summary,
    ...(alert.evidence === undefined ? {} : { evidence: alert.evidence }),
    startedAt: new Date(alert.startedAt).toISOString(),
    firedAt: iso(alert.firedAt),
    acknowledgedAt: iso(alert.acknowledgedAt),
    acknowledgedBy: alert.acknowledgedBy,
    resolvedAt: iso(alert.resolvedAt),
    escalationLevel: alert.escalationLevel,
    flapping: alert.flapping,
    silencedBy: alert.silencedBy,
    inhibitedBy: alert.inhibitedBy,
    updatedAt: new Date(alert.updatedAt).toISOString(),
  };
}
