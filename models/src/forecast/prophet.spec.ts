import { beforeAll, describe, expect, it } from 'vitest';
// models/ does no I/O: the Node runtime that reads augurs' wasm lives in data/, and the specs borrow it.
import { initAugurs } from '@district-monitor/data/runtime';
import { ModelInputError } from '../errors.js';
import { TAMIL_NADU_HOLIDAYS } from './holidays.js';
import { ProphetForecaster } from './prophet.js';
import { Random } from './random.js';
import type { AugursRuntime } from './runtime.js';
import { DAY_MS, HOUR_MS, type RegularSeries } from './series.js';

let runtime: AugursRuntime;
beforeAll(async () => {
  runtime = await initAugurs();
});

/** Midnight IST, 1 January 2023. */
const START = Date.UTC(2022, 11, 31, 18, 30);
const WEEKLY = [3, -1, -1, 0, 0, -2, 1];

function series(n: number, value: (i: number) => number, stepMs = DAY_MS, start = START): RegularSeries {
  return {
    timestamps: Array.from({ length: n }, (_, i) => start + i * stepMs),
    values: Array.from({ length: n }, (_, i) => value(i)),
  };
}

describe('ProphetForecaster', () => {
  it('forecasts a linear trend with a weekly pattern within tolerance', () => {
    const random = new Random(5);
    const truth = (i: number) => 20 + 0.1 * i + (WEEKLY[i % 7] as number);
    const history = series(140, (i) => truth(i) + (random.next() - 0.5) * 0.6);
    const forecast = new ProphetForecaster(runtime, { transform: 'none' }).forecast(history, 'trend');
    expect(forecast.horizonSteps).toBe(28);
    expect(forecast.forecastStartMs).toBe(START + 140 * DAY_MS);
    let worst = 0;
    for (let h = 0; h < 28; h++) {
      const step = forecast.at(START + (140 + h) * DAY_MS);
      worst = Math.max(worst, Math.abs((step?.point ?? Number.NaN) - truth(140 + h)));
      expect(step !== undefined && step.lower <= step.point && step.point <= step.upper).toBe(true);
    }
    // Noise is +-0.3: the trend (slope 0.1 a day) and the weekly swing (5) are recovered to well under 1.
    expect(worst).toBeLessThan(0.8);
    expect(forecast.components).toEqual(['weekly']);
  });

  it('covers about 80% of future Poisson counts with its 80% intervals', () => {
    const random = new Random(11);
    const poisson = (mean: number) => random.poisson(mean);
    const forecaster = new ProphetForecaster(runtime);
    let inside = 0;
    let total = 0;
    for (let s = 0; s < 25; s++) {
      const rate = (i: number) => (4 + s / 5) * (1 + 0.25 * Math.sin((2 * Math.PI * i) / 7));
      const all = series(300 + 28, (i) => poisson(rate(i)));
      const history = { timestamps: all.timestamps.slice(0, 300), values: all.values.slice(0, 300) };
      const forecast = forecaster.forecast(history, `poisson-${s}`);
      for (let h = 0; h < 28; h++) {
        const step = forecast.at(all.timestamps[300 + h] as number);
        const y = all.values[300 + h] as number;
        if (step !== undefined && y >= step.lower && y <= step.upper) inside++;
        total++;
      }
    }
    const coverage = inside / total;
    expect(coverage).toBeGreaterThan(0.72);
    expect(coverage).toBeLessThan(0.9);
  });

  it('is deterministic for a seed, and the seed moves only the intervals', () => {
    const random = new Random(2);
    const history = series(120, () => random.poisson(6));
    const a = new ProphetForecaster(runtime).forecast(history, 'x').toJSON();
    const b = new ProphetForecaster(runtime).forecast(history, 'x').toJSON();
    const c = new ProphetForecaster(runtime, { seed: 43 }).forecast(history, 'x').toJSON();
    expect({ ...a, fitMs: 0 }).toEqual({ ...b, fitMs: 0 });
    expect(c.point).toEqual(a.point);
    expect(c.upper.slice(c.fittedSteps)).not.toEqual(a.upper.slice(a.fittedSteps));
  });

  it('learns holiday effects from a local holiday table', () => {
    const holidays = new Set(TAMIL_NADU_HOLIDAYS.flatMap((h) => h.dates));
    const dateOf = (i: number) => new Date(START + i * DAY_MS + 5.5 * HOUR_MS).toISOString().slice(0, 10);
    // 1 Jan 2023 .. 20 Jan 2024, then forecast over Republic Day (26 January 2024).
    const history = series(385, (i) => (holidays.has(dateOf(i)) ? 30 : 6));
    const forecast = new ProphetForecaster(runtime, {
      holidays: TAMIL_NADU_HOLIDAYS,
      timeZone: 'Asia/Kolkata',
      transform: 'none',
      yearly: false,
    }).forecast(history, 'holidays');
    const at = (date: string) => forecast.at(Date.parse(`${date}T00:00:00+05:30`))?.point ?? Number.NaN;
    expect(at('2024-01-26')).toBeGreaterThan(20);
    expect(at('2024-01-25')).toBeLessThan(10);
    expect(at('2024-01-27')).toBeLessThan(10);
    expect(forecast.components.some((c) => c.startsWith('holidays:') && c.includes('republic_day'))).toBe(
      true,
    );
  });

  it('fits yearly seasonality only from a year of history, and daily seasonality for sub-daily steps', () => {
    const random = new Random(4);
    const forecaster = new ProphetForecaster(runtime);
    const short = forecaster.forecast(
      series(364, () => random.poisson(5)),
      'short',
    );
    const long = forecaster.forecast(
      series(365, () => random.poisson(5)),
      'long',
    );
    expect(short.components).toEqual(['weekly']);
    expect(short.yearly).toBeNull();
    expect(long.components).toEqual(['weekly', 'yearly']);
    expect(long.yearly).not.toBeNull();
    const hourly = forecaster.forecast(
      series(21 * 24, (i) => random.poisson(1 + Math.sin((2 * Math.PI * i) / 24)), HOUR_MS),
      'hourly',
    );
    expect(hourly.components).toEqual(['daily', 'weekly']);
    expect(hourly.horizonSteps).toBe(28 * 24);
  });

  it('gives a constant history a flat forecast', () => {
    const forecast = new ProphetForecaster(runtime).forecast(
      series(30, () => 0),
      'empty',
    );
    expect(new Set(forecast.point)).toEqual(new Set([0]));
    expect(new Set(forecast.upper)).toEqual(new Set([0]));
    expect(forecast.note).toMatch(/constant/);
  });

  it('agrees with Stan: the exact MAP solver and wasmstan give the same forecast', () => {
    const random = new Random(9);
    const history = series(200, (i) => random.poisson(8 + 0.02 * i + 2 * Math.sin((2 * Math.PI * i) / 7)));
    const map = new ProphetForecaster(runtime, { optimizer: 'map' }).forecast(history, 'x');
    const stan = new ProphetForecaster(runtime, { optimizer: 'stan' }).forecast(history, 'x');
    for (let i = 0; i < map.point.length; i++) {
      expect(Math.abs((map.point[i] as number) - (stan.point[i] as number))).toBeLessThan(
        0.03 * (stan.point[i] as number) + 0.05,
      );
    }
  });

  it('throws ModelInputError on bad input before fitting', () => {
    const forecaster = new ProphetForecaster(runtime);
    const good = series(30, (i) => i % 4);
    expect(() =>
      forecaster.forecast({ ...good, values: good.values.map((v, i) => (i === 2 ? Number.NaN : v)) }),
    ).toThrow(ModelInputError);
    expect(() => forecaster.forecast(series(10, () => 1))).toThrow(/too short/);
    expect(() => forecaster.forecast({ ...good, timestamps: [...good.timestamps].reverse() })).toThrow(
      /must increase/,
    );
    expect(() => new ProphetForecaster(runtime, { intervalWidth: 1.5 })).toThrow(ModelInputError);
    expect(
      () => new ProphetForecaster(runtime, { holidays: [{ name: 'x', dates: ['2024-13-01'] }] }),
    ).toThrow(ModelInputError);
    expect(() => forecaster.forecast(series(30, () => 1, DAY_MS, START + 1))).toThrow(/whole seconds/);
  });
});
