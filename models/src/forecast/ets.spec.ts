import { beforeAll, describe, expect, it } from 'vitest';
// models/ does no I/O: the Node runtime that reads augurs' wasm lives in data/, and the specs borrow it.
import { initAugurs } from '@district-monitor/data/runtime';
import { ModelInputError } from '../errors.js';
import { EtsForecaster } from './ets.js';
import { Random } from './random.js';
import type { AugursRuntime } from './runtime.js';
import { DAY_MS, HOUR_MS, type RegularSeries } from './series.js';

let runtime: AugursRuntime;
beforeAll(async () => {
  runtime = await initAugurs();
});

const START = Date.UTC(2024, 0, 1);
const WEEKLY = [3, -1, -1, 0, 0, -2, 1];

function series(n: number, value: (i: number) => number, stepMs = DAY_MS): RegularSeries {
  return {
    timestamps: Array.from({ length: n }, (_, i) => START + i * stepMs),
    values: Array.from({ length: n }, (_, i) => value(i)),
  };
}

describe('EtsForecaster', () => {
  it('forecasts a weekly pattern with the same output shape as Prophet', () => {
    const random = new Random(5);
    const truth = (i: number) => 20 + (WEEKLY[i % 7] as number);
    const forecast = new EtsForecaster(runtime, { transform: 'none' }).forecast(
      series(140, (i) => truth(i) + (random.next() - 0.5) * 0.6),
      'weekly',
    );
    expect(forecast.model).toBe('ets');
    expect(forecast.horizonSteps).toBe(28);
    expect(forecast.fittedSteps).toBe(28);
    expect(forecast.components).toEqual(['period:7']);
    for (let h = 0; h < 28; h++) {
      const step = forecast.at(START + (140 + h) * DAY_MS);
      expect(Math.abs((step?.point ?? Number.NaN) - truth(140 + h))).toBeLessThan(1);
      expect(step !== undefined && step.lower <= step.point && step.point <= step.upper).toBe(true);
    }
  });

  it('decomposes a day and a week for hourly steps, and round-trips', () => {
    const random = new Random(6);
    const forecast = new EtsForecaster(runtime).forecast(
      series(21 * 24, (i) => random.poisson(2 + Math.sin((2 * Math.PI * i) / 24)), HOUR_MS),
      'h',
    );
    expect(forecast.components).toEqual(['period:24', 'period:168']);
    expect(forecast.horizonSteps).toBe(28 * 24);
    expect(forecast.point.every((p) => p >= 0)).toBe(true);
    expect(JSON.parse(JSON.stringify(forecast))).toEqual(forecast.toJSON());
  });

  it('throws ModelInputError on bad input', () => {
    const forecaster = new EtsForecaster(runtime);
    expect(() => forecaster.forecast(series(10, () => 1))).toThrow(/too short/);
    expect(() => forecaster.forecast(series(100, (i) => i % 3, 5 * HOUR_MS))).toThrow(/divides a day/);
    expect(() => new EtsForecaster(runtime, { horizonDays: 0 })).toThrow(ModelInputError);
  });
});
