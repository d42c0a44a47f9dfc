import { ModelFormatError, ModelInputError } from '../errors.js';
import { mixSeed } from '../forecast/prophet.js';
import { fitProphet, meanAbsDelta, type ProphetFit } from '../forecast/prophet-fit.js';
import { normalQuantile, quantileInPlace, Random } from '../forecast/random.js';
import type { AugursRuntime } from '../forecast/runtime.js';
import { DAY_MS, requireNumber, requireOneOf } from '../forecast/series.js';
import { trendUncertainty } from '../forecast/uncertainty.js';
import { jsonReader } from '../json-read.js';
import {
  SplitNormalStep,
  toFittingScale,
  type FittingScale,
  type SplitNormalStepJSON,
  type StepDistribution,
} from './predictive.js';

/** The readers of `SpikeDetector.load`: each error names `spike detector` and the path it rejects. */
const { record, finite, numbers } = jsonReader('spike detector');

/** Format tag of {@link SpikeDetector.toJSON}. */
export const SPIKE_DETECTOR_FORMAT = 'spike-detector@1';

/** A seasonality: on, off, on with this many Fourier terms, or `auto` (Prophet's rule, see the options). */
export type SpikeSeasonality = boolean | number | 'auto';

/** Which values score as anomalous: high ones only (the spike rule), or high and low ones. */
export type SpikeTail = 'upper' | 'two-sided';

/** Options of {@link SpikeDetector}; all but `stepMs` have a default in {@link SPIKE_DEFAULTS}. */
export interface SpikeDetectorOptions {
  /** Length of a step, ms (e.g. 60_000 to 3_600_000 in the live engine). Required. */
  readonly stepMs: number;
  /** Trailing steps the forecaster is fitted on. Default 2016 (a week of 5-minute steps, 12 weeks of hours). */
  readonly historySteps: number;
  /** Steps between refits; each fit forecasts the steps until the next one. Default 12. */
  readonly refitEvery: number;
  /** Steps of history before the first forecast; `forecast()` is null until then. Default 48. */
  readonly minHistorySteps: number;
  /**
   * Whether the values are counts of events. Counts (default true) are fitted on the square-root scale,
   * where Poisson noise has a standard deviation of about 0.5 whatever the mean, and the predictive spread is
   * never taken below that 0.5 (a count is never less noisy than Poisson, even after an hour of zeros).
   * Measurements (false) are fitted as they are, of any sign (only `minRelativeSd` bounds their spread).
   */
  readonly counts: boolean;
  /** `upper` (default): only values above the forecast score high. `two-sided`: drops score high too. */
  readonly tail: SpikeTail;
  /**
   * A pushed value beyond this predictive quantile enters the fitting history clipped to it (and, with
   * `two-sided`, one below `1 - clipQuantile` clipped up), so that an ongoing spike is not the new normal at
   * once. 1 turns clipping off. Default 0.99.
   */
  readonly clipQuantile: number;
  /**
   * Longest run of consecutive clipped steps. The step that makes a run longer is taken as a lasting change
   * of level: the run's values are restored unclipped and the forecaster refits, so a sustained spike stays
   * flagged for about this many steps and then becomes the new normal. Default 12.
   */
  readonly clipSteps: number;
  /**
   * Smallest predictive standard deviation, as a share of the largest absolute value of the fitting history
   * on the fitting scale (Prophet's own y scale). Stands for the resolution of the values: without it a
   * noiseless history would rule out every other value. Default 0.01.
   */
  readonly minRelativeSd: number;
  /**
   * Recalibrate the spread on the detector's own record (default true). Prophet's interval is its in-sample
   * noise; one step ahead the errors are larger (the model misses some of the structure, counts are often
   * overdispersed), so at each refit the spread is widened by the factor that makes the median of the last
   * `historySteps` absolute standardised one-step errors equal the normal's (0.674). The median is not
   * moved by the spikes themselves. Never narrowed; inactive until 100 errors are recorded.
   */
  readonly calibrate: boolean;
  /** `map` (default): the exact MAP solver of Prophet's objective (fast); `stan`: Stan's L-BFGS (wasmstan). */
  readonly optimizer: 'map' | 'stan';
  /** Seeds Prophet's predictive simulation (mixed with the fit's end time). Default 42. */
  readonly seed: number;
  /** Width of the central interval simulated by Prophet and read into the distribution. Default 0.8. */
  readonly intervalWidth: number;
  /** Draws of Prophet's predictive simulation per fit. Default 1000 (Prophet's). */
  readonly uncertaintySamples: number;
  /** Daily seasonality; `auto`: when the step is under a day and the history spans 2 days. Default `auto`. */
  readonly daily: SpikeSeasonality;
  /** Weekly seasonality; `auto`: when the step is under a week and the history spans 2 weeks. Default `auto`. */
  readonly weekly: SpikeSeasonality;
  /** Potential trend changepoints (Prophet's default 25). */
  readonly changepoints: number;
  /** Share of the history where changepoints may lie (Prophet's default 0.8). */
  readonly changepointRange: number;
  /** Laplace scale of trend changes (Prophet's default 0.05). */
  readonly changepointPriorScale: number;
  /** Normal scale of seasonal coefficients (Prophet's default 10). */
  readonly seasonalityPriorScale: number;
}

export const SPIKE_DEFAULTS: Readonly<Omit<SpikeDetectorOptions, 'stepMs'>> = Object.freeze({
  historySteps: 2016,
  refitEvery: 12,
  minHistorySteps: 48,
  counts: true,
  tail: 'upper',
  clipQuantile: 0.99,
  clipSteps: 12,
  minRelativeSd: 0.01,
  calibrate: true,
  optimizer: 'map',
  seed: 42,
  intervalWidth: 0.8,
  uncertaintySamples: 1000,
  daily: 'auto',
  weekly: 'auto',
  changepoints: 25,
  changepointRange: 0.8,
  changepointPriorScale: 0.05,
  seasonalityPriorScale: 10,
});

/** Errors recorded before `calibrate` widens the spread. */
export const MIN_CALIBRATION_ERRORS = 100;
/** The quantile of the absolute standardised errors matched to the normal's: the median (0.674). */
const CALIBRATION_LEVEL = 0.5;

/** Standard deviation of a Poisson count on the square-root scale (Anscombe): the floor for counts. */
export const POISSON_SQRT_SD = 0.5;

/** What a detector has spent on fitting, for logs and benchmarks. */
export interface SpikeDetectorStats {
  /** Fits so far. */
  readonly fits: number;
  /** Wall-clock milliseconds of all fits (`Date.now()` resolution; not reproducible, the only such figure). */
  readonly fitMs: number;
  /** Wall-clock milliseconds of the last fit. */
  readonly lastFitMs: number;
  /** Fits where Stan gave up and the exact solver finished (with `optimizer: 'stan'`). */
  readonly stanFallbacks: number;
  /** Stan's message the last time it gave up, or null. */
  readonly lastStanError: string | null;
}

/** The serialised form of a {@link SpikeDetector}: options, fitting history and the current forecast path. */
export interface SpikeDetectorJSON {
  readonly format: typeof SPIKE_DETECTOR_FORMAT;
  readonly options: SpikeDetectorOptions;
  /** Start times and (clipped) values of the steps kept, oldest first. */
  readonly history: { readonly at: readonly number[]; readonly value: readonly number[] };
  /** Steps pushed since the current path was fitted. */
  readonly sinceFit: number;
  /**
   * The current run of steps beyond the clip quantile: its side (1 above, -1 below), the clipped steps'
   * values as pushed, and whether it was accepted as a new level.
   */
  readonly run: {
    readonly side: 1 | -1;
    readonly values: readonly number[];
    readonly accepted: boolean;
  } | null;
  /** Whether the next forecast refits whatever the schedule (after a run was restored). */
  readonly stale: boolean;
  /** The forecast path of the last fit (steps after the fit's last history step), or null. */
  readonly path: readonly SplitNormalStepJSON[] | null;
  /** The spread factor of `calibrate` in the path. */
  readonly pathScale: number;
  /** Absolute one-step errors in units of the uncalibrated spread, oldest first (for `calibrate`). */
  readonly errors: readonly number[];
  /** Model surprises of the last `historySteps` steps, oldest first (for {@link SpikeDetector.surprise}). */
  readonly surprises: readonly (number | null)[];
}

/**
 * Online spike detector behind the alert engine's spike rule ("observed count above the forecaster's upper
 * interval"). It keeps the trailing `historySteps` step values with their start times; every `refitEvery`
 * steps it fits Prophet (augurs, configured as `ProphetForecaster`: linear trend with changepoints, additive
 * daily and weekly seasonality, Prophet's seeded predictive simulation) on them and forecasts the steps
 * until the next refit.
 *
 * Each step's forecast becomes a predictive distribution under one stated assumption: on the fitting scale
 * the value is split normal around Prophet's point forecast, each side's standard deviation read from that
 * side of Prophet's `intervalWidth` interval (half-width / z). Prophet's own predictive is normal noise plus
 * simulated trend changes, so this is exact for the noise and close for the short horizons used here; it is
 * what lets a caller ask for any quantile (e.g. the 0.99 upper bound of the spike rule) and a score. The
 * spread is then widened where the detector's own one-step errors show Prophet's in-sample noise to be too
 * narrow (`calibrate`), and never taken below `minRelativeSd` (and, for counts, Poisson's).
 *
 * A value beyond the 0.99 quantile enters the fitting history clipped, for up to `clipSteps` steps in a
 * row; a longer run is a new level and enters as it was. Scores: {@link score} (the predictive CDF, in
 * [0, 1]), {@link modelSurprise} (the same on a -log10 scale) and {@link surprise} (that, ranked against the
 * series' own record, so that it means the same on a quiet and on an erratic series).
 *
 * Deterministic: the same pushes give the same forecasts and scores (the simulation is seeded with `seed`
 * and the fit's end time). Pure: the caller passes an initialised augurs runtime.
 *
 * ```ts
 * const detector = new SpikeDetector(runtime, { stepMs: 300_000 });
 * const f = detector.forecast();             // the step in progress, or null while the history is short
 * if (f !== null && partialCount > f.quantile(0.99)) ...;
 * detector.push(stepStart, completedCount);  // when the step completes
 * ```
 */
export class SpikeDetector {
  readonly options: Readonly<SpikeDetectorOptions>;
  private readonly scale: FittingScale;
  private readonly minSd: number;
  private ats: number[] = [];
  private values: number[] = [];
  private sinceFit = 0;
  private stale = false;
  private run: { side: 1 | -1; values: number[]; accepted: boolean } | null = null;
  private path: SplitNormalStep[] | null = null;
  private pathScale = 1;
  private errors: number[] = [];
  /** Model surprises of the last `historySteps` pushed steps, in push order and sorted. */
  private surprises: number[] = [];
  private sortedSurprises: number[] = [];
  private fits = 0;
  private fitMs = 0;
  private lastFitMs = 0;
  private stanFallbacks = 0;
  private lastStanError: string | null = null;

  /**
   * @throws ModelInputError on an option out of range (before any computation).
   */
  constructor(
    private readonly runtime: AugursRuntime,
    options: Partial<SpikeDetectorOptions> & Pick<SpikeDetectorOptions, 'stepMs'>,
  ) {
    this.options = resolveSpikeOptions(options);
    this.scale = this.options.counts ? 'sqrt' : 'identity';
    this.minSd = this.options.counts ? POISSON_SQRT_SD : 0;
  }

  /** Start of the last pushed step, or undefined before the first push. */
  get lastAt(): number | undefined {
    return this.ats.at(-1);
  }

  /** Steps currently kept for fitting (at most `historySteps`). */
  get historyLength(): number {
    return Math.min(this.ats.length, this.options.historySteps);
  }

  get stats(): SpikeDetectorStats {
    return {
      fits: this.fits,
      fitMs: this.fitMs,
      lastFitMs: this.lastFitMs,
      stanFallbacks: this.stanFallbacks,
      lastStanError: this.lastStanError,
    };
  }

  /**
   * The predictive distribution of the step starting at `at` (default: the step after the last pushed one,
   * i.e. the step in progress), from the history so far; null while fewer than `minHistorySteps` steps were
   * pushed. Refits first when `refitEvery` steps were pushed since the last fit, or when `at` lies past the
   * current forecast path (a gap in an irregular series). Calling it again for the same step costs nothing.
   * @throws ModelInputError when `at` is not after the last pushed step.
   */
  forecast(at?: number): StepDistribution | null {
    return this.step(at);
  }

  private step(at?: number): SplitNormalStep | null {
    const last = this.lastAt;
    if (last === undefined || this.ats.length < this.options.minHistorySteps) return null;
    const target = at ?? last + this.options.stepMs;
    if (!Number.isFinite(target) || target <= last) {
      throw new ModelInputError(`forecast(at): at must be after the last pushed step ${last}, got ${target}`);
    }
    // Steps ahead of the last pushed one; an off-grid time (irregular series) takes the nearest step.
    const ahead = Math.max(1, Math.round((target - last) / this.options.stepMs));
    const index = this.sinceFit + ahead - 1;
    if (
      this.path === null ||
      this.stale ||
      this.sinceFit >= this.options.refitEvery ||
      index >= this.path.length
    ) {
      this.fit(ahead);
      return this.path?.[ahead - 1] ?? null;
    }
    return this.path[index] ?? null;
  }

  /**
   * Records the completed step starting at `at` with its value. A value beyond the forecast's
   * `clipQuantile` (above it; with `two-sided` also below `1 - clipQuantile`) enters the fitting history
   * clipped to that quantile, until a run of such steps grows longer than `clipSteps`: then the run is
   * restored as pushed and the next forecast refits.
   * @throws ModelInputError when `at` is not after the last step, or the value is not finite (or is
   *   negative for counts).
   */
  push(at: number, value: number): void {
    if (!Number.isFinite(at)) throw new ModelInputError(`push: at must be a finite epoch ms, got ${at}`);
    const last = this.lastAt;
    if (last !== undefined && at <= last) {
      throw new ModelInputError(`push: steps must advance: ${at} is not after ${last}`);
    }
    if (!Number.isFinite(value)) throw new ModelInputError(`push: value must be finite, got ${value}`);
    toFittingScale(this.scale, value);
    let stored = value;
    const clip = this.options.clipQuantile;
    const forecast = this.step(at);
    if (forecast !== null) {
      const error = Math.abs(forecast.standardised(value)) * this.pathScale;
      if (Number.isFinite(error)) this.errors.push(error);
      this.recordSurprise(this.modelSurprise(value, forecast));
    }
    let side: 1 | -1 | 0 = 0;
    if (forecast !== null && clip < 1) {
      const high = forecast.quantile(clip);
      const low = this.options.tail === 'two-sided' ? forecast.quantile(1 - clip) : Number.NEGATIVE_INFINITY;
      side = value > high ? 1 : value < low ? -1 : 0;
      stored = Math.min(Math.max(value, low), high);
    }
    if (side === 0) this.run = null;
    else {
      if (this.run?.side !== side) this.run = { side, values: [], accepted: false };
      if (this.run.accepted) stored = value;
      else if (this.run.values.length < this.options.clipSteps) this.run.values.push(value);
      else {
        // A lasting change of level: the run enters as pushed, and the forecaster refits on it.
        const restore = this.run.values.length;
        for (let k = 0; k < restore; k++) {
          this.values[this.values.length - restore + k] = this.run.values[k] as number;
        }
        this.run = { side, values: [], accepted: true };
        this.stale = true;
        stored = value;
      }
    }
    if (last !== undefined && this.path !== null) {
      // The path is indexed by steps since the fit: a gap skips its steps.
      this.sinceFit += Math.max(1, Math.round((at - last) / this.options.stepMs));
    }
    this.ats.push(at);
    this.values.push(stored);
    // Trim in batches: amortised O(1) per push, at most twice the history kept.
    if (this.ats.length >= 2 * this.options.historySteps) {
      const drop = this.ats.length - this.options.historySteps;
      this.ats.splice(0, drop);
      this.values.splice(0, drop);
    }
    if (this.errors.length >= 2 * this.options.historySteps) {
      this.errors.splice(0, this.errors.length - this.options.historySteps);
    }
  }

  /**
   * Anomaly score of `value` under `forecast`, in [0, 1]: the predictive CDF at the value (`upper`), or
   * |2 CDF - 1| (`two-sided`: 0 at the median, towards 1 in either tail).
   */
  score(value: number, forecast: StepDistribution): number {
    const p = forecast.cdf(value);
    return this.options.tail === 'upper' ? p : Math.abs(2 * p - 1);
  }

  /**
   * The same judgement as {@link score} on an unbounded scale, by the model alone: -log10 of the predictive
   * tail probability (P(X >= value) for `upper`, 2 min(P(X <= value), P(X >= value)) for `two-sided`),
   * computed in log space. About 0.3 at
   * the median, 2 at the 0.99 quantile, 6 at one in a million; it keeps ranking values far out in the tail,
   * where `score` rounds to 1 (beyond about 8 standard deviations). Infinity for a value the forecast rules
   * out (a constant history, then anything else).
   */
  modelSurprise(value: number, forecast: StepDistribution): number {
    const tails = forecast.logTails(value);
    const ln =
      this.options.tail === 'upper'
        ? tails.upper
        : Math.min(0, Math.LN2 + Math.min(tails.upper, tails.lower));
    return 0 - ln / Math.LN10;
  }

  /**
   * {@link modelSurprise} calibrated on this series' own record: -log10 of the share of the last
   * `historySteps` steps whose model surprise was at least as large (counting this one), so that 3 means
   * "rarer than all but one step in a thousand here", whatever the series' tails. Beyond the largest surprise
   * on record it goes on growing with the model surprise (log10(n + 1) + the excess), so the far tail keeps
   * its order. Comparable across series (e.g. districts), which model surprises are not: a series whose
   * forecasts are often far off has large model surprises every day. The model surprise itself until 100
   * steps were recorded.
   */
  surprise(value: number, forecast: StepDistribution): number {
    const s = this.modelSurprise(value, forecast);
    const record = this.sortedSurprises;
    const n = record.length;
    if (n < MIN_CALIBRATION_ERRORS) return s;
    const atLeast = n - lowerBound(record, s);
    if (atLeast > 0) return Math.log10((n + 1) / (atLeast + 1));
    return Math.log10(n + 1) + (s - (record[n - 1] as number));
  }

  toJSON(): SpikeDetectorJSON {
    const from = Math.max(0, this.ats.length - this.options.historySteps);
    return {
      format: SPIKE_DETECTOR_FORMAT,
      options: { ...this.options },
      history: { at: this.ats.slice(from), value: this.values.slice(from) },
      sinceFit: this.sinceFit,
      run: this.run === null ? null : { ...this.run, values: [...this.run.values] },
      stale: this.stale,
      path: this.path === null ? null : this.path.map((step) => step.toJSON()),
      pathScale: this.pathScale,
      errors: this.errors.slice(Math.max(0, this.errors.length - this.options.historySteps)),
      // JSON has no Infinity (a value a flat forecast ruled out): null stands for it.
      surprises: this.surprises.map((v) => (v === Number.POSITIVE_INFINITY ? null : v)),
    };
  }

  /**
   * Reads {@link toJSON}'s output: the loaded detector continues exactly where the saved one stood.
   * @throws ModelFormatError on another format or malformed content.
   */
  static load(runtime: AugursRuntime, json: unknown): SpikeDetector {
    const o = record(json, 'document');
    if (o.format !== SPIKE_DETECTOR_FORMAT) {
      throw new ModelFormatError(`expected format ${SPIKE_DETECTOR_FORMAT}, got ${JSON.stringify(o.format)}`);
    }
    let detector: SpikeDetector;
    try {
      detector = new SpikeDetector(runtime, record(o.options, 'options') as unknown as SpikeDetectorOptions);
    } catch (error) {
      throw new ModelFormatError(`bad options: ${String(error)}`, { cause: error });
    }
    const history = record(o.history, 'history');
    const at = numbers(history.at, 'history.at');
    const value = numbers(history.value, 'history.value');
    if (at.length !== value.length)
      throw new ModelFormatError('history.at and history.value differ in length');
    for (let i = 1; i < at.length; i++) {
      if ((at[i] as number) <= (at[i - 1] as number)) throw new ModelFormatError('history.at must increase');
    }
    const sinceFit = o.sinceFit;
    if (typeof sinceFit !== 'number' || !Number.isInteger(sinceFit) || sinceFit < 0) {
      throw new ModelFormatError('sinceFit must be a whole number');
    }
    let path: SplitNormalStep[] | null = null;
    if (o.path !== null) {
      if (!Array.isArray(o.path)) throw new ModelFormatError('path must be a list or null');
      path = (o.path as unknown[]).map((step, i) => {
        const s = record(step, `path[${i}]`);
        const sdLow = finite(s.sdLow, `path[${i}].sdLow`);
        const sdHigh = finite(s.sdHigh, `path[${i}].sdHigh`);
        if (sdLow < 0 || sdHigh < 0) throw new ModelFormatError(`path[${i}] has a negative spread`);
        return new SplitNormalStep(
          finite(s.at, `path[${i}].at`),
          finite(s.center, `path[${i}].center`),
          sdLow,
          sdHigh,
          detector.scale,
        );
      });
    }
    let run: { side: 1 | -1; values: number[]; accepted: boolean } | null = null;
    if (o.run !== null) {
      const r = record(o.run, 'run');
      if (r.side !== 1 && r.side !== -1) throw new ModelFormatError('run.side must be 1 or -1');
      if (typeof r.accepted !== 'boolean') throw new ModelFormatError('run.accepted must be a boolean');
      run = { side: r.side, values: numbers(r.values, 'run.values'), accepted: r.accepted };
      if (run.values.length > at.length) throw new ModelFormatError('run is longer than the history');
    }
    if (typeof o.stale !== 'boolean') throw new ModelFormatError('stale must be a boolean');
    const pathScale = finite(o.pathScale, 'pathScale');
    if (pathScale < 1) throw new ModelFormatError('pathScale must be at least 1');
    const errors = numbers(o.errors, 'errors');
    if (!Array.isArray(o.surprises)) throw new ModelFormatError('surprises must be a list');
    const surprises = (o.surprises as unknown[]).map((v, i) =>
      v === null ? Number.POSITIVE_INFINITY : finite(v, `surprises[${i}]`),
    );
    detector.ats = at;
    detector.values = value;
    detector.sinceFit = sinceFit;
    detector.path = path;
    detector.run = run;
    detector.stale = o.stale;
    detector.pathScale = pathScale;
    detector.errors = errors;
    for (const v of surprises.slice(-detector.options.historySteps)) detector.recordSurprise(v);
    return detector;
  }

  /** Fits the trailing history and forecasts max(refitEvery, `ahead`) steps after it. */
  private fit(ahead: number): void {
    const started = Date.now();
    const o = this.options;
    const from = Math.max(0, this.ats.length - o.historySteps);
    const ats = this.ats.slice(from);
    const z = this.values.slice(from).map((v) => toFittingScale(this.scale, v));
    const last = ats[ats.length - 1] as number;
    const horizon = Math.max(o.refitEvery, ahead);
    const futureAt = Array.from({ length: horizon }, (_, h) => last + (h + 1) * o.stepMs);
    const zw = normalQuantile((1 + o.intervalWidth) / 2);

    let yScale = 0;
    for (const v of z) yScale = Math.max(yScale, Math.abs(v));
    if (yScale === 0) yScale = 1;
    const floor = Math.max(this.minSd, o.minRelativeSd * yScale);
    const c = this.calibration();
    const first = z[0] as number;
    let steps: SplitNormalStep[];
    if (z.every((v) => v === first)) {
      // A constant history: Prophet's noise scale would be 0 (or undefined at 0); the forecast is flat.
      steps = futureAt.map((at) => new SplitNormalStep(at, first, floor * c, floor * c, this.scale));
    } else {
      const { point, lower, upper } = this.prophet(ats, z, futureAt, yScale);
      steps = futureAt.map((at, h) => {
        const center = point[h] as number;
        const sdLow = Math.max(floor, (center - (lower[h] as number)) / zw) * c;
        const sdHigh = Math.max(floor, ((upper[h] as number) - center) / zw) * c;
        return new SplitNormalStep(at, center, sdLow, sdHigh, this.scale);
      });
    }
    this.path = steps;
    this.pathScale = c;
    this.sinceFit = 0;
    this.stale = false;
    this.fits += 1;
    this.lastFitMs = Date.now() - started;
    this.fitMs += this.lastFitMs;
  }

  /** Keeps the model surprises of the last `historySteps` steps, and their sorted copy. */
  private recordSurprise(s: number): void {
    this.surprises.push(s);
    this.sortedSurprises.splice(lowerBound(this.sortedSurprises, s), 0, s);
    if (this.surprises.length > this.options.historySteps) {
      const old = this.surprises.shift() as number;
      this.sortedSurprises.splice(lowerBound(this.sortedSurprises, old), 1);
    }
  }

  /** The spread factor of `calibrate` from the recorded errors (1 when off or too few). */
  private calibration(): number {
    const o = this.options;
    const recent = this.errors.slice(Math.max(0, this.errors.length - o.historySteps));
    if (!o.calibrate || recent.length < MIN_CALIBRATION_ERRORS) return 1;
    const q = quantileInPlace(Float64Array.from(recent), CALIBRATION_LEVEL);
    return Math.max(1, q / normalQuantile((1 + CALIBRATION_LEVEL) / 2));
  }

  /** Prophet's point forecast and `intervalWidth` bounds at `futureAt`, on the fitting scale. */
  private prophet(
    ats: readonly number[],
    z: readonly number[],
    futureAt: readonly number[],
    yScale: number,
  ): { point: ArrayLike<number>; lower: ArrayLike<number>; upper: ArrayLike<number> } {
    const o = this.options;
    const ds = ats.map((t) => t / 1000);
    const spanMs = (ats[ats.length - 1] as number) - (ats[0] as number) + o.stepMs;
    const daily = o.daily === 'auto' ? o.stepMs < DAY_MS && spanMs >= 2 * DAY_MS : o.daily;
    const weekly = o.weekly === 'auto' ? o.stepMs < 7 * DAY_MS && spanMs >= 14 * DAY_MS : o.weekly;
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
          weekly,
          daily,
          yearly: false,
          seed: o.seed,
        },
        ds,
        z,
        futureAt.map((t) => t / 1000),
      );
    } catch (error) {
      throw new ModelInputError(`Prophet could not fit the spike detector's history: ${String(error)}`, {
        cause: error,
      });
    }
    if (fit.stanError !== null) {
      this.stanFallbacks += 1;
      this.lastStanError = fit.stanError;
    }
    const { params } = fit;
    const yhat = fit.predictions.yhat.point;
    const t0 = ds[0] as number;
    const span = (ds[ds.length - 1] as number) - t0;
    const bounds = trendUncertainty({
      point: yhat,
      t: futureAt.map((t) => (t / 1000 - t0) / span),
      changepoints: params.delta.length,
      meanAbsDelta: meanAbsDelta(params),
      sigma: params.sigmaObs,
      yScale,
      samples: o.uncertaintySamples,
      width: o.intervalWidth,
      random: new Random(mixSeed(o.seed, String(ats[ats.length - 1]))),
    });
    return { point: yhat, lower: bounds.lower, upper: bounds.upper };
  }
}

/**
 * Applies the defaults to `options` and validates them.
 * @throws ModelInputError on a missing or out-of-range option.
 */
export function resolveSpikeOptions(
  options: Partial<SpikeDetectorOptions> & Pick<SpikeDetectorOptions, 'stepMs'>,
): Readonly<SpikeDetectorOptions> {
  const o: SpikeDetectorOptions = { ...SPIKE_DEFAULTS, ...options };
  requireNumber('stepMs', o.stepMs, 1000, 366 * DAY_MS, true);
  if (o.stepMs % 1000 !== 0) throw new ModelInputError('option stepMs must be whole seconds');
  requireNumber('historySteps', o.historySteps, 3, 1_000_000, true);
  requireNumber('refitEvery', o.refitEvery, 1, 1_000_000, true);
  requireNumber('minHistorySteps', o.minHistorySteps, 3, o.historySteps, true);
  requireNumber('clipQuantile', o.clipQuantile, 0.5, 1);
  requireNumber('clipSteps', o.clipSteps, 0, o.historySteps - 1, true);
  requireNumber('minRelativeSd', o.minRelativeSd, 0, 1);
  requireNumber('seed', o.seed, 0, 2 ** 32 - 1, true);
  requireNumber('intervalWidth', o.intervalWidth, 0.01, 0.99);
  requireNumber('uncertaintySamples', o.uncertaintySamples, 1, 100_000, true);
  requireNumber('changepoints', o.changepoints, 0, 1000, true);
  requireNumber('changepointRange', o.changepointRange, 0.01, 1);
  requireNumber('changepointPriorScale', o.changepointPriorScale, 1e-6, 1e6);
  requireNumber('seasonalityPriorScale', o.seasonalityPriorScale, 1e-6, 1e6);
  requireOneOf('counts', o.counts, [true, false]);
  requireOneOf('calibrate', o.calibrate, [true, false]);
  requireOneOf('tail', o.tail, ['upper', 'two-sided']);
  requireOneOf('optimizer', o.optimizer, ['map', 'stan']);
  for (const [name, setting] of [
    ['daily', o.daily],
    ['weekly', o.weekly],
  ] as const) {
    if (typeof setting === 'number') requireNumber(name, setting, 1, 100, true);
    else requireOneOf(name, setting, [true, false, 'auto']);
  }
  return Object.freeze(o);
}

/** The first index of sorted `values` whose value is >= `x` (NaN-free input). */
function lowerBound(values: readonly number[], x: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((values[mid] as number) < x) low = mid + 1;
    else high = mid;
  }
  return low;
}
