import type { Alert, AlertEvidence, AlertState, LabelMatcher, Severity } from '@district-monitor/streams';
import { alertTime, newestFirst, SEVERITIES } from '../../stores/alerts';

/** What an operator can do to an alert from the desk. */
export type AlertAction = 'acknowledge' | 'silence' | 'escalate' | 'resolve';

/** Most severe first: the order of the filter bar and of the groups. */
export const SEVERITY_ORDER: readonly Severity[] = [...SEVERITIES].reverse();

export const SEVERITY_LABEL: Readonly<Record<Severity, string>> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

export const STATE_LABEL: Readonly<Record<AlertState, string>> = {
  pending: 'Pending',
  firing: 'Firing',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
};

/** 0 (low) to 3 (critical). */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** The desk's state filter: a lifecycle state, or a flag across states. */
export const STATE_FILTERS = ['all', 'pending', 'firing', 'acknowledged', 'silenced', 'flapping'] as const;
export type StateFilter = (typeof STATE_FILTERS)[number];

export const STATE_FILTER_LABEL: Readonly<Record<StateFilter, string>> = {
  all: 'All open',
  pending: 'Pending',
  firing: 'Firing',
  acknowledged: 'Acknowledged',
  silenced: 'Silenced',
  flapping: 'Flapping',
};

export interface AlertFilter {
  readonly severities: ReadonlySet<Severity>;
  readonly state: StateFilter;
}

export function matchesFilter(alert: Alert, filter: AlertFilter): boolean {
  if (!filter.severities.has(alert.labels.severity)) return false;
  switch (filter.state) {
    case 'all':
      return true;
    case 'silenced':
      return alert.silencedBy.length > 0;
    case 'flapping':
      return alert.flapping;
    case 'pending':
    case 'firing':
    case 'acknowledged':
      return alert.state === filter.state;
  }
}

/** One district's open alerts on the desk. */
export interface AlertGroup {
  readonly district: string;
  /** As the registry spells it (the code when the registry does not know it). */
  readonly name: string;
  /** Newest first. */
  readonly alerts: readonly Alert[];
  readonly severity: Severity;
  /** Epoch ms of the group's newest alert. */
  readonly newest: number;
}

/**
 * The filtered alerts per district: groups with the most severe alert first, then the most recent,
 * then by name; inside a group newest first.
 */
export function groupAlerts(
  alerts: readonly Alert[],
  names: ReadonlyMap<string, string>,
  filter: AlertFilter,
): AlertGroup[] {
  const byDistrict = new Map<string, Alert[]>();
  for (const alert of alerts) {
    if (!matchesFilter(alert, filter)) continue;
    const list = byDistrict.get(alert.labels.district);
    if (list === undefined) byDistrict.set(alert.labels.district, [alert]);
    else list.push(alert);
  }
  return [...byDistrict.entries()]
    .map(([district, list]): AlertGroup => {
      const sorted = list.sort(newestFirst);
      let severity: Severity = 'low';
      for (const alert of sorted)
        if (severityRank(alert.labels.severity) > severityRank(severity)) severity = alert.labels.severity;
      return {
        district,
        name: names.get(district) ?? district,
        alerts: sorted,
        severity,
        newest: sorted[0] === undefined ? Number.NEGATIVE_INFINITY : alertTime(sorted[0]),
      };
    })
    .sort(
      (a, b) =>
        severityRank(b.severity) - severityRank(a.severity) ||
        b.newest - a.newest ||
        a.name.localeCompare(b.name),
    );
}

/** The silence durations offered on the desk. */
export const SILENCE_DURATIONS = [
  { minutes: 30, label: '30 min' },
  { minutes: 60, label: '1 h' },
  { minutes: 240, label: '4 h' },
  { minutes: 1440, label: '24 h' },
] as const;

const values = new Intl.NumberFormat('en-IN', { maximumFractionDigits: 2 });

/** The watched value: Indian grouping, at most two decimals. */
export function formatValue(value: number): string {
  return Number.isFinite(value) ? values.format(value) : '—';
}

/** Why a spike alert fired, as the card's facts: observed against expected, the score, and since when. */
export function evidenceFacts(evidence: AlertEvidence): { label: string; text: string }[] {
  const ratio = evidence.expected > 0 ? ` (x${(evidence.observed / evidence.expected).toFixed(1)})` : '';
  return [
    {
      label: 'Observed',
      text: `${formatValue(evidence.observed)} against ${formatValue(evidence.expected)} expected${ratio}`,
    },
    { label: 'Score', text: `${formatValue(evidence.score)} (fires at ${formatValue(evidence.threshold)})` },
  ];
}

/** "alert.acknowledged" -> "acknowledged"; other subjects keep their prefix. */
export function actionLabel(action: string): string {
  return action.startsWith('alert.') ? action.slice('alert.'.length).replaceAll('_', ' ') : action;
}

const MATCH_WORDS: Readonly<Record<LabelMatcher['op'], string>> = {
  '=': 'is',
  '!=': 'is not',
  '=~': 'matches',
  '!~': 'does not match',
};

/** "district is Madurai, rule is board-surge": a silence's matchers in words, districts by their names. */
export function describeMatchers(
  matchers: readonly LabelMatcher[],
  names: ReadonlyMap<string, string>,
): string {
  if (matchers.length === 0) return 'every alert';
  return matchers
    .map(({ label, op, value }) => {
      const shown = label === 'district' && (op === '=' || op === '!=') ? (names.get(value) ?? value) : value;
      return `${label} ${MATCH_WORDS[op]} ${shown}`;
    })
    .join(', ');
}
