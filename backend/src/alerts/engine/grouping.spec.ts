import type { AlertRule } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import {
  type GroupPlan,
  type GroupTiming,
  groupTiming,
  notificationOf,
  planGroup,
  told,
} from './grouping.js';
import type { AlertRecord } from './record.js';
import { alertRecord, ruleFixture } from './record.fixture.js';

const T0 = Date.UTC(2024, 0, 15, 10, 0, 30);
const S = 1000;
const MIN = 60 * S;
const TIMING: GroupTiming = { waitMs: 30 * S, intervalMs: 5 * MIN, repeatMs: 4 * 60 * MIN };
const DISTRICT = 'TN-CHN';

const rule = (id: string, names: readonly string[]): AlertRule =>
  ruleFixture(id, { escalation: names.map((name, i) => ({ name, afterSeconds: i * 900 })) });

const RULES: ReadonlyMap<string, AlertRule> = new Map([
  ['risk-high', rule('risk-high', ['station', 'district control room', 'zone / HQ'])],
  ['surge-28d', rule('surge-28d', ['station', 'duty officer', 'SP office'])],
]);

/** A firing alert whose firing is due (untold) since T0. */
function alert(id: string, overrides: Partial<AlertRecord> = {}): AlertRecord {
  return alertRecord(id, {
    fingerprint: `risk-high/${DISTRICT}/${id}`,
    labels: { rule: 'risk-high', kind: 'risk', district: DISTRICT, category: '*', severity: 'high' },
    value: 0.9,
    summary: 'at 0.9',
    startedAt: T0,
    firedAt: T0,
    notified: { firing: false, resolved: false, level: 0 },
    dueSince: T0,
    updatedAt: T0,
    ...overrides,
  });
}

/** A firing alert already told. */
const toldFiring = (id: string, overrides: Partial<AlertRecord> = {}) =>
  alert(id, { notified: { firing: true, resolved: false, level: 0 }, dueSince: null, ...overrides });

const plan = (alerts: readonly AlertRecord[], lastSentAt: number | null, now: number): GroupPlan =>
  planGroup(DISTRICT, alerts, RULES, lastSentAt, TIMING, now);

const summary = (p: GroupPlan) =>
  p.notifications.map((n) => ({
    kind: n.kind,
    level: n.level,
    levelName: n.levelName,
    ids: n.alerts.map((a) => a.id),
  }));

/** The group's alerts after a plan's notifications were stored (what a writer keeps, or reloads). */
function afterSending(alerts: readonly AlertRecord[], p: GroupPlan): AlertRecord[] {
  const marked = new Map(p.notifications.flatMap((n) => n.alerts.map((a) => [a.id, a] as const)));
  return alerts.map((a) => marked.get(a.id) ?? a);
}

describe('told', () => {
  it('holds back silenced, inhibited and flapping alerts', () => {
    expect(told(alert('a'))).toBe(true);
    expect(told(alert('a', { silencedBy: ['s1'] }))).toBe(false);
    expect(told(alert('a', { inhibitedBy: 'b' }))).toBe(false);
    expect(told(alert('a', { flapping: true }))).toBe(false);
  });
});

describe('planGroup timers', () => {
  it('holds a new group for the group wait, then tells its firing alerts together', () => {
    const a = alert('a1');
    const b = alert('a2', { dueSince: T0 + 20 * S });
    const waiting = plan([b, a], null, T0 + 29 * S);
    expect(waiting).toEqual({ notifications: [], nextAt: T0 + 30 * S });

    const sent = plan([b, a], null, T0 + 30 * S);
    expect(sent.nextAt).toBeNull();
    expect(summary(sent)).toEqual([{ kind: 'firing', level: 0, levelName: 'firing', ids: ['a2', 'a1'] }]);
    expect(sent.notifications[0]?.idempotencyKey).toBe('TN-CHN:firing:0:a1,a2');
    for (const told of sent.notifications[0]?.alerts ?? []) {
      expect(told.notified).toEqual({ firing: true, resolved: false, level: 0 });
      expect(told.dueSince).toBeNull();
    }
  });

  it('waits for the group interval after the last notification, not for the group wait again', () => {
    const lastSentAt = T0;
    const late = alert('a3', { dueSince: T0 + 1 * MIN });
    // Its own group wait has passed but the group told something 90 s ago.
    expect(plan([late], lastSentAt, T0 + 90 * S)).toEqual({ notifications: [], nextAt: T0 + 5 * MIN });
    expect(summary(plan([late], lastSentAt, T0 + 5 * MIN))).toEqual([
      { kind: 'firing', level: 0, levelName: 'firing', ids: ['a3'] },
    ]);
  });

  it('tells at once what becomes due after the group interval has already run out', () => {
    const due = alert('a3', { dueSince: T0 + 10 * MIN });
    expect(summary(plan([due], T0, T0 + 10 * MIN))).toHaveLength(1);
  });

  it('treats a group silent for a repeat interval as new (group wait again)', () => {
    const lastSentAt = T0 - 5 * 60 * MIN;
    expect(plan([alert('a1')], lastSentAt, T0 + 10 * S)).toEqual({ notifications: [], nextAt: T0 + 30 * S });
  });

  it('repeats an unchanged firing group every repeat interval, and only then', () => {
    const a = toldFiring('a1');
    const b = toldFiring('a2');
    const lastSentAt = T0;
    expect(plan([a, b], lastSentAt, T0 + TIMING.repeatMs - 1)).toEqual({
      notifications: [],
      nextAt: T0 + TIMING.repeatMs,
    });
    const repeat = plan([b, a], lastSentAt, T0 + TIMING.repeatMs);
    expect(summary(repeat)).toEqual([{ kind: 'repeat', level: 0, levelName: 'repeat', ids: ['a2', 'a1'] }]);
    expect(repeat.notifications[0]?.alerts).toEqual([
      { ...b, dueSince: null },
      { ...a, dueSince: null },
    ]);
    expect(repeat.notifications[0]?.idempotencyKey).toMatch(/^TN-CHN:repeat:\d+:a1,a2$/);
  });

  it('does not repeat acknowledged, silenced or resolved alerts, nor a group never told', () => {
    const later = T0 + 2 * TIMING.repeatMs;
    expect(plan([toldFiring('a1', { state: 'acknowledged' })], T0, later)).toEqual({
      notifications: [],
      nextAt: null,
    });
    expect(plan([toldFiring('a1', { silencedBy: ['s1'] })], T0, later).notifications).toEqual([]);
    expect(
      plan(
        [toldFiring('a1', { state: 'resolved', notified: { firing: true, resolved: true, level: 0 } })],
        T0,
        later,
      ).notifications,
    ).toEqual([]);
    expect(plan([toldFiring('a1')], null, later)).toEqual({ notifications: [], nextAt: null });
  });
});

describe('planGroup: what is told', () => {
  const later = T0 + 10 * MIN;

  it.each([
    ['silenced', { silencedBy: ['s1'] }],
    ['inhibited', { inhibitedBy: 'a0' }],
    ['flapping', { flapping: true }],
  ] as const)('keeps a %s alert quiet (no notification, no timer)', (_, flags) => {
    expect(plan([alert('a1', flags)], null, later)).toEqual({ notifications: [], nextAt: null });
  });

  it('tells a quiet alert once it is no longer held back', () => {
    const released = alert('a1', { silencedBy: [], dueSince: later });
    expect(plan([released], null, later).nextAt).toBe(later + 30 * S);
    expect(summary(plan([released], null, later + 30 * S))).toHaveLength(1);
  });

  it('tells a resolution only when the firing was told', () => {
    const resolvedUntold = alert('a1', { state: 'resolved', resolvedAt: T0, dueSince: null });
    expect(plan([resolvedUntold], T0 - 10 * MIN, later)).toEqual({ notifications: [], nextAt: null });

    const resolvedTold = toldFiring('a2', { state: 'resolved', resolvedAt: T0, dueSince: T0 });
    const sent = plan([resolvedTold, resolvedUntold], T0 - 10 * MIN, later);
    expect(summary(sent)).toEqual([{ kind: 'resolved', level: 0, levelName: 'resolved', ids: ['a2'] }]);
    expect(sent.notifications[0]?.alerts[0]?.notified).toEqual({ firing: true, resolved: true, level: 0 });
    expect(sent.notifications[0]?.idempotencyKey).toBe('TN-CHN:resolved:0:a2');
    // Once told, nothing more.
    expect(plan(afterSending([resolvedTold], sent), later, later + TIMING.repeatMs).notifications).toEqual(
      [],
    );
  });

  it('does not tell a resolution while the alert is silenced', () => {
    const resolved = toldFiring('a1', {
      state: 'resolved',
      resolvedAt: T0,
      dueSince: T0,
      silencedBy: ['s1'],
    });
    expect(plan([resolved], null, later).notifications).toEqual([]);
  });

  it('tells escalations per level, named by the rule, lowest level first', () => {
    const hq = toldFiring('a1', { escalationLevel: 2, dueSince: T0 });
    const room = toldFiring('a2', { escalationLevel: 1, dueSince: T0 });
    const duty = toldFiring('a3', {
      escalationLevel: 1,
      dueSince: T0,
      labels: { rule: 'surge-28d', kind: 'surge', district: DISTRICT, category: '*', severity: 'medium' },
    });
    const sent = plan([hq, room, duty], T0 - 10 * MIN, later);
    expect(summary(sent)).toEqual([
      { kind: 'escalation', level: 1, levelName: 'district control room', ids: ['a2', 'a3'] },
      { kind: 'escalation', level: 2, levelName: 'zone / HQ', ids: ['a1'] },
    ]);
    expect(sent.notifications.map((n) => n.idempotencyKey)).toEqual([
      'TN-CHN:escalation:1:a2,a3',
      'TN-CHN:escalation:2:a1',
    ]);
    expect(sent.notifications[1]?.alerts[0]?.notified.level).toBe(2);
    // Told: the same state planned again says nothing.
    expect(plan(afterSending([hq, room, duty], sent), later, later + 10 * MIN).notifications).toEqual([]);
  });

  it('uses the rule of the first alert that names the level, else `level N`', () => {
    const unknownRule = toldFiring('a1', {
      escalationLevel: 1,
      dueSince: T0,
      labels: { rule: 'deleted', kind: 'risk', district: DISTRICT, category: '*', severity: 'high' },
    });
    expect(summary(plan([unknownRule], null, later))[0]?.levelName).toBe('level 1');
    const known = toldFiring('a2', { escalationLevel: 1, dueSince: T0 });
    expect(summary(plan([unknownRule, known], null, later))[0]?.levelName).toBe('district control room');
  });

  it('tells a hand escalation of an acknowledged alert (the operator asked for the next level)', () => {
    const acked = toldFiring('a1', { state: 'acknowledged', escalationLevel: 1, dueSince: T0 });
    const sent = plan([acked], null, later);
    expect(sent.notifications.map((n) => [n.kind, n.level])).toEqual([['escalation', 1]]);
  });

  it('does not tell an acknowledged alert again once its level was told', () => {
    const acked = toldFiring('a1', { state: 'acknowledged', escalationLevel: 0, dueSince: null });
    expect(plan([acked], null, later)).toEqual({ notifications: [], nextAt: null });
  });

  it('sends firing, resolved and escalation together in that order', () => {
    const sent = plan(
      [
        toldFiring('e1', { escalationLevel: 1, dueSince: T0 }),
        toldFiring('r1', { state: 'resolved', resolvedAt: T0, dueSince: T0 }),
        alert('f1'),
      ],
      null,
      later,
    );
    expect(sent.notifications.map((n) => n.kind)).toEqual(['firing', 'resolved', 'escalation']);
  });

  it('tells an escalation reached before the firing was told once the firing is out, even after a restart', () => {
    // Silenced for an hour while it escalated: when the silence ends the firing and the escalation are both untold.
    const both = alert('a1', { escalationLevel: 1, dueSince: later });
    const first = plan([both], null, later + 30 * S);
    expect(summary(first)).toEqual([{ kind: 'firing', level: 0, levelName: 'firing', ids: ['a1'] }]);
    const stored = afterSending([both], first);

    // The writer that sent it tells the escalation after the group interval.
    const sentAt = later + 30 * S;
    expect(plan(stored, sentAt, sentAt + 1 * MIN).nextAt).toBe(sentAt + 5 * MIN);
    expect(summary(plan(stored, sentAt, sentAt + 5 * MIN))[0]?.kind).toBe('escalation');

    // A restarted writer (no last-sent time) must not push the escalation forward at every look.
    let now = sentAt + 1 * MIN;
    let told = false;
    for (let look = 0; look < 5 && !told; look++) {
      const p = plan(stored, null, now);
      told = p.notifications.some((n) => n.kind === 'escalation');
      now = p.nextAt ?? now + TIMING.waitMs;
    }
    expect(told).toBe(true);
  });
});

describe('planGroup idempotency keys', () => {
  const later = T0 + 10 * MIN;
  const keys = (p: GroupPlan) => p.notifications.map((n) => n.idempotencyKey);

  it('are the same for the same content whenever and in whatever order it is planned', () => {
    const a = alert('a1');
    const b = alert('a2');
    const e = toldFiring('e1', { escalationLevel: 1, dueSince: T0 });
    const r = toldFiring('r1', { state: 'resolved', resolvedAt: T0, dueSince: T0 });
    // The first writer, which had sent before; then a restarted one (no last-sent time) minutes later.
    const first = keys(plan([a, b, e, r], T0 - 10 * MIN, later));
    const restarted = keys(plan([r, e, b, a], null, later + 7 * MIN));
    expect(first).toHaveLength(3);
    expect(restarted).toEqual(first);
  });

  it('differ when the content differs', () => {
    const one = keys(plan([alert('a1')], null, later));
    const two = keys(plan([alert('a1'), alert('a2')], null, later));
    const other = keys(plan([alert('a3')], null, later));
    const elsewhere = keys(planGroup('TN-MDU', [alert('a1')], RULES, null, TIMING, later));
    expect(new Set([...one, ...two, ...other, ...elsewhere]).size).toBe(4);
    const level1 = keys(plan([toldFiring('a1', { escalationLevel: 1, dueSince: T0 })], null, later));
    const level2 = keys(plan([toldFiring('a1', { escalationLevel: 2, dueSince: T0 })], null, later));
    expect(level1).not.toEqual(level2);
  });

  it('name a repeat by its round: the same within one repeat interval, new for the next repeat', () => {
    const group = [toldFiring('a1'), toldFiring('a2')];
    const round = Math.floor((T0 + TIMING.repeatMs) / TIMING.repeatMs) * TIMING.repeatMs;
    const at = (lastSentAt: number, now: number) => keys(plan(group, lastSentAt, now));
    // Two writers whose last-sent times differ a little, planning within the same round.
    const one = at(round - TIMING.repeatMs + 1 * MIN, round + 1 * MIN);
    const two = at(round - TIMING.repeatMs + 2 * MIN, round + 2 * MIN);
    expect(one).toHaveLength(1);
    expect(two).toEqual(one);
    const next = at(round + 2 * MIN, round + TIMING.repeatMs + 2 * MIN);
    expect(next).toHaveLength(1);
    expect(next).not.toEqual(one);
  });
});

describe('notificationOf', () => {
  it('carries the plan, its alerts on the wire and the time it was made', () => {
    const plan = planGroup(DISTRICT, [alert('a1')], RULES, null, TIMING, T0 + TIMING.waitMs);
    const [planned] = plan.notifications;
    if (planned === undefined) throw new Error('nothing planned');
    const notification = notificationOf(DISTRICT, planned, 'n1', T0 + TIMING.waitMs);
    expect(notification).toMatchObject({
      id: 'n1',
      idempotencyKey: `${DISTRICT}:firing:0:a1`,
      district: DISTRICT,
      kind: 'firing',
      level: 0,
      levelName: 'firing',
      createdAt: new Date(T0 + TIMING.waitMs).toISOString(),
    });
    expect(notification.alerts.map((a) => [a.id, a.firedAt])).toEqual([['a1', new Date(T0).toISOString()]]);
  });
});

describe('groupTiming', () => {
  it('turns the seconds of the settings into the timers', () => {
    expect(
      groupTiming({ groupWaitSeconds: 30, groupIntervalSeconds: 300, repeatIntervalSeconds: 14_400 }),
    ).toEqual(TIMING);
  });
});
