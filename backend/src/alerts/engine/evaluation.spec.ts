import type { AlertRule } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import {
  auditOf,
  orphanSteps,
  producerObservation,
  producerRules,
  producerTargets,
  ruleTargets,
} from './evaluation.js';
import { T0, alertRecord, ruleFixture } from './record.fixture.js';

const MIN = 60_000;
const producerRule = ruleFixture('producer-silent', {
  condition: { kind: 'no_data', scope: 'producer', minutes: 30 },
});
const districtSilent = ruleFixture('district-silent', {
  condition: { kind: 'no_data', scope: 'district', minutes: 60 },
});
const risk = ruleFixture('risk');
const narrow = ruleFixture('surge', {
  districts: ['TN-MDU'],
  condition: { kind: 'surge', changePct: 50, clearPct: 20, minCount: 5 },
});
const off = ruleFixture('off', { enabled: false });
const RULES: AlertRule[] = [risk, producerRule, narrow, off, districtSilent];

const pairs = (targets: ReturnType<typeof ruleTargets>) => targets.map((t) => `${t.rule.id}@${t.district}`);

describe('ruleTargets', () => {
  it('runs every enabled district rule for the districts it covers, in rule order', () => {
    expect(pairs(ruleTargets(RULES, ['TN-CHN', 'TN-MDU'], 'TN'))).toEqual([
      'risk@TN-CHN',
      'risk@TN-MDU',
      'surge@TN-MDU',
      'district-silent@TN-CHN',
      'district-silent@TN-MDU',
    ]);
  });

  it('runs only the rules of one kind when asked, and never the producer group', () => {
    expect(pairs(ruleTargets(RULES, ['TN', 'TN-CHN'], 'TN', 'risk'))).toEqual(['risk@TN-CHN']);
    expect(pairs(ruleTargets(RULES, ['TN'], 'TN'))).toEqual([]);
  });
});

describe('producer no-data', () => {
  it('takes the enabled producer rules only', () => {
    expect(producerRules(RULES).map((r) => r.id)).toEqual(['producer-silent']);
    expect(producerRules([{ ...producerRule, enabled: false }])).toEqual([]);
  });

  it('fires at the rule minutes of silence and counts no further back than the start could see', () => {
    const [rule] = producerRules(RULES);
    if (rule === undefined) throw new Error('no producer rule');
    expect(producerObservation(rule, 'cctns', T0 - 29 * MIN, 0, T0)).toMatchObject({
      active: false,
      cleared: true,
      value: 29,
    });
    const silent = producerObservation(rule, 'cctns', T0 - 45 * MIN, 0, T0);
    expect(silent).toMatchObject({ active: true, cleared: false, value: 45 });
    expect(silent.summary).toBe('no event from producer cctns for 45 min (fires at 30)');
    expect(producerObservation(rule, 'cctns', 0, T0 - 10 * MIN, T0).value).toBe(10);
  });

  it("labels each producer's alert with the region and the producer", () => {
    const arrivals = {
      producerArrivals: (): [string, number][] => [
        ['cctns', T0 - 40 * MIN],
        ['irad', T0 - MIN],
      ],
      watchedSince: 0,
    };
    const targets = producerTargets(RULES, arrivals, 'TN', T0);
    expect(targets.map((t) => [t.labels.district, t.labels.producer, t.observation.active])).toEqual([
      ['TN', 'cctns', true],
      ['TN', 'irad', false],
    ]);
  });
});

describe('orphanSteps', () => {
  const rules = new Map(RULES.map((rule) => [rule.id, rule]));
  const labels = (rule: string, district: string, producer?: string) => ({
    rule,
    kind: 'risk' as const,
    district,
    category: '*' as const,
    severity: 'high' as const,
    ...(producer === undefined ? {} : { producer }),
  });

  it('resolves the alerts of deleted, disabled or narrowed rules, due at once when their firing was told', () => {
    const open = [
      alertRecord('kept', { labels: labels('risk', 'TN-CHN') }),
      alertRecord('deleted', { labels: labels('gone', 'TN-CHN') }),
      alertRecord('disabled', {
        labels: labels('off', 'TN-CHN'),
        notified: { firing: false, resolved: false, level: 0 },
      }),
      alertRecord('narrowed', { labels: labels('surge', 'TN-CHN') }),
      alertRecord('producer', { labels: labels('producer-silent', 'TN', 'cctns') }),
    ];
    const steps = orphanSteps(open, rules, T0 + MIN);
    expect(steps.map((s) => s.alert.id)).toEqual(['deleted', 'disabled', 'narrowed']);
    expect(steps[0]?.alert).toMatchObject({ state: 'resolved', resolvedAt: T0 + MIN, dueSince: T0 + MIN });
    expect(steps[1]?.alert.dueSince).toBeNull();
    expect(steps[0]?.transitions).toEqual([
      {
        action: 'alert.resolved',
        reason: 'rule gone was deleted, disabled or no longer covers the district',
      },
    ]);
  });
});

describe('auditOf', () => {
  it('writes one line per transition, by the system unless an actor is named', () => {
    const alert = alertRecord('a1', { escalationLevel: 1 });
    expect(
      auditOf(alert, [
        { action: 'alert.firing', reason: 'over the threshold' },
        { action: 'alert.acknowledged', reason: 'on it', actor: 'asha' },
      ]),
    ).toEqual([
      {
        actor: 'system',
        action: 'alert.firing',
        subject: 'alert:a1',
        reason: 'over the threshold',
        details: { fingerprint: alert.fingerprint, state: 'firing', value: 1, escalationLevel: 1 },
      },
      {
        actor: 'asha',
        action: 'alert.acknowledged',
        subject: 'alert:a1',
        reason: 'on it',
        details: { fingerprint: alert.fingerprint, state: 'firing', value: 1, escalationLevel: 1 },
      },
    ]);
  });
});
