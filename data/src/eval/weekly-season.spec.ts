import { describe, expect, it } from 'vitest';
import { HourClock, HourlyCube } from '@district-monitor/models';
import type { TierSample } from '../tier/tier-eval.js';
import { districtInputs } from '../tier/tier-stack.js';
import type { TierTask } from '../tier/tier-task.js';
import { cityMomentum, cityMomentumWeights } from './weekly-city.js';
import { recentMean } from './weekly-eval.js';
import { holidayWeek, lastYearLogRatio, seasonalFactor, usFederalHolidays } from './weekly-season.js';
import type { WeeklySeries, WeeklyTask } from './weekly-task.js';

const WEEK = 7 * 86_400_000;
const WEEKS = 104;

/** A task of two districts over 104 weeks from Monday 2016-01-04 (Chicago), with the given weekly counts. */
function task(counts: readonly (readonly number[])[]): WeeklyTask {
  const first = Date.UTC(2016, 0, 4, 6);
  const weekStarts = Array.from({ length: WEEKS + 1 }, (_, i) => first + i * WEEK);
  const series: WeeklySeries[] = counts.map((weekly, i) => ({
    unit: { code: `XX-${i}`, name: `District ${i}`, kind: 'district', lat: 41, lon: -87 },
    weekly,
    daily: [],
    terciles: { t1: 0, t2: 0 },
    scale: 1,
    cube: new HourlyCube({ endHour: 1, capacityHours: 1 }),
  }));
  return {
    clock: new HourClock('America/Chicago'),
    weekStarts,
    dayStarts: [],
    testStart: WEEKS - 13,
    series,
    excluded: [],
  };
}

const flat = (level: number) => Array.from({ length: WEEKS }, () => level);

describe('seasonality from the previous year (T2)', () => {
  it('finds the US federal holidays, and the weeks holding them', () => {
    const holidays = usFederalHolidays(2017).map(([m, d, kind]) => `${m}-${d} ${kind}`);
    // Thanksgiving: the fourth Thursday of November; Memorial Day: the last Monday of May; Labor Day.
    expect(holidays).toContain('11-23 winter');
    expect(holidays).toContain('5-29 other');
    expect(holidays).toContain('9-4 other');
    const t = task([flat(10)]);
    // Week 103 starts on Monday 2017-12-25; week 78 on 2017-07-03 (4 July); week 62 on 2017-03-13.
    expect(holidayWeek(t, 103)).toEqual({ winter: true, other: false });
    expect(holidayWeek(t, 78)).toEqual({ winter: false, other: true });
    expect(holidayWeek(t, 62)).toEqual({ winter: false, other: false });
    expect(() => holidayWeek(t, 200)).toThrow(RangeError);
  });

  it('compares last year around the target week with last year over the origin window, reading only the past', () => {
    const a = flat(10);
    a[90 - 52] = 30; // last year's target week of week 90
    const b = flat(20);
    const t = task([a, b]);
    expect(lastYearLogRatio(t, 0, 59, 0)).toBeNull(); // no 8-week window a year before
    expect(lastYearLogRatio(t, 0, 90, 0)).toBeCloseTo(Math.log(30.5 / 10.5), 10);
    expect(lastYearLogRatio(t, 1, 90, 0)).toBeCloseTo(0, 10);
    expect(lastYearLogRatio(t, 'city', 90, 0)).toBeCloseTo(Math.log(50.5 / 30.5), 10);
    expect(lastYearLogRatio(t, 'city', 90, 2)).toBeCloseTo(Math.log((14 + 20 + 0.5) / 30.5), 10);
    expect(seasonalFactor(t, 90)).toBeCloseTo(Math.exp(0.5 * Math.log(34.5 / 30.5)), 10);
    expect(seasonalFactor(t, 40)).toBe(1);
    // Changing the weeks from 44 weeks before the target on changes nothing.
    const later = task([a.map((v, w) => (w >= 90 - 44 ? v * 3 : v)), b]);
    expect(lastYearLogRatio(later, 'city', 90, 2)).toBe(lastYearLogRatio(t, 'city', 90, 2));
  });
});

describe('district-level inputs (T1)', () => {
  it('gives the trend per year, the volatility and the margins to the bounds in its units', () => {
    const rates = Array.from({ length: 8 }, (_, y) => 100 * 1.1 ** y);
    const tier: TierTask = {
      units: [],
      years: rates.map((_, y) => 2001 + y),
      rates: [rates],
      tiers: [rates.map(() => 1)],
      boundaries: rates.map((r) => [r / 1.2, r * 1.1] as const),
    };
    const sample: TierSample = { unit: 0, target: 7, last: 6, truth: 1 };
    const [trend3, trend5, vol, toLow, toHigh, nearer] = districtInputs(tier, sample);
    expect(trend3).toBeCloseTo(Math.log(1.1), 10);
    expect(trend5).toBeCloseTo(Math.log(1.1), 10);
    expect(vol).toBe(0.02); // steady growth: the floor
    expect(toLow).toBeCloseTo(Math.log(1.2) / 0.02, 8);
    expect(toHigh).toBeCloseTo(-Math.log(1.1) / 0.02, 8);
    expect(nearer).toBeCloseTo(Math.log(1.1) / 0.02, 8);
    // The target year's rate is never read.
    const changed: TierTask = { ...tier, rates: [rates.map((r, y) => (y === 7 ? r * 5 : r))] };
    expect(districtInputs(changed, sample)).toEqual(districtInputs(tier, sample));
  });
});

/**
 * Two districts (levels 100 and 300) whose city-wide error against the seasonal baseline is the given AR
 * series: each week's counts are set from the baseline, which reads only earlier weeks, so e_v is exact.
 */
function withCityErrors(errors: (v: number) => number): WeeklyTask {
  const counts = [flat(100), flat(300)];
  const t = task(counts);
  for (let v = 8; v < WEEKS; v++) {
    const factor = seasonalFactor(t, v);
    const sample = { week: v, asOf: 0, truth: 0, tercile: 0 };
    const b = counts.map((_, d) => recentMean(t, { ...sample, series: d }, 8) * factor);
    const total = b.reduce((x, y) => x + y, 0);
    // Σ y = (Σ b + 0.5) e^e - 0.5, shared in proportion to the baselines.
    const outcome = (total + 0.5) * Math.exp(errors(v)) - 0.5;
    counts.forEach((series, d) => (series[v] = (outcome * (b[d] ?? NaN)) / total));
  }
  return t;
}

/** A seeded standard normal (mulberry32 + Box-Muller). */
function normal(seed: number): () => number {
  let a = seed;
  const uniform = () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

describe('city momentum (T2)', () => {
  it('learns how much of the city-wide error persists, from the weeks before only', () => {
    const noise = normal(7);
    const e: number[] = [];
    const t = withCityErrors((v) => (e[v] = 0.6 * (e[v - 1] ?? 0) + 0.05 * noise()));
    const [phi] = cityMomentumWeights(t, WEEKS - 1, 1);
    expect(phi).toBeGreaterThan(0.45);
    expect(phi).toBeLessThan(0.75);
    // The factor of week w is exp(φ e_{w-1}), with φ from the weeks before w.
    const w = 80;
    const [phiW = NaN] = cityMomentumWeights(t, w, 1);
    expect(Math.log(cityMomentum(t, w, 1))).toBeCloseTo(phiW * (e[w - 1] ?? NaN), 9);
    // Two lags: the second adds little to an AR(1).
    const [first = NaN, second = NaN] = cityMomentumWeights(t, WEEKS - 1, 2);
    expect(first).toBeGreaterThan(0.4);
    expect(second).toBeLessThan(0.25);
    // Changing every count from week w on changes nothing of week w's factor.
    const later = task(t.series.map((s) => s.weekly.map((y, v) => (v >= w ? y * 2 + 7 : y))));
    expect(cityMomentum(later, w, 1)).toBe(cityMomentum(t, w, 1));
    expect(cityMomentum(later, w, 2)).toBe(cityMomentum(t, w, 2));
  });

  it('corrects nothing without enough weeks, or when the errors reverse', () => {
    const noise = normal(3);
    const e: number[] = [];
    const reversing = withCityErrors((v) => (e[v] = -0.6 * (e[v - 1] ?? 0) + 0.05 * noise()));
    expect(cityMomentumWeights(reversing, WEEKS - 1, 1)).toEqual([0]);
    expect(cityMomentum(reversing, WEEKS - 1, 1)).toBe(1);
    const steady = withCityErrors(() => 0.1);
    // Week 8 is the first with a baseline: pairs start at week 9, and 8 of them are needed.
    expect(cityMomentum(steady, 16, 1)).toBe(1);
    expect(cityMomentum(steady, 17, 1)).toBeGreaterThan(1);
    expect(() => cityMomentum(steady, 40, 0)).toThrow(/lags must be 1 to 4, not 0/);
    expect(() => cityMomentumWeights(steady, 40, 5)).toThrow(RangeError);
  });
});
