import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AlertLabels, LabelMatcher, Silence } from './alerts.js';
import { matchesAll, parseRuleInput, parseSilenceInput, RULE_ID, silenceActive } from './alert-rules.js';

const BASE = {
  name: '  Model: high week ahead ',
  severity: 'high',
  condition: { kind: 'risk', threshold: 0.8, clear: 0.6 },
  escalation: [{ name: 'station', afterSeconds: 0 }],
};

const refused = (body: unknown): string => {
  const parsed = parseRuleInput(body);
  if (parsed.ok) throw new Error('expected the rule to be refused');
  return parsed.reason;
};

describe('parseRuleInput', () => {
  it('fills the documented defaults and trims the name', () => {
    const parsed = parseRuleInput(BASE);
    expect(parsed).toEqual({
      ok: true,
      value: {
        name: 'Model: high week ahead',
        enabled: true,
        severity: 'high',
        category: null,
        districts: null,
        condition: { kind: 'risk', threshold: 0.8, clear: 0.6 },
        forSeconds: 0,
        keepFiringForSeconds: 0,
        escalation: [{ name: 'station', afterSeconds: 0 }],
      },
    });
  });

  it('keeps what is given', () => {
    const parsed = parseRuleInput({
      ...BASE,
      enabled: false,
      category: 'crime_women',
      districts: ['TN-CHN', 'TN-MDU'],
      forSeconds: 300,
      keepFiringForSeconds: 3600,
    });
    expect(parsed.ok && parsed.value).toMatchObject({
      enabled: false,
      category: 'crime_women',
      districts: ['TN-CHN', 'TN-MDU'],
      forSeconds: 300,
      keepFiringForSeconds: 3600,
    });
  });

  it.each([
    ['risk', { kind: 'risk', threshold: 0.8, clear: 0.81 }, { kind: 'risk', threshold: 0.8, clear: 0.8 }],
    [
      'category',
      { kind: 'category', windowMinutes: 60, threshold: 5, clear: 6 },
      { kind: 'category', windowMinutes: 60, threshold: 5, clear: 5 },
    ],
    [
      'surge',
      { kind: 'surge', changePct: 50, minCount: 30, clearPct: 60 },
      { kind: 'surge', changePct: 50, minCount: 30, clearPct: 50 },
    ],
    [
      'spike',
      { kind: 'spike', stepMinutes: 60, historySteps: 336, coverage: 0.95, clearCoverage: 0.99, minCount: 5 },
      { kind: 'spike', stepMinutes: 60, historySteps: 336, coverage: 0.95, clearCoverage: 0.95, minCount: 5 },
    ],
  ])('refuses a %s clear threshold above the firing one, and takes an equal one', (_, above, equal) => {
    expect(refused({ ...BASE, condition: above })).toBe(
      'condition: the clear threshold must not be above the firing threshold',
    );
    expect(parseRuleInput({ ...BASE, condition: equal }).ok).toBe(true);
  });

  it('wants escalation levels strictly later one after another', () => {
    const levels = (...after: number[]) =>
      after.map((afterSeconds, i) => ({ name: `l${String(i)}`, afterSeconds }));
    expect(parseRuleInput({ ...BASE, escalation: levels(0, 900, 3600) }).ok).toBe(true);
    for (const bad of [levels(0, 900, 900), levels(0, 3600, 900), levels(900, 0)]) {
      expect(refused({ ...BASE, escalation: bad })).toBe(
        'escalation: escalation levels must come later one after another',
      );
    }
    expect(refused({ ...BASE, escalation: [] })).toMatch(/^escalation: /);
    expect(refused({ ...BASE, escalation: levels(0, 1, 2, 3, 4, 5, 6) })).toMatch(/^escalation: /);
  });

  it('refuses unknown fields, saying where', () => {
    expect(refused({ ...BASE, colour: 'red' })).toMatch(/^\(body\): .*"colour"/);
    expect(refused({ ...BASE, condition: { ...BASE.condition, window: 3 } })).toMatch(
      /^condition: .*"window"/,
    );
    expect(refused({ ...BASE, escalation: [{ name: 'station', afterSeconds: 0, email: 'x@y' }] })).toMatch(
      /^escalation\.0: .*"email"/,
    );
  });

  it('names each bad field in one answer', () => {
    const reason = refused({ ...BASE, severity: 'urgent', forSeconds: -1, districts: ['chennai'] });
    expect(reason).toMatch(/(^|; )severity: /);
    expect(reason).toMatch(/(^|; )forSeconds: /);
    expect(reason).toMatch(/(^|; )districts\.0: /);
  });

  it('refuses an unknown condition kind, a fractional duration and a missing name', () => {
    expect(refused({ ...BASE, condition: { kind: 'weather' } })).toMatch(/^condition\.kind: /);
    expect(refused({ ...BASE, keepFiringForSeconds: 1.5 })).toMatch(/^keepFiringForSeconds: /);
    expect(refused({ ...BASE, name: '   ' })).toMatch(/^name: /);
  });

  it('lets a black_spot rule watch only road accidents', () => {
    const condition = { kind: 'black_spot', minAccidents: 3, radiusKm: 0.5, hours: 24 };
    expect(parseRuleInput({ ...BASE, condition }).ok).toBe(true);
    expect(parseRuleInput({ ...BASE, condition, category: 'road_accident' }).ok).toBe(true);
    expect(refused({ ...BASE, condition, category: 'crime_women' })).toBe(
      'category: a black_spot rule watches road accidents: category must be null or road_accident',
    );
  });

  it("takes a no-data improbability between 0 and 1, for a district's silence only", () => {
    const condition = { kind: 'no_data', scope: 'district', minutes: 60, improbability: 0.0001 };
    expect(parseRuleInput({ ...BASE, condition }).ok).toBe(true);
    expect(refused({ ...BASE, condition: { ...condition, improbability: 1 } })).toMatch(
      /^condition\.improbability: /,
    );
    expect(refused({ ...BASE, condition: { ...condition, improbability: 0 } })).toMatch(
      /^condition\.improbability: /,
    );
    expect(refused({ ...BASE, condition: { ...condition, scope: 'producer' } })).toBe(
      'condition.improbability: improbability needs a usual rate, which only a district has: use it with scope district',
    );
  });

  it('RULE_ID takes lower-case slugs of up to 63 characters', () => {
    expect(RULE_ID.safeParse('surge-28d').success).toBe(true);
    expect(RULE_ID.safeParse('a'.repeat(63)).success).toBe(true);
    for (const bad of ['-surge', 'Surge', 'surge_28d', '', 'a'.repeat(64)]) {
      expect(RULE_ID.safeParse(bad).success, bad).toBe(false);
    }
  });
});

describe('parseSilenceInput', () => {
  const NOW = '2024-01-15T10:00:00.000Z';
  const matchers = [{ label: 'district', op: '=', value: 'TN-CHN' }];
  const silence = (extra: Record<string, unknown>) => ({
    matchers,
    reason: 'planned festival crowd',
    ...extra,
  });
  const reasonOf = (body: unknown): string => {
    const parsed = parseSilenceInput(body);
    if (parsed.ok) throw new Error('expected the silence to be refused');
    return parsed.reason;
  };

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(NOW));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('takes matchers, a reason and an end in the future, starting now by default', () => {
    const parsed = parseSilenceInput(silence({ endsAt: '2024-01-15T12:00:00.000Z' }));
    expect(parsed).toEqual({
      ok: true,
      value: { matchers, reason: 'planned festival crowd', endsAt: '2024-01-15T12:00:00.000Z' },
    });
    expect(parseSilenceInput(silence({ endsAt: '2024-01-15T16:00:00+05:30' })).ok).toBe(true);
  });

  it('requires an end', () => {
    expect(reasonOf(silence({}))).toMatch(/^endsAt: /);
  });

  it('refuses an end not after the start', () => {
    const startsAt = '2024-01-16T10:00:00.000Z';
    expect(reasonOf(silence({ startsAt, endsAt: startsAt }))).toBe(
      'endsAt: endsAt must be after startsAt (and in the future)',
    );
    expect(reasonOf(silence({ startsAt, endsAt: '2024-01-16T09:00:00.000Z' }))).toMatch(/^endsAt: /);
    expect(parseSilenceInput(silence({ startsAt, endsAt: '2024-01-16T10:00:01.000Z' })).ok).toBe(true);
  });

  it('refuses an end already past, with or without a start', () => {
    expect(reasonOf(silence({ endsAt: NOW }))).toMatch(/^endsAt: /);
    expect(
      reasonOf(silence({ startsAt: '2024-01-14T10:00:00.000Z', endsAt: '2024-01-15T09:00:00.000Z' })),
    ).toMatch(/^endsAt: /);
  });

  it('refuses a bad regular expression, only where one is expected', () => {
    const bad = [{ label: 'district', op: '=~', value: 'TN-(CHN' }];
    expect(reasonOf(silence({ matchers: bad, endsAt: '2024-01-15T12:00:00.000Z' }))).toMatch(
      /^matchers\.0\.value: not a regular expression: /,
    );
    expect(
      reasonOf(silence({ matchers: [{ ...bad[0], op: '!~' }], endsAt: '2024-01-15T12:00:00.000Z' })),
    ).toMatch(/^matchers\.0\.value: /);
    expect(
      parseSilenceInput(silence({ matchers: [{ ...bad[0], op: '=' }], endsAt: '2024-01-15T12:00:00.000Z' }))
        .ok,
    ).toBe(true);
  });

  it('refuses no matchers, an unknown label or operator, a short reason and unknown fields', () => {
    const endsAt = '2024-01-15T12:00:00.000Z';
    expect(reasonOf(silence({ matchers: [], endsAt }))).toMatch(/^matchers: /);
    expect(reasonOf(silence({ matchers: [{ label: 'colour', op: '=', value: 'x' }], endsAt }))).toMatch(
      /^matchers\.0\.label: /,
    );
    expect(reasonOf(silence({ matchers: [{ label: 'district', op: '==', value: 'x' }], endsAt }))).toMatch(
      /^matchers\.0\.op: /,
    );
    expect(reasonOf(silence({ reason: 'ok', endsAt }))).toMatch(/^reason: /);
    expect(reasonOf(silence({ endsAt, createdBy: 'me' }))).toMatch(/^\(body\): .*"createdBy"/);
  });
});

describe('matchesAll', () => {
  const labels: AlertLabels = {
    rule: 'surge-28d',
    kind: 'surge',
    district: 'TN-CHN',
    category: 'crime_women',
    severity: 'high',
  };
  const m = (label: LabelMatcher['label'], op: LabelMatcher['op'], value: string): LabelMatcher => ({
    label,
    op,
    value,
  });

  it.each([
    [m('district', '=', 'TN-CHN'), true],
    [m('district', '=', 'TN-MDU'), false],
    [m('district', '=', 'tn-chn'), false],
    [m('district', '!=', 'TN-MDU'), true],
    [m('district', '!=', 'TN-CHN'), false],
    [m('district', '=~', 'TN-.*'), true],
    [m('district', '=~', 'TN-MDU|TN-CHN'), true],
    // Anchored on the whole value, alternatives included.
    [m('district', '=~', 'TN'), false],
    [m('district', '=~', 'CHN'), false],
    [m('district', '=~', 'x|TN-CH'), false],
    [m('category', '!~', 'crime_.*'), false],
    [m('category', '!~', 'road_.*'), true],
    [m('severity', '=~', 'high|critical'), true],
  ])('%o → %s', (matcher, expected) => {
    expect(matchesAll([matcher], labels)).toBe(expected);
  });

  it('needs every matcher to hold', () => {
    expect(matchesAll([m('district', '=', 'TN-CHN'), m('severity', '=', 'high')], labels)).toBe(true);
    expect(matchesAll([m('district', '=', 'TN-CHN'), m('severity', '=', 'low')], labels)).toBe(false);
  });

  it('reads an absent label as empty', () => {
    expect(matchesAll([m('producer', '=', '')], labels)).toBe(true);
    expect(matchesAll([m('producer', '=~', '.+')], labels)).toBe(false);
    expect(matchesAll([m('producer', '=', 'cctns')], { ...labels, producer: 'cctns' })).toBe(true);
  });
});

describe('silenceActive', () => {
  const s: Silence = {
    id: 's1',
    matchers: [],
    reason: 'festival',
    createdBy: 'asha',
    startsAt: '2024-01-15T10:00:00.000Z',
    endsAt: '2024-01-15T12:00:00.000Z',
    expiredBy: null,
  };
  const at = (iso: string) => Date.parse(iso);

  it('is active from its start until (not at) its end, unless expired by someone', () => {
    expect(silenceActive(s, at('2024-01-15T09:59:59.999Z'))).toBe(false);
    expect(silenceActive(s, at('2024-01-15T10:00:00.000Z'))).toBe(true);
    expect(silenceActive(s, at('2024-01-15T11:59:59.999Z'))).toBe(true);
    expect(silenceActive(s, at('2024-01-15T12:00:00.000Z'))).toBe(false);
    expect(silenceActive({ ...s, expiredBy: 'asha' }, at('2024-01-15T11:00:00.000Z'))).toBe(false);
  });
});
