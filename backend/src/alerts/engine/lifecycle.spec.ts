import type { AlertLabels, AlertRule } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import {
  acknowledge,
  escalate,
  escalateByHand,
  FLAP_FIRINGS,
  FLAP_WINDOW_MS,
  flappingNow,
  LifecycleError,
  type Observation,
  resolveByHand,
  step,
  type StepContext,
} from './lifecycle.js';
import type { AlertRecord } from './record.js';
import { alertRecord } from './record.fixture.js';

const T0 = Date.UTC(2024, 0, 15, 10, 0, 0);
const S = 1000;
const MIN = 60 * S;

const LABELS: AlertLabels = {
  rule: 'risk-high',
  kind: 'risk',
  district: 'TN-CHN',
  category: '*',
  severity: 'high',
};

function rule(overrides: Partial<AlertRule> = {}): AlertRule {
  return {
    id: 'risk-high',
    region: 'TN',
    name: 'Model: high week ahead',
    enabled: true,
    severity: 'high',
    category: null,
    districts: null,
    condition: { kind: 'risk', threshold: 0.8, clear: 0.6 },
    forSeconds: 300,
    keepFiringForSeconds: 600,
    escalation: [
      { name: 'station', afterSeconds: 0 },
      { name: 'district control room', afterSeconds: 900 },
      { name: 'zone / HQ', afterSeconds: 3600 },
    ],
    updatedAt: '2024-01-01T00:00:00.000Z',
    updatedBy: 'admin',
    ...overrides,
  };
}

/** Above the firing threshold. */
const above = (value = 0.9): Observation => ({ active: true, cleared: false, value, summary: `at ${value}` });
/** Between the clear and the firing threshold (hysteresis band). */
const between = (value = 0.7): Observation => ({
  active: false,
  cleared: false,
  value,
  summary: `at ${value}`,
});
/** Below the clear threshold. */
const below = (value = 0.4): Observation => ({ active: false, cleared: true, value, summary: `at ${value}` });

function context(now: number, firings: readonly number[] = []): StepContext {
  let n = 0;
  return {
    now,
    labels: LABELS,
    fingerprint: 'risk-high/TN-CHN/*',
    newId: () => `alert-${String(++n)}`,
    firings,
  };
}

function record(overrides: Partial<AlertRecord> = {}): AlertRecord {
  return alertRecord('a1', {
    fingerprint: 'risk-high/TN-CHN/*',
    labels: LABELS,
    value: 0.9,
    summary: 'at 0.9',
    startedAt: T0,
    firedAt: T0,
    updatedAt: T0,
    version: 3,
    ...overrides,
  });
}

/** Runs `step` and insists that it changed something. */
function stepped(...args: Parameters<typeof step>) {
  const result = step(...args);
  if (result === null) throw new Error('expected a step, got null');
  return result;
}

const actions = (result: { transitions: readonly { action: string }[] }) =>
  result.transitions.map((t) => t.action);

describe('step on the way up', () => {
  it('opens a pending episode while the condition has not yet held for `forSeconds`', () => {
    const result = stepped(undefined, above(0.85), rule(), context(T0));
    expect(actions(result)).toEqual(['alert.pending']);
    expect(result.alert).toMatchObject({
      id: 'alert-1',
      fingerprint: 'risk-high/TN-CHN/*',
      labels: LABELS,
      state: 'pending',
      value: 0.85,
      summary: 'at 0.85',
      startedAt: T0,
      firedAt: null,
      resolvedAt: null,
      escalationLevel: 0,
      flapping: false,
      notified: { firing: false, resolved: false, level: 0 },
      dueSince: null,
      version: 0,
    });
  });

  it('fires once the condition has held for exactly `forSeconds`, not a millisecond before', () => {
    const pending = stepped(undefined, above(), rule({ forSeconds: 300 }), context(T0)).alert;

    const early = step(pending, above(0.95), rule({ forSeconds: 300 }), context(T0 + 300 * S - 1));
    expect(early?.alert.state).toBe('pending');
    expect(early?.transitions).toEqual([]);

    const fired = stepped(pending, above(0.95), rule({ forSeconds: 300 }), context(T0 + 300 * S));
    expect(actions(fired)).toEqual(['alert.firing']);
    expect(fired.alert).toMatchObject({
      id: pending.id,
      state: 'firing',
      startedAt: T0,
      firedAt: T0 + 300 * S,
      dueSince: T0 + 300 * S,
      value: 0.95,
    });
  });

  it('reports only a moved value while pending, and nothing when even the value is unchanged', () => {
    const pending = stepped(undefined, above(0.9), rule(), context(T0)).alert;
    expect(step(pending, above(0.9), rule(), context(T0 + 10 * S))).toBeNull();
    const moved = stepped(pending, above(0.93), rule(), context(T0 + 10 * S));
    expect(moved.transitions).toEqual([]);
    expect(moved.alert).toMatchObject({ state: 'pending', value: 0.93, summary: 'at 0.93' });
  });

  it('drops a pending episode when the condition ends before `forSeconds`, telling nobody', () => {
    const pending = stepped(undefined, above(), rule(), context(T0)).alert;
    const dropped = stepped(pending, between(), rule(), context(T0 + 100 * S));
    expect(actions(dropped)).toEqual(['alert.resolved']);
    expect(dropped.transitions[0]?.reason).toBe('the condition ended within the pending period');
    expect(dropped.alert).toMatchObject({
      state: 'resolved',
      firedAt: null,
      resolvedAt: T0 + 100 * S,
      dueSince: null,
    });
  });

  it('fires at once with `forSeconds` 0, writing both the pending and the firing line', () => {
    const result = stepped(undefined, above(), rule({ forSeconds: 0 }), context(T0));
    expect(actions(result)).toEqual(['alert.pending', 'alert.firing']);
    expect(result.alert).toMatchObject({ state: 'firing', startedAt: T0, firedAt: T0, dueSince: T0 });
  });

  it('does nothing when the condition does not hold and no episode is open', () => {
    expect(step(undefined, between(), rule(), context(T0))).toBeNull();
    expect(step(record({ state: 'resolved', resolvedAt: T0 }), below(), rule(), context(T0))).toBeNull();
  });

  it('starts a new episode with a new id after a resolved one', () => {
    const old = record({ id: 'old', state: 'resolved', resolvedAt: T0 });
    const result = stepped(old, above(), rule({ forSeconds: 0 }), context(T0 + MIN));
    expect(result.alert.id).toBe('alert-1');
    expect(result.alert.startedAt).toBe(T0 + MIN);
    expect(result.alert.state).toBe('firing');
  });

  it('keeps the state when the rule cannot be evaluated (null observation)', () => {
    expect(step(undefined, null, rule(), context(T0))).toBeNull();
    expect(
      step(record({ state: 'pending', firedAt: null }), null, rule(), context(T0 + 3600 * S)),
    ).toBeNull();
    expect(step(record({ clearSince: T0 }), null, rule(), context(T0 + 3600 * S))).toBeNull();
  });
});

describe('step on the way down (clear threshold and keep-firing-for)', () => {
  const keep = rule({ keepFiringForSeconds: 600 });

  it('keeps firing in the band between the clear and the firing threshold', () => {
    const firing = record();
    const result = stepped(firing, between(0.7), keep, context(T0 + 3600 * S));
    expect(result.transitions).toEqual([]);
    expect(result.alert).toMatchObject({ state: 'firing', clearSince: null, value: 0.7 });
  });

  it('starts clearing below the clear threshold and resolves only after keep-firing-for', () => {
    const t1 = T0 + 10 * MIN;
    const clearing = stepped(record(), below(0.5), keep, context(t1));
    expect(actions(clearing)).toEqual(['alert.clearing']);
    expect(clearing.alert).toMatchObject({ state: 'firing', clearSince: t1, updatedAt: t1 });

    const still = step(clearing.alert, below(0.45), keep, context(t1 + 600 * S - 1));
    expect(still?.transitions).toEqual([]);
    expect(still?.alert).toMatchObject({ state: 'firing', clearSince: t1, value: 0.45 });

    const resolved = stepped(clearing.alert, below(0.45), keep, context(t1 + 600 * S));
    expect(actions(resolved)).toEqual(['alert.resolved']);
    expect(resolved.transitions[0]?.reason).toBe('below the clear threshold for 600 s: at 0.45');
    expect(resolved.alert).toMatchObject({ state: 'resolved', resolvedAt: t1 + 600 * S });
  });

  it('interrupts the clearing when the value rises above the clear threshold, and counts afresh', () => {
    const t1 = T0 + 10 * MIN;
    const clearing = stepped(record(), below(), keep, context(t1)).alert;
    const interrupted = stepped(clearing, between(), keep, context(t1 + 5 * MIN));
    expect(actions(interrupted)).toEqual(['alert.clear_interrupted']);
    expect(interrupted.alert).toMatchObject({ state: 'firing', clearSince: null });

    const t2 = t1 + 6 * MIN;
    const again = stepped(interrupted.alert, below(), keep, context(t2));
    expect(actions(again)).toEqual(['alert.clearing']);
    expect(again.alert.clearSince).toBe(t2);
    // Ten minutes after the first clearing began the second has only run four: still firing.
    expect(step(again.alert, below(), keep, context(t1 + 600 * S))).toBeNull();
    expect(stepped(again.alert, below(), keep, context(t2 + 600 * S)).alert.state).toBe('resolved');
  });

  it('resolves at once with keep-firing-for 0', () => {
    const result = stepped(record(), below(0.3), rule({ keepFiringForSeconds: 0 }), context(T0 + MIN));
    expect(actions(result)).toEqual(['alert.resolved']);
    expect(result.transitions[0]?.reason).toBe('below the clear threshold: at 0.3');
    expect(result.alert).toMatchObject({ state: 'resolved', resolvedAt: T0 + MIN });
  });

  it('resolves an acknowledged alert the same way', () => {
    const acked = record({ state: 'acknowledged', acknowledgedAt: T0, acknowledgedBy: 'op' });
    const result = stepped(acked, below(), rule({ keepFiringForSeconds: 0 }), context(T0 + MIN));
    expect(result.alert).toMatchObject({ state: 'resolved', acknowledgedBy: 'op' });
  });

  it('leaves a resolution due only when its firing was told', () => {
    const now = T0 + MIN;
    const told = stepped(record(), below(), rule({ keepFiringForSeconds: 0 }), context(now));
    expect(told.alert.dueSince).toBe(now);
    const untold = stepped(
      record({ notified: { firing: false, resolved: false, level: 0 }, dueSince: T0 }),
      below(),
      rule({ keepFiringForSeconds: 0 }),
      context(now),
    );
    expect(untold.alert.dueSince).toBeNull();
  });
});

describe('escalate', () => {
  const r = rule();

  it('climbs one level per `afterSeconds` counted from firing', () => {
    const firing = record({ firedAt: T0, dueSince: null });
    expect(escalate(firing, r, T0 + 900 * S - 1)).toBeNull();

    const first = escalate(firing, r, T0 + 900 * S);
    expect(first?.alert).toMatchObject({ escalationLevel: 1, dueSince: T0 + 900 * S });
    expect(first?.transitions).toEqual([
      { action: 'alert.escalated', reason: 'not acknowledged: escalated to district control room (level 1)' },
    ]);

    const level1 = first?.alert ?? firing;
    expect(escalate(level1, r, T0 + 3600 * S - 1)).toBeNull();
    const second = escalate(level1, r, T0 + 3600 * S);
    expect(second?.alert.escalationLevel).toBe(2);
    expect(second?.transitions[0]?.reason).toContain('zone / HQ (level 2)');
    expect(escalate(second?.alert ?? level1, r, T0 + 100 * 3600 * S)).toBeNull();
  });

  it('jumps straight to the level due after a long gap, keeping an earlier due time', () => {
    const result = escalate(record({ dueSince: T0 + 5 * S }), r, T0 + 2 * 3600 * S);
    expect(result?.alert.escalationLevel).toBe(2);
    expect(result?.alert.dueSince).toBe(T0 + 5 * S);
  });

  it('stops once acknowledged, and never escalates a pending or resolved alert', () => {
    const firing = record();
    const acked = acknowledge(firing, 'op', 'on it', T0 + MIN).alert;
    expect(escalate(acked, r, T0 + 2 * 3600 * S)).toBeNull();
    expect(escalate(record({ state: 'pending', firedAt: null }), r, T0 + 2 * 3600 * S)).toBeNull();
    expect(escalate(record({ state: 'resolved', resolvedAt: T0 }), r, T0 + 2 * 3600 * S)).toBeNull();
  });

  it('does nothing for a rule with a single level', () => {
    expect(
      escalate(record(), rule({ escalation: [{ name: 'station', afterSeconds: 0 }] }), T0 + 3600 * S),
    ).toBeNull();
  });
});

describe('operator actions', () => {
  it('acknowledge claims a firing alert and says who', () => {
    const result = acknowledge(record(), 'asha', 'dispatching a patrol', T0 + MIN);
    expect(result.alert).toMatchObject({
      state: 'acknowledged',
      acknowledgedAt: T0 + MIN,
      acknowledgedBy: 'asha',
      updatedAt: T0 + MIN,
    });
    expect(result.transitions).toEqual([
      { action: 'alert.acknowledged', reason: 'dispatching a patrol', actor: 'asha' },
    ]);
  });

  it.each(['pending', 'acknowledged', 'resolved'] as const)('acknowledge refuses a %s alert', (state) => {
    const call = () => acknowledge(record({ state }), 'asha', 'x', T0);
    expect(call).toThrow(LifecycleError);
    expect(call).toThrow(`alert a1 is ${state}: only a firing alert can be acknowledged`);
  });

  it.each(['pending', 'firing', 'acknowledged'] as const)('resolveByHand resolves a %s alert', (state) => {
    const result = resolveByHand(record({ state }), 'asha', 'false alarm', T0 + MIN);
    expect(result.alert).toMatchObject({ state: 'resolved', resolvedAt: T0 + MIN });
    expect(result.transitions).toEqual([{ action: 'alert.resolved', reason: 'false alarm', actor: 'asha' }]);
  });

  it('resolveByHand refuses an alert already resolved', () => {
    const call = () => resolveByHand(record({ state: 'resolved' }), 'asha', 'x', T0);
    expect(call).toThrow(LifecycleError);
    expect(call).toThrow('alert a1 is already resolved');
  });

  it.each(['firing', 'acknowledged'] as const)('escalateByHand moves a %s alert one level up', (state) => {
    const result = escalateByHand(record({ state }), rule(), 'asha', 'needs the control room', T0 + MIN);
    expect(result.alert).toMatchObject({ state, escalationLevel: 1, dueSince: T0 + MIN });
    expect(result.transitions).toEqual([
      {
        action: 'alert.escalated',
        reason: 'needs the control room (to district control room, level 1)',
        actor: 'asha',
      },
    ]);
  });

  it.each(['pending', 'resolved'] as const)('escalateByHand refuses a %s alert', (state) => {
    const call = () => escalateByHand(record({ state }), rule(), 'asha', 'x', T0);
    expect(call).toThrow(LifecycleError);
    expect(call).toThrow(`alert a1 is ${state}: only a firing or acknowledged alert can be escalated`);
  });

  it('escalateByHand refuses to go past the last level', () => {
    const call = () => escalateByHand(record({ escalationLevel: 2 }), rule(), 'asha', 'x', T0);
    expect(call).toThrow(LifecycleError);
    expect(call).toThrow('alert a1 is already at the last escalation level');
  });

  it('LifecycleError is an Error named as such', () => {
    const error = new LifecycleError('no');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('LifecycleError');
  });
});

describe('flapping', () => {
  it('is 3 firings within an hour, the current one included', () => {
    expect(FLAP_FIRINGS).toBe(3);
    expect(FLAP_WINDOW_MS).toBe(3600 * S);
    const now = T0 + 2 * 3600 * S;
    const r = rule({ forSeconds: 0 });
    const third = stepped(undefined, above(), r, context(now, [now - 50 * MIN, now - 20 * MIN]));
    expect(third.alert.flapping).toBe(true);
    const second = stepped(undefined, above(), r, context(now, [now - 20 * MIN]));
    expect(second.alert.flapping).toBe(false);
  });

  it('forgets firings an hour old or older', () => {
    const now = T0 + 2 * 3600 * S;
    const r = rule({ forSeconds: 0 });
    expect(
      stepped(undefined, above(), r, context(now, [now - 60 * MIN, now - 20 * MIN])).alert.flapping,
    ).toBe(false);
    expect(
      stepped(undefined, above(), r, context(now, [now - 60 * MIN + 1, now - 20 * MIN])).alert.flapping,
    ).toBe(true);
  });

  it('is judged at firing, not while pending', () => {
    const now = T0 + 2 * 3600 * S;
    const pending = stepped(undefined, above(), rule(), context(now, [now - 50 * MIN, now - 20 * MIN]));
    expect(pending.alert.flapping).toBe(false);
  });

  it('flappingNow counts the given firings in the last hour', () => {
    const now = T0;
    expect(flappingNow([now - 59 * MIN, now - 30 * MIN, now], now)).toBe(true);
    expect(flappingNow([now - 61 * MIN, now - 30 * MIN, now], now)).toBe(false);
    expect(flappingNow([], now)).toBe(false);
  });
});
