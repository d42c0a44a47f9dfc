import { ModelInputError } from '../errors.js';
import { assembleForecast, constantFit } from './assemble.js';
import type { JsonValue, SeriesForecast } from './forecast.js';
import { holidayOccurrences, type HolidayTable } from './holidays.js';
import { fitProphet, meanAbsDelta, type ProphetFit, type SeasonalitySetting } from './prophet-fit.js';
import { Random } from './random.js';
import type { AugursRuntime } from './runtime.js';
import {
  checkSeries,
  requireOneOf,
  DAY_MS,
  forwardTransform,
  requireNumber,
  COUNT_TRANSFORMS,
  type CountTransform,
  type RegularSeries,
} from './series.js';
import { noiseBounds, trendUncertainty } from './uncertainty.js';

export type { SeasonalitySetting } from './prophet-fit.js';

/** Options of {@link ProphetForecaster}; every one has a default in {@link PROPHET_DEFAULTS}. */
export interface ProphetForecastOptions {
  /** Seeds the predictive-interval simulation (mixed with the series key). Default 42. */
  readonly seed: number;
  /** Days forecast after the history. Default 28. */
  readonly horizonDays: number;
  /** Central width of the prediction intervals. Default 0.8. */
  readonly intervalWidth: number;
  /** Draws of Prophet's predictive simulation per step. Default 1000 (Prophet's). */
  readonly uncertaintySamples: number;
  /** Scale the counts are fitted on, see {@link CountTransform}. Default `sqrt`. */
  readonly transform: CountTransform;
  /** Weekly seasonality. Default true (3 Fourier terms, Prophet's). */
  readonly weekly: SeasonalitySetting;
  /** Daily seasonality; `auto` = on (4 terms) when the step is shorter than a day. Default `auto`. */
  readonly daily: SeasonalitySetting | 'auto';
  /**
   * Yearly seasonality; `auto` = on (10 terms) when the history spans at least `minYearlyHistoryDays`.
   * Default `auto`.
   */
  readonly yearly: SeasonalitySetting | 'auto';
  /**
   * History needed for `yearly: 'auto'`. Default 365: one full cycle. Prophet's own rule asks for two years;
   * we accept one because the live counts keep 740 days and the T2 training span is 21 months, where the
   * yearly swing of street crime is the largest seasonal effect.
   */
  readonly minYearlyHistoryDays: number;
  /** Holiday tables (local dates), e.g. `TAMIL_NADU_HOLIDAYS`. Default none. */
  readonly holidays: readonly HolidayTable[];
  /** IANA zone that holiday dates are local to. Default `UTC`. */
  readonly timeZone: string;
  /** Potential trend changepoints. Default 25. */
  readonly changepoints: number;
  /** Share of the history in which changepoints are placed. Default 0.8. */
  readonly changepointRange: number;
  /** Laplace scale of trend changes (tau). Default 0.05. */
  readonly changepointPriorScale: number;
  /** Normal scale of seasonal coefficients. Default 10. */
  readonly seasonalityPriorScale: number;
  /** Normal scale of holiday effects. Default 10 (Prophet's; augurs' own default is 100). */
  readonly holidaysPriorScale: number;
  /**
   * How the MAP estimate is found: `map` (default), the exact solver of {@link createMapOptimizer}; or
   * `stan`, Stan's L-BFGS from `@bsull/augurs-prophet-wasmstan`. Same objective; the default is the faster
   * one at equal accuracy (`npm run bench -- --only models` measures both against Python Prophet;
   * docs/fusion.md has the figures).
   */
  readonly optimizer: 'map' | 'stan';
  /** Shortest history accepted, in days. Default 14 (two weekly cycles). */
  readonly minHistoryDays: number;
  /** Days of in-sample fit stored before the forecast (the trend vector compares recent days with it). Default 28. */
  readonly fittedDays: number;
}

export const PROPHET_DEFAULTS: Readonly<ProphetForecastOptions> = Object.freeze({
  seed: 42,
  horizonDays: 28,
  intervalWidth: 0.8,
  uncertaintySamples: 1000,
  transform: 'sqrt',
  weekly: true,
  daily: 'auto',
  yearly: 'auto',
  minYearlyHistoryDays: 365,
  holidays: [],
  timeZone: 'UTC',
  changepoints: 25,
  changepointRange: 0.8,
  changepointPriorScale: 0.05,
  seasonalityPriorScale: 10,
  holidaysPriorScale: 10,
  optimizer: 'map',
  minHistoryDays: 14,
  fittedDays: 28,
});

/**
 * Prophet (augurs) per series of counts: a linear trend with changepoints, additive weekly, daily and yearly
 * seasonality and holidays, fitted on the `transform` scale; intervals by Prophet's own predictive
 * simulation, seeded. One `forecast()` call fits one series and returns its stored form.
 */
export class ProphetForecaster {
  readonly options: Readonly<ProphetForecastOptions>;
  /** The holiday tables as augurs occurrences, converted once (time-zone lookups are slow). */
  private readonly holidays: ReturnType<typeof holidayOccurrences>;

  constructor(
    private readonly runtime: AugursRuntime,
    options: Partial<ProphetForecastOptions> = {},
  ) {
    this.options = resolveProphetOptions(options);
    this.holidays = holidayOccurrences(this.options.holidays, this.options.timeZone);
    for (const holiday of this.holidays.values())
      Object.assign(holiday, { priorScale: this.options.holidaysPriorScale });
  }

  /**
   * Fits `series` and forecasts `horizonDays` after it.
   * @param key names the series in the stored forecast (e.g. `TN-MDU/violent`) and varies the seed.
   * @throws ModelInputError for a bad series (see `checkSeries`) or when Prophet cannot fit it.
   */
  forecast(series: RegularSeries, key = 'series'): SeriesForecast {
    const startedAt = Date.now();
    const o = this.options;
    const checked = checkSeries(series, o.minHistoryDays);
    if (checked.stepMs % 1000 !== 0 || checked.startMs % 1000 !== 0) {
      throw new ModelInputError('timestamps and step must be whole seconds (Prophet counts time in seconds)');
    }
    const n = checked.values.length;
    const horizonSteps = Math.max(1, Math.round((o.horizonDays * DAY_MS) / checked.stepMs));
    const { weekly, daily, yearly } = resolveSeasonalities(
      o,
      checked.stepMs,
      (checked.endMs - checked.startMs) / DAY_MS,
    );
    const resolved: { [key: string]: JsonValue } = {
      ...o,
      weekly,
      daily,
      yearly,
      holidays: o.holidays.map((h) => ({ name: h.name, dates: [...h.dates] })),
    };
    const base = {
      model: 'prophet' as const,
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
    const ds = checked.timestamps.map((t) => t / 1000);
    const stepSeconds = checked.stepMs / 1000;
    const lastDs = ds[n - 1] as number;
    const allDs = [...ds];
    for (let h = 1; h <= horizonSteps; h++) allDs.push(lastDs + h * stepSeconds);

    const holidays = this.holidays;
    let fit: ProphetFit;
    try {
      fit = fitProphet(
        this.runtime,
        {
          optimizer: o.optimizer,
          changepoints: o.changepoints,
          changepointRange: o.changepointRange,
          changepointPriorScale: o.changepointPriorScale,
          seasonalityPriorScale: o.seasonalityPriorScale,
          holidaysPriorScale: o.holidaysPriorScale,
          weekly,
          daily,
          yearly,
          seed: o.seed,
          ...(holidays.size > 0 ? { holidays } : {}),
        },
        ds,
        z,
        allDs,
      );
    } catch (error) {
      throw new ModelInputError(`Prophet could not fit series ${key}: ${String(error)}`, { cause: error });
    }
    const { predictions, params } = fit;
    const note =
      fit.stanError === null
        ? undefined
        : `wasmstan failed (${fit.stanError}); solved by the exact MAP solver`;

    const yhat = predictions.yhat.point;
    const fitted = yhat.slice(0, n);
    const future = yhat.slice(n);
    let yScale = 0;
    for (const v of z) yScale = Math.max(yScale, Math.abs(v));
    if (yScale === 0) yScale = 1;
    const span = lastDs - (ds[0] as number);
    const tFuture = allDs.slice(n).map((d) => (d - (ds[0] as number)) / span);
    const bounds = trendUncertainty({
      point: future,
      t: tFuture,
      changepoints: params.delta.length,
      meanAbsDelta: meanAbsDelta(params),
      sigma: params.sigmaObs,
      yScale,
      samples: o.uncertaintySamples,
      width: o.intervalWidth,
      random: new Random(mixSeed(o.seed, key)),
    });
    const inSample = noiseBounds(fitted, params.sigmaObs, yScale, o.intervalWidth);

    let yearlyComponent = null;
    const yearlyPath = predictions.seasonalities.get('yearly')?.point;
    if (yearlyPath !== undefined) {
      const from = lastDs - 365 * 86_400;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < n; i++) {
        if ((ds[i] as number) < from) continue;
        min = Math.min(min, yearlyPath[i] as number);
        max = Math.max(max, yearlyPath[i] as number);
      }
      yearlyComponent = { trendEnd: predictions.trend.point[n - 1] as number, min, max };
    }
    const components = [...predictions.seasonalities.keys()].sort();
    if (holidays.size > 0) components.push(`holidays:${[...holidays.keys()].join(',')}`);
    return assembleForecast({
      ...base,
      fitted,
      fittedLower: inSample.lower,
      fittedUpper: inSample.upper,
      point: future,
      lower: bounds.lower,
      upper: bounds.upper,
      yearly: yearlyComponent,
      components,
      ...(note === undefined ? {} : { note }),
    });
  }
}

/**
 * Applies the defaults to `options` and validates them (the holiday dates and zone too).
 * @throws ModelInputError on an option out of range.
 */
export function resolveProphetOptions(
  options: Partial<ProphetForecastOptions> = {},
): Readonly<ProphetForecastOptions> {
  const o: ProphetForecastOptions = { ...PROPHET_DEFAULTS, ...options };
  requireNumber('seed', o.seed, 0, 2 ** 32 - 1, true);
  requireNumber('horizonDays', o.horizonDays, 1 / 24, 3660);
  requireNumber('intervalWidth', o.intervalWidth, 0.01, 0.99);
  requireNumber('uncertaintySamples', o.uncertaintySamples, 1, 100_000, true);
  requireNumber('minYearlyHistoryDays', o.minYearlyHistoryDays, 1, 100_000);
  requireNumber('changepoints', o.changepoints, 0, 1000, true);
  requireNumber('changepointRange', o.changepointRange, 0.01, 1);
  requireNumber('changepointPriorScale', o.changepointPriorScale, 1e-6, 1e6);
  requireNumber('seasonalityPriorScale', o.seasonalityPriorScale, 1e-6, 1e6);
  requireNumber('holidaysPriorScale', o.holidaysPriorScale, 1e-6, 1e6);
  requireNumber('minHistoryDays', o.minHistoryDays, 1, 100_000);
  requireNumber('fittedDays', o.fittedDays, 7, 100_000);
  // Options may come from JSON or untyped callers: check them as unknown values.
  requireOneOf('transform', o.transform, COUNT_TRANSFORMS);
  requireOneOf('optimizer', o.optimizer, ['map', 'stan']);
  for (const [name, setting] of [
    ['weekly', o.weekly],
    ['daily', o.daily],
    ['yearly', o.yearly],
  ] as const) {
    if (typeof setting === 'number') requireNumber(name, setting, 1, 100, true);
    else requireOneOf(name, setting, name === 'weekly' ? [true, false] : [true, false, 'auto']);
  }
  // Converting the dates validates them (and the zone) up front.
  holidayOccurrences(o.holidays, o.timeZone);
  return Object.freeze(o);
}

/**
 * The seasonalities a series gets: weekly as set; daily when set, or for `auto` when the step is shorter
 * than a day; yearly when set, or for `auto` when the history spans at least `minYearlyHistoryDays`.
 */
export function resolveSeasonalities(
  options: Pick<ProphetForecastOptions, 'weekly' | 'daily' | 'yearly' | 'minYearlyHistoryDays'>,
  stepMs: number,
  historyDays: number,
): { weekly: SeasonalitySetting; daily: SeasonalitySetting; yearly: SeasonalitySetting } {
  return {
    weekly: options.weekly,
    daily: options.daily === 'auto' ? stepMs < DAY_MS : options.daily,
    yearly: options.yearly === 'auto' ? historyDays >= options.minYearlyHistoryDays : options.yearly,
  };
}

/** The seed mixed with a hash of the series key (FNV-1a), so that series get independent draws. */
export function mixSeed(seed: number, key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash ^ seed) >>> 0;
}
