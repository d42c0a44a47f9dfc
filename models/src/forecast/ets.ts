import { ModelInputError } from '../errors.js';
import { assembleForecast, constantFit } from './assemble.js';
import type { JsonValue, SeriesForecast } from './forecast.js';
import type { AugursRuntime } from './runtime.js';
import {
  checkSeries,
  COUNT_TRANSFORMS,
  DAY_MS,
  forwardTransform,
  requireNumber,
  requireOneOf,
  type CountTransform,
  type RegularSeries,
} from './series.js';

/** Options of {@link EtsForecaster}; every one has a default in {@link ETS_DEFAULTS}. */
export interface EtsForecastOptions {
  /** Kept for the common model contract; the ETS fit draws no random numbers. Default 42. */
  readonly seed: number;
  /** Days forecast after the history. Default 28. */
  readonly horizonDays: number;
  /** Central width of the prediction intervals. Default 0.8. */
  readonly intervalWidth: number;
  /** Scale the counts are fitted on. Default `sqrt`, as for Prophet. */
  readonly transform: CountTransform;
  /** Shortest history accepted, in days. Default 14 (two weekly cycles). */
  readonly minHistoryDays: number;
  /** Days of in-sample fit stored before the forecast. Default 28. */
  readonly fittedDays: number;
}

export const ETS_DEFAULTS: Readonly<EtsForecastOptions> = Object.freeze({
  seed: 42,
  horizonDays: 28,
  intervalWidth: 0.8,
  transform: 'sqrt',
  minHistoryDays: 14,
  fittedDays: 28,
});

/**
 * The exponential-smoothing baseline from the same library: augurs' MSTL (STL decomposition of the
 * seasonal periods: a week for daily steps; a day and a week for sub-daily steps) with AutoETS on the
 * seasonally adjusted series, which picks the error and trend form by AICc. augurs' AutoETS alone has no
 * seasonal models, hence the decomposition. Analytic intervals; output shaped like Prophet's.
 */
export class EtsForecaster {
  readonly options: Readonly<EtsForecastOptions>;

  constructor(
    private readonly runtime: AugursRuntime,
    options: Partial<EtsForecastOptions> = {},
  ) {
    const o: EtsForecastOptions = { ...ETS_DEFAULTS, ...options };
    requireNumber('seed', o.seed, 0, 2 ** 32 - 1, true);
    requireNumber('horizonDays', o.horizonDays, 1 / 24, 3660);
    requireNumber('intervalWidth', o.intervalWidth, 0.01, 0.99);
    requireNumber('minHistoryDays', o.minHistoryDays, 1, 100_000);
    requireNumber('fittedDays', o.fittedDays, 7, 100_000);
    requireOneOf('transform', o.transform, COUNT_TRANSFORMS);
    this.options = Object.freeze(o);
  }

  /**
   * Fits `series` and forecasts `horizonDays` after it.
   * @throws ModelInputError for a bad series, a step that does not divide a day, or a failed fit.
   */
  forecast(series: RegularSeries, key = 'series'): SeriesForecast {
    const startedAt = Date.now();
    const o = this.options;
    const checked = checkSeries(series, o.minHistoryDays);
    if (DAY_MS % checked.stepMs !== 0) {
      throw new ModelInputError(`the ETS baseline needs a step that divides a day, got ${checked.stepMs} ms`);
    }
    const perDay = DAY_MS / checked.stepMs;
    const n = checked.values.length;
    const periods = (perDay > 1 ? [perDay, 7 * perDay] : [7]).filter((p) => n >= 2 * p);
    const horizonSteps = Math.max(1, Math.round(o.horizonDays * perDay));
    const resolved: { [key: string]: JsonValue } = { ...o, periods };
    const base = {
      model: 'ets' as const,
      key,
      series: checked,
      transform: o.transform,
      level: o.intervalWidth,
      fittedDays: o.fittedDays,
      options: resolved,
      startedAt,
    };
    const first = checked.values[0] as number;
    if (checked.values.every((v) => v === first)) return constantFit(base, horizonSteps);
    const z = checked.values.map((v) => forwardTransform(o.transform, v));
    const model = this.runtime.MSTL.ets(periods);
    try {
      model.fit(z);
      const future = model.predict(horizonSteps, o.intervalWidth);
      const inSample = model.predictInSample(o.intervalWidth);
      if (future.intervals === undefined || inSample.intervals === undefined) {
        throw new ModelInputError(`ETS returned no intervals for ${key}`);
      }
      return assembleForecast({
        ...base,
        fitted: inSample.point,
        fittedLower: inSample.intervals.lower,
        fittedUpper: inSample.intervals.upper,
        point: future.point,
        lower: future.intervals.lower,
        upper: future.intervals.upper,
        yearly: null,
        components: periods.map((p) => `period:${p}`),
      });
    } catch (error) {
      if (error instanceof ModelInputError) throw error;
      throw new ModelInputError(`ETS could not fit series ${key}: ${String(error)}`, { cause: error });
    } finally {
      model.free();
    }
  }
}
