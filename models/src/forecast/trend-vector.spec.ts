import { describe, expect, it } from 'vitest';
import { ModelInputError } from '../errors.js';
import { HourClock } from '../features/hour-clock.js';
import { HourlyCube } from '../features/counts.js';
import { SeriesForecast } from './forecast.js';
import { DAY_MS, HOUR_MS } from './series.js';
import {
  groupSeries,
  observationsFromHourlyCounts,
  observationsFromSeries,
  STALE_DAYS_CAP,
  TREND_FEATURE_NAMES,
  TREND_FEATURES,
  TREND_GROUPS,
  trendVector,
  type TrendGroup,
} from './trend-vector.js';

const T0 = Date.UTC(2024, 0, 29);

/** 28 fitted days (point 2, bounds [1, 3]) then 28 forecast days: 4, +2 every 7th day from day 0, +1 from day 21. */
function dailyForecast(
  overrides: Partial<ConstructorParameters<typeof SeriesForecast>[0]> = {},
): SeriesForecast {
  const point: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  for (let i = 0; i < 28; i++) {
    point.push(2);
    lower.push(1);
    upper.push(3);
  }
  for (let k = 0; k < 28; k++) {
    const p = 4 + (k % 7 === 0 ? 2 : 0) + (k >= 21 ? 1 : 0);
    point.push(p);
    lower.push(p - 1);
    upper.push(p + 2);
  }
  return new SeriesForecast({
    model: 'prophet',
    key: 'TN-MDU/violent',
    stepMs: DAY_MS,
    training: { fromMs: T0 - 300 * DAY_MS, toMs: T0, steps: 300, total: 600 },
    options: {},
    transform: 'sqrt',
    level: 0.8,
    pathStartMs: T0 - 28 * DAY_MS,
    fittedSteps: 28,
    point,
    lower,
    upper,
    residualSd: 0.3,
    residualSdDay: 2,
    yearly: null,
    components: ['weekly'],
    fitMs: 1,
    note: '',
    ...overrides,
  });
}

/** Observed daily counts before T0: 2 a day, then the last week 5, 0, 2, 2, 2, 2, 6 (19; 61 over 28 days). */
function observed(): { timestamps: number[]; values: number[] } {
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let d = -60; d < 0; d++) {
    timestamps.push(T0 + d * DAY_MS);
    values.push(d >= -7 ? ([5, 0, 2, 2, 2, 2, 6][d + 7] as number) : 2);
  }
  // Observations after asOf must not count: a huge day at T0 would change every backward feature.
  timestamps.push(T0);
  values.push(1000);
  return { timestamps, values };
}

function block(values: Float64Array, group: TrendGroup): Record<string, number> {
  const g = TREND_GROUPS.indexOf(group);
  const out: Record<string, number> = {};
  for (let i = 0; i < 16; i++)
    out[(TREND_FEATURE_NAMES[g * 16 + i] as string).split('.')[2] as string] = values[g * 16 + i] as number;
  return out;
}

describe('TREND_FEATURES', () => {
  it('pins 64 features, 16 per group, in group order', () => {
    expect(TREND_FEATURES).toHaveLength(64);
    expect(new Set(TREND_FEATURE_NAMES).size).toBe(64);
    expect(TREND_FEATURE_NAMES[0]).toBe('trend.incidents.fc_24h');
    expect(TREND_FEATURE_NAMES[16]).toBe('trend.violent.fc_24h');
    expect(TREND_FEATURE_NAMES[47]).toBe('trend.property.stale_days');
    expect(TREND_FEATURE_NAMES[63]).toBe('trend.road.stale_days');
    expect(TREND_FEATURE_NAMES.slice(16, 32).map((n) => n.split('.')[2])).toEqual([
      'fc_24h',
      'fc_7d',
      'fc_28d',
      'fc_24h_vs_obs_7d',
      'fc_7d_vs_obs_7d',
      'fc_28d_vs_obs_28d',
      'interval_rel_7d',
      'slope_rel_week',
      'weekly_amplitude',
      'daily_amplitude',
      'yearly_amplitude',
      'residual_z_1d',
      'above_upper_share_7d',
      'below_lower_share_7d',
      'obs_vs_pred_7d',
      'stale_days',
    ]);
    for (const f of TREND_FEATURES) expect(f.meaning.length).toBeGreaterThan(20);
  });
});

describe('trendVector', () => {
  it('computes every feature of a group as documented (numbers worked by hand)', () => {
    const vector = trendVector({
      asOfMs: T0 + 12 * HOUR_MS,
      forecasts: { violent: dailyForecast() },
      observations: observationsFromSeries({ violent: observed() }),
    });
    const v = block(vector.values, 'violent');
    expect(v.fc_24h).toBe(6);
    expect(v.fc_7d).toBe(30);
    expect(v.fc_28d).toBe(127);
    expect(v.fc_24h_vs_obs_7d).toBeCloseTo(Math.log(7 / (19 / 7 + 1)), 12);
    expect(v.fc_7d_vs_obs_7d).toBeCloseTo(Math.log(31 / 20), 12);
    expect(v.fc_28d_vs_obs_28d).toBeCloseTo(Math.log(128 / 62), 12);
    expect(v.interval_rel_7d).toBeCloseTo(21 / 31, 12);
    // Last forecast week 7 + 6 * 5 = 37 against 30: (37 - 30) / (21 * (30/7 + 1)) = 7 / 111.
    expect(v.slope_rel_week).toBeCloseTo(7 / 111, 12);
    expect(v.weekly_amplitude).toBeCloseTo(2 / (30 / 7 + 1), 12);
    expect(v.daily_amplitude).toBe(0);
    expect(v.yearly_amplitude).toBe(0);
    // Last day observed 6 against the fitted 2, daily residual sd 2.
    expect(v.residual_z_1d).toBe(2);
    expect(v.above_upper_share_7d).toBeCloseTo(2 / 7, 12);
    expect(v.below_lower_share_7d).toBeCloseTo(1 / 7, 12);
    expect(v.obs_vs_pred_7d).toBeCloseTo(Math.log(20 / 15), 12);
    expect(v.stale_days).toBe(0);
  });

  it('gives a group without a forecast zeros and the stale cap', () => {
    const vector = trendVector({
      asOfMs: T0,
      forecasts: { violent: dailyForecast() },
      observations: observationsFromSeries({}),
    });
    const road = block(vector.values, 'road');
    expect(
      Object.values(road)
        .slice(0, 15)
        .every((x) => x === 0),
    ).toBe(true);
    expect(road.stale_days).toBe(STALE_DAYS_CAP);
    expect(vector.values.every((x) => Number.isFinite(x))).toBe(true);
  });

  it('repeats the last stored week past the end of the forecast and reports its age', () => {
    const vector = trendVector({
      asOfMs: T0 + 40 * DAY_MS + 5 * HOUR_MS,
      forecasts: { violent: dailyForecast() },
      observations: observationsFromSeries({ violent: observed() }),
    });
    const v = block(vector.values, 'violent');
    // Day 40 after training is day 12 past the 28-day path: 12 mod 7 = 5, the 6th day of the last week (5).
    expect(v.fc_24h).toBe(5);
    // A full repeated week: 7 + 6 * 5.
    expect(v.fc_7d).toBe(37);
    expect(v.stale_days).toBe(40);
  });

  it('converts the yearly component through the inverse transform', () => {
    const vector = trendVector({
      asOfMs: T0,
      forecasts: { violent: dailyForecast({ yearly: { trendEnd: 2, min: -0.5, max: 0.5 } }) },
      observations: observationsFromSeries({ violent: observed() }),
    });
    // sqrt scale: (2.5^2 - 1.5^2) = 4 counts a day, over (30/7 + 1).
    expect(block(vector.values, 'violent').yearly_amplitude).toBeCloseTo(4 / (30 / 7 + 1), 12);
  });

  it('measures the daily swing of an hourly forecast', () => {
    const start = T0;
    const point: number[] = [];
    for (let i = 0; i < 7 * 24 + 7 * 24; i++) point.push(i % 24 === 20 ? 3 : 1);
    const hourly = new SeriesForecast({
      ...dailyForecast().toJSON(),
      stepMs: HOUR_MS,
      pathStartMs: start - 7 * DAY_MS,
      fittedSteps: 7 * 24,
      point,
      lower: point.map((p) => p - 1),
      upper: point.map((p) => p + 1),
    });
    const v = block(
      trendVector({ asOfMs: start, forecasts: { road: hourly }, observations: observationsFromSeries({}) })
        .values,
      'road',
    );
    // 26 a day: (3 - 1) * 24 / (26 + 1).
    expect(v.fc_24h).toBe(26);
    expect(v.daily_amplitude).toBeCloseTo((2 * 24) / 27, 12);
    expect(v.weekly_amplitude).toBe(0);
  });

  it('refuses a forecast trained on data at or after asOf (leakage)', () => {
    expect(() =>
      trendVector({
        asOfMs: T0 - 1,
        forecasts: { violent: dailyForecast() },
        observations: observationsFromSeries({}),
      }),
    ).toThrow(ModelInputError);
  });

  it('reads observations from the hourly counts of a district', () => {
    const clock = new HourClock('Asia/Kolkata');
    const hour = clock.hourOf(T0);
    const cube = new HourlyCube({ endHour: hour + 24, capacityHours: 24 * 60 });
    cube.add('crime_body', hour - 1, 2, 0, 0);
    cube.add('crime_women', hour - 30, 1, 0, 0);
    cube.add('crime_property', hour - 2, 5, 0, 0);
    cube.add('crime_body', hour + 1, 9, 0, 0);
    const observations = observationsFromHourlyCounts(cube, clock);
    const before = clock.startOf(hour);
    expect(observations.count('violent', before - 2 * DAY_MS, before)).toBe(3);
    expect(observations.count('incidents', before - 2 * DAY_MS, before)).toBe(8);
    expect(observations.count('property', before - DAY_MS, before)).toBe(5);
    expect(observations.count('road', before - DAY_MS, before)).toBe(0);
    const series = groupSeries(observations, 'violent', before - 2 * DAY_MS, before + DAY_MS, DAY_MS);
    expect(series.values).toEqual([1, 2, 9]);
  });
});
