import { readFileSync } from 'node:fs';
import {
  type AlertRule,
  CATEGORIES,
  parseRateTable,
  SILENCE_IMPROBABILITY,
  type Category,
  type CategoryFeatures,
  type CompstatComparison,
  type DistrictFeatures,
  type DistrictScore,
  type RuleCondition,
} from '@district-monitor/streams';
import { mulberry32 } from '@district-monitor/streams/simulator';
import { describe, expect, it } from 'vitest';
import type { BlackSpot } from './black-spot.js';
import type { Observation } from './lifecycle.js';
import { MinuteCounts } from './minute-counts.js';
import { observe, type SignalSources } from './signals.js';

const MIN = 60_000;
/** Half a minute past a whole minute. */
const NOW = Date.UTC(2024, 0, 15, 10, 0, 30);
const DISTRICT = 'TN-CHN';

function rule(condition: RuleCondition, category: Category | null = null): AlertRule {
  return {
    id: `${condition.kind}-rule`,
    region: 'TN',
    name: condition.kind,
    enabled: true,
    severity: 'high',
    category,
    districts: null,
    condition,
    forSeconds: 0,
    keepFiringForSeconds: 0,
    escalation: [{ name: 'station', afterSeconds: 0 }],
    updatedAt: '2024-01-01T00:00:00.000Z',
    updatedBy: 'admin',
  };
}

const comparison = (current: number, previous: number): CompstatComparison => ({
  current,
  previous,
  changePct: previous === 0 ? null : ((current - previous) / previous) * 100,
});

function categoryFeatures(days28: CompstatComparison): CategoryFeatures {
  const none = comparison(0, 0);
  const baseline = { observed: 0, expected: 0, tailProbability: 1 };
  return {
    counts: { '1h': 0, '24h': 0, '7d': 0, '28d': days28.current, '365d': 0 },
    ratePer100k: null,
    compstat: { weekOverWeek: none, days28, yearToDate: none },
    baseline: { hourOfWeek: baseline, day: baseline },
  };
}

/** Features whose 28-day comparison is `incidents` overall and `byCategory` for the named categories. */
function features(
  incidents: CompstatComparison,
  byCategory: Partial<Record<Category, CompstatComparison>> = {},
): DistrictFeatures {
  const categories = Object.fromEntries(
    CATEGORIES.map((c) => [c, categoryFeatures(byCategory[c] ?? comparison(0, 0))]),
  ) as Record<Category, CategoryFeatures>;
  const zero = { '24h': 0, '28d': 0, '365d': 0 };
  return {
    district: DISTRICT,
    asOf: new Date(NOW).toISOString(),
    hour: { index: 0, start: '2024-01-15T10:00:00.000Z', end: '2024-01-15T11:00:00.000Z' },
    population: null,
    categories,
    incidents: categoryFeatures(incidents),
    accidents: {
      killed: zero,
      injured: zero,
      perAccident: { '28d': { killed: 0, injured: 0 }, '365d': { killed: 0, injured: 0 } },
    },
    vector: [],
  };
}

function score(elevated: number): DistrictScore {
  return {
    district: DISTRICT,
    asOf: new Date(NOW).toISOString(),
    elevated,
    classProbabilities: [(1 - elevated) / 2, (1 - elevated) / 2, elevated],
    expectedCount: 10,
    interval80: [5, 15],
    forecast: [],
    cluster: { label: 0, peers: [] },
    topFactors: [],
    modelVersion: 'v1',
  };
}

/** Sources that know nothing unless told. */
function sources(overrides: Partial<SignalSources> = {}): SignalSources {
  return {
    features: () => undefined,
    score: () => undefined,
    minutes: new MinuteCounts([DISTRICT], 60, NOW),
    blackSpot: () => undefined,
    lastSeen: () => NOW,
    spike: () => null,
    ...overrides,
  };
}

const verdict = (o: Observation | null) =>
  o === null ? null : { active: o.active, cleared: o.cleared, value: o.value };

describe('observe: risk', () => {
  const risk = rule({ kind: 'risk', threshold: 0.8, clear: 0.6 });
  const at = (elevated: number) =>
    observe(risk, DISTRICT, sources({ score: (d) => (d === DISTRICT ? score(elevated) : undefined) }), NOW);

  it('cannot be evaluated without a score', () => {
    expect(observe(risk, DISTRICT, sources(), NOW)).toBeNull();
  });

  it.each([
    [0.85, true, false],
    [0.8, true, false],
    [0.7, false, false],
    [0.6, false, false],
    [0.59, false, true],
  ])('P = %s: active %s, cleared %s', (elevated, active, cleared) => {
    expect(verdict(at(elevated))).toEqual({ active, cleared, value: elevated });
  });

  it('says what the value means', () => {
    expect(at(0.85)?.summary).toBe('P(high week) 85% (fires at 80%, clears below 60%)');
  });
});

describe('observe: surge', () => {
  const surge = rule({ kind: 'surge', changePct: 50, minCount: 30, clearPct: 25 });
  const at = (f: DistrictFeatures, r = surge) => observe(r, DISTRICT, sources({ features: () => f }), NOW);

  it('cannot be evaluated without features', () => {
    expect(observe(surge, DISTRICT, sources(), NOW)).toBeNull();
  });

  it('fires at the change and the minimum count together', () => {
    expect(verdict(at(features(comparison(45, 30))))).toEqual({ active: true, cleared: false, value: 50 });
    expect(at(features(comparison(45, 30)))?.summary).toBe(
      'incidents last 28 days 45 vs 30 before (+50%; fires at +50% with at least 30)',
    );
    // +100% but only 20 incidents: too few to fire, and below the minimum it counts as cleared.
    expect(verdict(at(features(comparison(20, 10))))).toEqual({ active: false, cleared: true, value: 100 });
  });

  it('keeps firing between the clear and the firing change, clears below the clear change', () => {
    expect(verdict(at(features(comparison(39, 30))))).toEqual({ active: false, cleared: false, value: 30 });
    expect(verdict(at(features(comparison(36, 30))))).toEqual({ active: false, cleared: true, value: 20 });
  });

  it('with no earlier count: never fires, cleared only under the minimum', () => {
    expect(verdict(at(features(comparison(40, 0))))).toEqual({ active: false, cleared: false, value: 0 });
    expect(verdict(at(features(comparison(10, 0))))).toEqual({ active: false, cleared: true, value: 0 });
    expect(at(features(comparison(40, 0)))?.summary).toContain('(no earlier count;');
  });

  it("reads the rule's category, not the incidents, when it names one", () => {
    const f = features(comparison(30, 30), { crime_women: comparison(60, 30) });
    expect(verdict(at(f, rule(surge.condition, 'crime_women')))).toEqual({
      active: true,
      cleared: false,
      value: 100,
    });
    expect(at(f, rule(surge.condition, 'crime_women'))?.summary).toMatch(
      /^crime_women last 28 days 60 vs 30/,
    );
    expect(verdict(at(f))).toEqual({ active: false, cleared: true, value: 0 });
  });
});

describe('observe: category', () => {
  const women = rule({ kind: 'category', windowMinutes: 10, threshold: 5, clear: 2 }, 'crime_women');

  function withCounts(perMinute: readonly (readonly [number, Category, number])[]) {
    const minutes = new MinuteCounts([DISTRICT], 60, NOW);
    for (const [minutesAgo, category, events] of perMinute) {
      minutes.add(DISTRICT, category, NOW - minutesAgo * MIN, events);
    }
    return sources({ minutes });
  }

  it('counts the last window of minutes, the current one and the one the window starts in included', () => {
    const s = withCounts([
      [0, 'crime_women', 2],
      [9, 'crime_women', 1],
      [10, 'crime_women', 2],
      [11, 'crime_women', 100],
      [0, 'crime_body', 100],
    ]);
    const o = observe(women, DISTRICT, s, NOW);
    expect(verdict(o)).toEqual({ active: true, cleared: false, value: 5 });
    expect(o?.summary).toBe('5 crime_women in the last 10 min (fires at 5, clears below 2)');
  });

  it('has a band between clear and threshold', () => {
    expect(verdict(observe(women, DISTRICT, withCounts([[1, 'crime_women', 4]]), NOW))).toEqual({
      active: false,
      cleared: false,
      value: 4,
    });
    expect(verdict(observe(women, DISTRICT, withCounts([[1, 'crime_women', 1]]), NOW))).toEqual({
      active: false,
      cleared: true,
      value: 1,
    });
  });

  it('counts every incident category but road accidents when the rule names none', () => {
    const all = rule({ kind: 'category', windowMinutes: 10, threshold: 5, clear: 2 });
    const s = withCounts([
      [0, 'crime_women', 2],
      [3, 'crime_body', 2],
      [5, 'road_accident', 50],
    ]);
    const o = observe(all, DISTRICT, s, NOW);
    expect(o?.value).toBe(4);
    expect(o?.summary).toMatch(/^4 incidents in the last 10 min/);
  });
});

describe('observe: black_spot', () => {
  const spotRule = rule({ kind: 'black_spot', minAccidents: 3, radiusKm: 0.5, hours: 6 }, 'road_accident');
  const at = (spot: BlackSpot | null | undefined) =>
    observe(spotRule, DISTRICT, sources({ blackSpot: () => spot }), NOW);

  it('cannot be evaluated before the spot was computed', () => {
    expect(at(undefined)).toBeNull();
  });

  it('reads no located accident as 0, cleared', () => {
    const o = at(null);
    expect(verdict(o)).toEqual({ active: false, cleared: true, value: 0 });
    expect(o?.summary).toBe('no located road accident in the last 6 h');
  });

  it('fires at the minimum number of accidents around one spot', () => {
    const centre = { lat: 13.08271, lon: 80.27069 };
    expect(verdict(at({ centre, accidents: 2 }))).toEqual({ active: false, cleared: true, value: 2 });
    const o = at({ centre, accidents: 3 });
    expect(verdict(o)).toEqual({ active: true, cleared: false, value: 3 });
    expect(o?.summary).toBe(
      '3 road accidents within 0.5 km of 13.0827, 80.2707 in the last 6 h (fires at 3)',
    );
  });

  it('asks for the spot of its own rule and district', () => {
    const asked: string[] = [];
    observe(
      spotRule,
      DISTRICT,
      sources({
        blackSpot: (r, d) => {
          asked.push(`${r.id}/${d}`);
          return null;
        },
      }),
      NOW,
    );
    expect(asked).toEqual(['black_spot-rule/TN-CHN']);
  });
});

describe('observe: no_data', () => {
  const silent = rule({ kind: 'no_data', scope: 'district', minutes: 30 });
  const at = (lastSeen: number) => observe(silent, DISTRICT, sources({ lastSeen: () => lastSeen }), NOW);

  it('fires once nothing arrived for the minutes, in whole minutes', () => {
    expect(verdict(at(NOW - 30 * MIN))).toEqual({ active: true, cleared: false, value: 30 });
    expect(at(NOW - 30 * MIN)?.summary).toBe('no event for 30 min (fires at 30)');
    expect(verdict(at(NOW - 30 * MIN + 1))).toEqual({ active: false, cleared: true, value: 29 });
    expect(verdict(at(NOW))).toEqual({ active: false, cleared: true, value: 0 });
  });
});

/** Features whose last 24 hours' expected counts are `incidents` and `accidents`. */
function usualDay(incidents: number, accidents: number): DistrictFeatures {
  const f = features(comparison(0, 0));
  const withDay = (c: CategoryFeatures, expected: number): CategoryFeatures => ({
    ...c,
    baseline: { ...c.baseline, day: { observed: 0, expected, tailProbability: 1 } },
  });
  return {
    ...f,
    incidents: withDay(f.incidents, incidents),
    categories: { ...f.categories, road_accident: withDay(f.categories.road_accident, accidents) },
  };
}

describe('observe: no_data with an improbability (a quiet district is not a silent one)', () => {
  const silent = rule({ kind: 'no_data', scope: 'district', minutes: 60, improbability: 0.0001 });
  const at = (lastSeen: number, f: DistrictFeatures | undefined) =>
    observe(silent, DISTRICT, sources({ lastSeen: () => lastSeen, features: () => f }), NOW);

  it('cannot be evaluated without features', () => {
    expect(at(NOW - 600 * MIN, undefined)).toBeNull();
  });

  it('fires when the usual rate makes the silence at most that likely, and not before the minutes', () => {
    // 48 incidents and 24 accidents a day: 3 an hour; P(no event in t h) = exp(-3t) <= 1e-4 from t = 3.07 h.
    const busy = usualDay(48, 24);
    expect(verdict(at(NOW - 184 * MIN, busy))).toEqual({ active: false, cleared: false, value: 184 });
    expect(verdict(at(NOW - 185 * MIN, busy))).toEqual({ active: true, cleared: false, value: 185 });
    expect(at(NOW - 185 * MIN, busy)?.summary).toBe(
      'no event for 185 min, 9.3 expected at its usual 3.00 an hour: P 0.0096% (fires at 0.01% or less after 60 min)',
    );
    // Far busier, the minutes still come first.
    expect(verdict(at(NOW - 59 * MIN, usualDay(2400, 0)))).toEqual({
      active: false,
      cleared: true,
      value: 59,
    });
    expect(verdict(at(NOW - 60 * MIN, usualDay(2400, 0)))).toEqual({
      active: true,
      cleared: false,
      value: 60,
    });
  });

  it('leaves a district that usually sends one event in 5 hours alone for a day', () => {
    const quiet = usualDay(3.6, 1.2);
    expect(verdict(at(NOW - 24 * 60 * MIN, quiet))).toEqual({ active: false, cleared: false, value: 1440 });
    expect(verdict(at(NOW - 47 * 60 * MIN, quiet))).toEqual({ active: true, cleared: false, value: 2820 });
    expect(verdict(at(NOW - 1000 * 60 * MIN, usualDay(0, 0)))?.active).toBe(false);
  });

  it('clears only when an event arrives', () => {
    expect(verdict(at(NOW, usualDay(48, 24)))).toEqual({ active: false, cleared: true, value: 0 });
  });
});

describe("the default no-data rule at the rate table's volumes (30 simulated days, a working feed, then a stop)", () => {
  const table = parseRateTable(
    JSON.parse(readFileSync(new URL('../../../../data/rates/tamil-nadu.json', import.meta.url), 'utf8')),
    'tamil-nadu.json',
  );
  const DAYS = 30;
  const START = Date.UTC(2024, 0, 1);

  /**
   * Alert episodes (quiet to active) of `condition` for every district of the table: events drawn minute
   * by minute from the table's rates and local hour and weekday profiles; from `stopAt` on, `stopped`
   * sends nothing. The usual rate is the table's daily mean, as the features' last-24-hour baseline gives it.
   */
  function episodes(condition: RuleCondition, stopped?: { district: string; at: number }) {
    const random = mulberry32(20_261_207);
    const r = rule(condition);
    const perDistrict = new Map<string, number>();
    let stopDetectedAfterMs: number | undefined;
    for (const [district, yearly] of Object.entries(table.yearly)) {
      const accidents = yearly.road_accident ?? 0;
      const incidents = Object.values(yearly).reduce((sum, n) => sum + n, 0) - accidents;
      const f = usualDay(incidents / 365, accidents / 365);
      let lastSeen = START;
      let firing = false;
      let count = 0;
      for (let minute = 0; minute < DAYS * 1440; minute++) {
        const now = START + minute * MIN;
        const hour = Math.floor(minute / 60) % 24;
        const weekday = Math.floor(minute / 1440) % 7;
        const { crime, accident } = table.profiles;
        const perMinute =
          ((incidents / 8760) * (crime.hourOfDay[hour] ?? 0) * (crime.dayOfWeek[weekday] ?? 0) +
            (accidents / 8760) * (accident.hourOfDay[hour] ?? 0) * (accident.dayOfWeek[weekday] ?? 0)) /
          60;
        const sends = !(stopped?.district === district && now >= stopped.at);
        if (sends && random() < perMinute) {
          lastSeen = now;
          firing = false;
          continue;
        }
        const o = observe(r, district, sources({ lastSeen: () => lastSeen, features: () => f }), now);
        if (o?.active === true && !firing) {
          firing = true;
          if (stopped?.district === district && now >= stopped.at) {
            stopDetectedAfterMs = now - stopped.at;
            break;
          }
          count++;
        }
      }
      perDistrict.set(district, count);
    }
    const total = [...perDistrict.values()].reduce((sum, n) => sum + n, 0);
    return { total, perDistrict, stopDetectedAfterMs };
  }

  it('a silent hour alone fires thousands of times a month on a working feed; the usual rate, a handful', () => {
    const minutesOnly = episodes({ kind: 'no_data', scope: 'district', minutes: 60 });
    const rateAware = episodes({
      kind: 'no_data',
      scope: 'district',
      minutes: 60,
      improbability: SILENCE_IMPROBABILITY,
    });
    const busiest = [...rateAware.perDistrict].sort((a, b) => b[1] - a[1]).slice(0, 3);
    console.info(
      `no-data alerts in ${DAYS} days, ${Object.keys(table.yearly).length} districts: ` +
        `60 min alone ${minutesOnly.total}, with P <= ${SILENCE_IMPROBABILITY} ${rateAware.total} (most: ${JSON.stringify(busiest)})`,
    );
    expect(minutesOnly.total).toBeGreaterThan(3_000);
    expect(rateAware.total).toBeLessThan(40);
  });

  it('a busy district that stops sending is still found within hours', () => {
    const stop = { district: 'TN-CHN', at: START + 20 * 86_400_000 + 10 * 60 * MIN };
    const { stopDetectedAfterMs } = episodes(
      { kind: 'no_data', scope: 'district', minutes: 60, improbability: SILENCE_IMPROBABILITY },
      stop,
    );
    const minutesOnly = episodes({ kind: 'no_data', scope: 'district', minutes: 60 }, stop);
    const hours = (ms: number | undefined) => ((ms ?? NaN) / 3_600_000).toFixed(2);
    console.info(
      `Chennai's stop at 10:00 found after ${hours(stopDetectedAfterMs)} h (60 min alone: ${hours(minutesOnly.stopDetectedAfterMs)} h)`,
    );
    expect(stopDetectedAfterMs).toBeDefined();
    expect(stopDetectedAfterMs).toBeLessThan(6 * 3_600_000);
  });
});

describe('observe: spike', () => {
  it("is the spike detector's verdict, asked with the rule, district and time", () => {
    const spikeRule = rule({
      kind: 'spike',
      stepMinutes: 60,
      historySteps: 336,
      coverage: 0.999,
      clearCoverage: 0.9,
      minCount: 5,
    });
    const answer: Observation = { active: true, cleared: false, value: 17, summary: '17 above 12' };
    const calls: [string, string, number][] = [];
    const s = sources({
      spike: (r, d, now) => {
        calls.push([r.id, d, now]);
        return answer;
      },
    });
    expect(observe(spikeRule, DISTRICT, s, NOW)).toBe(answer);
    expect(calls).toEqual([['spike-rule', DISTRICT, NOW]]);
    expect(observe(spikeRule, DISTRICT, sources(), NOW)).toBeNull();
  });
});
