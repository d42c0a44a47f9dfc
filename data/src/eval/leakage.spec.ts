import { describe, expect, it } from 'vitest';
import { INCIDENT_CATEGORIES, type Region } from '@district-monitor/streams';
import { mulberry32 } from '@district-monitor/streams/simulator';
import type { IncidentRow } from '../incidents.js';
import { createRegistry } from '../registry.js';
import { initAugurs } from '../runtime/augurs.js';
import { tierCrimeVector } from '../tier/tier-features.js';
import { TierForecastCache } from '../tier/tier-models.js';
import type { TierTask } from '../tier/tier-task.js';
import { tierTrendVectors } from '../tier/tier-trend.js';
import { WARM_UP_WEEKS, weeklySamples } from './weekly-eval.js';
import { WeeklyFeatureCache } from './weekly-models.js';
import { WeeklyForecastCache, weeklyStackedFusion, weeklyStackedFusionVariants } from './weekly-stack.js';
import { initTensorflow } from '../runtime/tf.js';
import { buildWeeklyTask } from './weekly-task.js';

const REGION: Region = {
  code: 'XX',
  name: 'Test region',
  timeZone: 'America/Chicago',
  units: ['XX-A', 'XX-B', 'XX-C'].map((code, i) => ({
    code,
    name: `District ${i}`,
    kind: 'district' as const,
    lat: 41 + i / 10,
    lon: -87,
  })),
};

/** Random incidents from `from` to `to` (ms), about `perDay` a day per district. */
function incidents(seed: number, from: number, to: number, perDay: number, prefix: string): IncidentRow[] {
  const random = mulberry32(seed);
  const rows: IncidentRow[] = [];
  const count = Math.round(((to - from) / 86_400_000) * perDay * REGION.units.length);
  for (let i = 0; i < count; i++) {
    const unit = REGION.units[Math.floor(random() * REGION.units.length)];
    const category = INCIDENT_CATEGORIES[Math.floor(random() * INCIDENT_CATEGORIES.length)] ?? 'crime_body';
    rows.push({
      id: `${prefix}${i}`,
      timestamp: new Date(from + random() * (to - from)).toISOString(),
      district: unit?.code ?? 'XX-A',
      category,
      primaryType: 'TEST',
    });
  }
  return rows;
}

describe('no leakage: a prediction reads only data from before the period it predicts', () => {
  it('T2 and the live pipeline: changing every event from the origin on changes none of the 224 inputs', async () => {
    const registry = createRegistry(REGION);
    const start = Date.parse('2016-01-01T06:00:00Z');
    const end = Date.parse('2016-12-31T06:00:00Z');
    const past = incidents(1, start, end, 6, 'p');
    const task = buildWeeklyTask(past, registry, { testWeeks: 13 });
    const origin = task.weekStarts[task.testStart] ?? NaN;
    // The same past, and a different future: a surge of new events from the origin on, none of the old.
    const altered = buildWeeklyTask(
      [...past.filter((r) => Date.parse(r.timestamp) < origin), ...incidents(2, origin, end, 30, 'f')],
      registry,
      { testWeeks: 13 },
    );
    expect(altered.weekStarts).toEqual(task.weekStarts);
    expect(altered.series.map((s) => s.weekly[task.testStart])).not.toEqual(
      task.series.map((s) => s.weekly[task.testStart]),
    );

    const augurs = await initAugurs();
    const vectors = (t: typeof task) => {
      const cache = new WeeklyFeatureCache(t, augurs, 1);
      cache.build(WARM_UP_WEEKS, t.testStart + 1, () => undefined);
      return weeklySamples(t, t.testStart, t.testStart + 1).map((s) => cache.of(s));
    };
    const original = vectors(task);
    const changed = vectors(altered);
    expect(original).toHaveLength(3);
    for (const [i, v] of original.entries()) {
      expect(changed[i]?.crime).toEqual(v.crime);
      expect(changed[i]?.trend).toEqual(v.trend);
      expect(changed[i]?.profile).toEqual(v.profile);
      expect(changed[i]?.baseline).toEqual(v.baseline);
    }
  }, 120_000);

  it('T2 fusion, rolling, common-factor and conformalised (and adaptive) quantile-head intervals: the interval of week w reads the outcomes of weeks before w, never of w or later', async () => {
    const registry = createRegistry(REGION);
    const start = Date.parse('2016-01-01T06:00:00Z');
    const end = Date.parse('2016-12-31T06:00:00Z');
    const past = incidents(5, start, end, 6, 'p');
    const task = buildWeeklyTask(past, registry, { testWeeks: 6 });
    // From the third test week on, every event is replaced by a surge (five times as many).
    const cut = task.weekStarts[task.testStart + 2] ?? NaN;
    const altered = buildWeeklyTask(
      [...past.filter((r) => Date.parse(r.timestamp) < cut), ...incidents(6, cut, end, 30, 'f')],
      registry,
      { testWeeks: 6 },
    );
    await initTensorflow({ prefer: 'cpu' });
    const augurs = await initAugurs();
    // The rules score the same fit: the rolling size, the common factor with the holiday excess, and the
    // quantile heads conformalised over the 2 weeks (or every out-of-sample week) before w, and with the
    // level adapted to the band's misses of the weeks before w (over every week: with 2 weeks of 3
    // districts, the 80% rank is already the largest score, so a lower miss rate could not show).
    const variants = [
      { name: 'rolling', interval: { window: 2, rule: 'likelihood' }, terciles: 'fit' },
      {
        name: 'common factor',
        interval: {
          window: 2,
          rule: 'likelihood',
          common: { scaleWindow: null, holidays: true, center: false },
        },
        terciles: 'fit',
      },
      { name: 'quantile heads + CQR', interval: { quantile: { conformal: 2 } }, terciles: 'fit' },
      {
        name: 'quantile heads + CQR, all weeks',
        interval: { quantile: { conformal: 'all' } },
        terciles: 'fit',
      },
      {
        name: 'quantile heads + adaptive CQR',
        interval: { quantile: { conformal: 'all', adapt: 0.5 } },
        terciles: 'fit',
      },
    ] as const;
    const intervals = async (t: typeof task) => {
      const features = new WeeklyFeatureCache(t, augurs, 1);
      features.build(WARM_UP_WEEKS, t.weekStarts.length - 1, () => undefined);
      const forecasts = new WeeklyForecastCache(t, augurs, 1);
      const small = { members: 1, stacked: false, seasonal: 'none', hiddenUnits: [4] } as const;
      const models = [
        ...weeklyStackedFusionVariants(
          features,
          forecasts,
          { ...small, countHead: 'network', skip: 0.5 },
          variants,
        ),
        // The design: boosted trees for the count, the adaptive CQR interval.
        weeklyStackedFusion(features, forecasts, small),
      ];
      const test = weeklySamples(t, t.testStart, t.testStart + 6);
      const out = [];
      for (const fusion of models) {
        await fusion.fit(t, weeklySamples(t, WARM_UP_WEEKS, t.testStart));
        const forecasts = await fusion.predict(t, test);
        out.push(test.map((s, i) => ({ week: s.week, forecast: forecasts[i] })));
      }
      return out;
    };
    const original = await intervals(task);
    const changed = await intervals(altered);
    expect(original).toHaveLength(variants.length + 1);
    // The adaptive rule is wired through: its intervals differ from the same CQR's at the fixed level.
    expect(original[4]?.map((r) => r.forecast?.interval)).not.toEqual(
      original[3]?.map((r) => r.forecast?.interval),
    );
    original.forEach((rowsOriginal, v) => {
      const rowsChanged = changed[v] ?? [];
      const week = (rows: typeof rowsOriginal, w: number) =>
        rows.filter((r) => r.week === w).map((r) => r.forecast);
      // Weeks before the change and the first changed week: the same counts and the same intervals.
      for (const w of [task.testStart, task.testStart + 1, task.testStart + 2])
        expect(week(rowsChanged, w)).toEqual(week(rowsOriginal, w));
      // The week after the first changed one calibrates on it: its intervals move.
      const widths = (rows: typeof rowsOriginal, w: number) =>
        week(rows, w).map((f) => (f?.interval?.[1] ?? 0) - (f?.interval?.[0] ?? 0));
      expect(widths(rowsChanged, task.testStart + 3)).not.toEqual(widths(rowsOriginal, task.testStart + 3));
    });
  }, 240_000);

  it('T1: changing every year after the last known one changes none of the yearly inputs', async () => {
    const years = [2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008, 2009, 2010];
    const last = 7;
    const random = mulberry32(3);
    const base = [0, 1, 2, 3].map(() => years.map(() => 100 + 200 * random()));
    // The same years up to `last`; every later year five times higher and in reverse order of units.
    const make = (future: number): TierTask => {
      const rates = base.map((r, u) => r.map((x, y) => (y > last ? future * (400 - 100 * u) : x)));
      return {
        units: rates.map((r, u) => ({
          code: `XX-${u}`,
          name: `Unit ${u}`,
          members: [`XX-${u}`],
          population: 1_000_000,
          literacyRate: 0.7,
          sexRatio: 990,
          urbanShare: 0.3,
          densityPerKm2: 500,
          cases: new Map(years.map((year, y) => [year, { crime_body: (r[y] ?? 0) * 10 }])),
        })),
        years,
        rates,
        tiers: rates.map((r) => r.map((x) => (x > 200 ? 2 : x > 150 ? 1 : 0))),
        boundaries: years.map(() => [150, 200] as [number, number]),
      };
    };
    const a = make(1);
    const b = make(5);
    expect(b.rates.map((r) => r[last + 1])).not.toEqual(a.rates.map((r) => r[last + 1]));
    for (let u = 0; u < 4; u++) expect(tierCrimeVector(b, u, last)).toEqual(tierCrimeVector(a, u, last));
    const augurs = await initAugurs();
    const trendA = tierTrendVectors(a, last, new TierForecastCache(a, augurs, 1).at(last));
    const trendB = tierTrendVectors(b, last, new TierForecastCache(b, augurs, 1).at(last));
    expect(trendB).toEqual(trendA);
  }, 60_000);
});
