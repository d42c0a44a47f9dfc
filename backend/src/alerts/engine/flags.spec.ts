import type { AlertLabels, AlertRule, Silence } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import { flagSteps, type FlagContext } from './flags.js';
import type { AlertRecord } from './record.js';
import { alertRecord } from './record.fixture.js';

const T0 = Date.UTC(2024, 0, 15, 10, 0, 0);
const MIN = 60_000;

const labels = (severity: AlertLabels['severity'], rule = 'count-spike'): AlertLabels => ({
  rule,
  kind: 'spike',
  district: 'TN-CHN',
  category: 'crime_body',
  severity,
});

function record(id: string, overrides: Partial<AlertRecord> = {}): AlertRecord {
  return alertRecord(id, { labels: labels('high'), value: 10, summary: '10 events', ...overrides });
}

const silence: Silence = {
  id: 's1',
  matchers: [{ label: 'district', op: '=', value: 'TN-CHN' }],
  reason: 'planned festival crowd',
  createdBy: 'asha',
  startsAt: new Date(T0 - MIN).toISOString(),
  endsAt: new Date(T0 + 60 * MIN).toISOString(),
  expiredBy: null,
};

const context = (overrides: Partial<FlagContext> = {}): FlagContext => ({
  silences: [],
  rules: new Map<string, AlertRule>(),
  recentFirings: () => [],
  now: T0,
  ...overrides,
});

const actions = (steps: ReturnType<typeof flagSteps>) =>
  steps.map((s) => [s.alert.id, s.transitions.map((t) => t.action)]);

describe('flagSteps', () => {
  it('changes nothing of alerts whose flags already hold', () => {
    expect(flagSteps([record('a1')], context())).toEqual([]);
  });

  it('silences every alert a silence matches, and marks it due now', () => {
    const steps = flagSteps([record('a1')], context({ silences: [silence] }));
    expect(actions(steps)).toEqual([['a1', ['alert.silenced']]]);
    expect(steps[0]?.alert).toMatchObject({ silencedBy: ['s1'], dueSince: T0, updatedAt: T0 });
  });

  it('inhibits a less severe alert of the district by the most severe active one, and lifts it after', () => {
    const critical = record('a1', { labels: labels('critical', 'count-critical') });
    const high = record('a2');
    expect(actions(flagSteps([critical, high], context()))).toEqual([['a2', ['alert.inhibited']]]);
    const inhibited = { ...high, inhibitedBy: 'a1' };
    expect(actions(flagSteps([inhibited], context()))).toEqual([['a2', ['alert.uninhibited']]]);
  });

  it('flags an alert that fired 3 times within the hour as flapping', () => {
    const firings = [T0 - 40 * MIN, T0 - 20 * MIN, T0 - MIN];
    const steps = flagSteps([record('a1')], context({ recentFirings: () => firings }));
    expect(actions(steps)).toEqual([['a1', ['alert.flapping']]]);
  });
});
