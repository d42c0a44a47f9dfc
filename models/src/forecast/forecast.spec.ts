import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../errors.js';
import { ForecastSet, SeriesForecast, SERIES_FORECAST_FORMAT } from './forecast.js';
import { DAY_MS } from './series.js';

function forecast(key = 'TN-MDU/road'): SeriesForecast {
  const point = Array.from({ length: 7 + 14 }, (_, i) => i);
  return new SeriesForecast({
    model: 'ets',
    key,
    stepMs: DAY_MS,
    training: { fromMs: 0, toMs: 100 * DAY_MS, steps: 100, total: 321 },
    options: { seed: 42, periods: [7], nested: { a: null, b: 'x' } },
    transform: 'log1p',
    level: 0.8,
    pathStartMs: 93 * DAY_MS,
    fittedSteps: 7,
    point,
    lower: point.map((p) => p - 0.5),
    upper: point.map((p) => p + 0.25),
    residualSd: 0.125,
    residualSdDay: 1.5,
    yearly: { trendEnd: 1, min: -0.1, max: 0.2 },
    components: ['period:7'],
    fitMs: 3,
    note: '',
  });
}

describe('SeriesForecast', () => {
  it('round-trips through JSON text', () => {
    const original = forecast();
    const loaded = SeriesForecast.load(JSON.parse(JSON.stringify(original)));
    expect(loaded.toJSON()).toEqual(original.toJSON());
    expect(loaded.toJSON().format).toBe(SERIES_FORECAST_FORMAT);
    expect(loaded.forecastStartMs).toBe(100 * DAY_MS);
    expect(loaded.horizonSteps).toBe(14);
  });

  it('answers a step of its grid, repeating the last week past its end', () => {
    const f = forecast();
    expect(f.at(92 * DAY_MS)).toBeUndefined();
    expect(f.at(93 * DAY_MS)?.point).toBe(0);
    expect(f.at(100 * DAY_MS)).toEqual({ point: 7, lower: 6.5, upper: 7.25 });
    // The path ends at day 114; day 114 repeats day 107 (point 14), day 122 repeats day 108.
    expect(f.at(114 * DAY_MS)?.point).toBe(14);
    expect(f.at(122 * DAY_MS)?.point).toBe(15);
    expect(f.stepStart(100 * DAY_MS + 5)).toBe(100 * DAY_MS);
  });

  it('refuses another format or malformed content', () => {
    const json = forecast().toJSON();
    expect(() => SeriesForecast.load({ ...json, format: 'series-forecast@2' })).toThrow(ModelFormatError);
    expect(() => SeriesForecast.load({ ...json, point: [1, 2] })).toThrow(/differ in length/);
    expect(() => SeriesForecast.load({ ...json, lower: json.lower.map(() => 'x') })).toThrow(
      ModelFormatError,
    );
    expect(() => SeriesForecast.load({ ...json, transform: 'cube' })).toThrow(ModelFormatError);
    expect(() => SeriesForecast.load(null)).toThrow(ModelFormatError);
  });
});

describe('ForecastSet', () => {
  it('keeps forecasts by key and round-trips', () => {
    const set = new ForecastSet([forecast('a/road'), forecast('b/road')]);
    set.add(forecast('a/road'));
    expect(set.size).toBe(2);
    const loaded = ForecastSet.load(JSON.parse(JSON.stringify(set)));
    expect(loaded.keys()).toEqual(['a/road', 'b/road']);
    expect(loaded.get('b/road')?.toJSON()).toEqual(forecast('b/road').toJSON());
    expect(() => ForecastSet.load({ format: 'forecast-set@0', forecasts: [] })).toThrow(ModelFormatError);
  });
});
