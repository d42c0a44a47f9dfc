import type { Alert, AlertState, Severity } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import {
  actionLabel,
  describeMatchers,
  evidenceFacts,
  groupAlerts,
  matchesFilter,
  SEVERITY_ORDER,
  type AlertFilter,
} from './alert-desk';

const T = Date.parse('2024-05-01T10:00:00Z');
const at = (minutes: number) => new Date(T + minutes * 60_000).toISOString();

function alert(
  id: string,
  district: string,
  severity: Severity,
  firedMinute: number,
  state: AlertState = 'firing',
  flags: Partial<Pick<Alert, 'flapping' | 'silencedBy'>> = {},
): Alert {
  return {
    id,
    fingerprint: id,
    labels: { rule: 'r', kind: 'spike', district, category: '*', severity },
    state,
    value: 1,
    summary: '',
    startedAt: at(0),
    firedAt: at(firedMinute),
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    escalationLevel: 0,
    flapping: flags.flapping ?? false,
    silencedBy: flags.silencedBy ?? [],
    inhibitedBy: null,
    updatedAt: at(firedMinute),
  };
}

const ALL: AlertFilter = { severities: new Set(SEVERITY_ORDER), state: 'all' };
const names = new Map([
  ['TN-CHN', 'Chennai'],
  ['TN-MDU', 'Madurai'],
  ['TN-ARI', 'Ariyalur'],
]);

describe('alert desk grouping', () => {
  it('orders groups by their most severe alert, then the newest, and alerts newest first', () => {
    const groups = groupAlerts(
      [
        alert('c1', 'TN-CHN', 'medium', 50),
        alert('m1', 'TN-MDU', 'critical', 1),
        alert('c2', 'TN-CHN', 'critical', 5),
        alert('a1', 'TN-ARI', 'medium', 60),
      ],
      names,
      ALL,
    );
    expect(groups.map((g) => [g.name, g.severity, g.alerts.map((a) => a.id)])).toEqual([
      ['Chennai', 'critical', ['c1', 'c2']],
      ['Madurai', 'critical', ['m1']],
      ['Ariyalur', 'medium', ['a1']],
    ]);
  });

  it('falls back to the code for a district the registry does not name', () => {
    expect(groupAlerts([alert('x', 'TN-XYZ', 'low', 1)], names, ALL)[0]?.name).toBe('TN-XYZ');
  });

  it('filters by severity and by state or flag', () => {
    const alerts = [
      alert('a', 'TN-CHN', 'low', 1, 'pending'),
      alert('b', 'TN-CHN', 'high', 2, 'acknowledged', { silencedBy: ['s'] }),
      alert('c', 'TN-MDU', 'high', 3, 'firing', { flapping: true }),
    ];
    const onlyHigh: AlertFilter = { severities: new Set(['high']), state: 'all' };
    expect(alerts.filter((a) => matchesFilter(a, onlyHigh)).map((a) => a.id)).toEqual(['b', 'c']);
    const ids = (state: AlertFilter['state']) =>
      alerts.filter((a) => matchesFilter(a, { ...ALL, state })).map((a) => a.id);
    expect(ids('pending')).toEqual(['a']);
    expect(ids('acknowledged')).toEqual(['b']);
    expect(ids('silenced')).toEqual(['b']);
    expect(ids('flapping')).toEqual(['c']);
    expect(groupAlerts(alerts, names, { severities: new Set(), state: 'all' })).toEqual([]);
  });

  it('says a silence matchers in words, districts by their registry names', () => {
    const names = new Map([['TN-MDU', 'Madurai']]);
    expect(
      describeMatchers(
        [
          { label: 'district', op: '=', value: 'TN-MDU' },
          { label: 'rule', op: '=', value: 'board-surge' },
          { label: 'severity', op: '!~', value: 'low|medium' },
        ],
        names,
      ),
    ).toBe('district is Madurai, rule is board-surge, severity does not match low|medium');
    expect(describeMatchers([{ label: 'district', op: '=~', value: 'TN-M.*' }], names)).toBe(
      'district matches TN-M.*',
    );
    expect(describeMatchers([], names)).toBe('every alert');
  });

  it('names audit actions plainly', () => {
    expect(actionLabel('alert.acknowledged')).toBe('acknowledged');
    expect(actionLabel('silence.created')).toBe('silence.created');
  });
});

describe('evidenceFacts', () => {
  it('says observed against expected with the ratio, and the score against the firing level', () => {
    const facts = evidenceFacts({ observed: 42, expected: 14, score: 18.25, threshold: 9.5, since: at(0) });
    expect(facts.map((f) => f.label)).toEqual(['Observed', 'Score']);
    expect(facts[0]?.text).toContain('42 against 14 expected (x3.0)');
    expect(facts[1]?.text).toMatch(/^18\.\d+ \(fires at 9\.5\)$/);
  });
});
