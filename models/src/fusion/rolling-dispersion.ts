/**
 * A rolling-origin calibration of the count distribution's dispersion: the negative binomial size used
 * for a prediction at time `t` is fitted on the out-of-sample forecasts of the `window` periods before `t`
 * (times in [t - window, t)), never on `t` or later. Out-of-sample means: forecasts of rows no network
 * was trained on (the fit's validation rows, and the periods predicted since the fit, whose outcomes are
 * known by `t`). The dispersion then follows the season: when the recent forecasts miss by more, the
 * interval widens; when they miss by less, it narrows.
 */
import { ModelInputError } from '../errors.js';
import { coverageNegativeBinomialSize, fitNegativeBinomialSize } from './count-distribution.js';

/** One out-of-sample forecast whose outcome is known: its period, the outcome and the forecast mean. */
export interface OutOfSampleCount {
  readonly time: number;
  readonly count: number;
  readonly mean: number;
}

export interface RollingDispersionOptions {
  /** Periods before the predicted one whose forecasts calibrate it (≥ 1). */
  readonly window: number;
  /**
   * `'likelihood'`: the maximum-likelihood size on those forecasts; `'coverage'`: the size whose 80%
   * interval covers 80% of them (split conformal on the size).
   */
  readonly rule: 'likelihood' | 'coverage';
  /** Fewer forecasts than this in the window: the fallback size is used. */
  readonly minRows: number;
  /** The size used when the window holds too few forecasts (e.g. the fit's own). */
  readonly fallback: number | null;
}

export const ROLLING_DISPERSION_DEFAULTS: RollingDispersionOptions = {
  window: 8,
  rule: 'likelihood',
  minRows: 20,
  fallback: null,
};

export class RollingDispersion {
  private readonly records: readonly OutOfSampleCount[];
  private readonly options: RollingDispersionOptions;
  private readonly cache = new Map<number, number | null>();

  constructor(records: readonly OutOfSampleCount[], options: Partial<RollingDispersionOptions> = {}) {
    const o = { ...ROLLING_DISPERSION_DEFAULTS, ...options };
    if (!Number.isInteger(o.window) || o.window < 1)
      throw new ModelInputError('rolling dispersion: window must be a positive integer');
    if (!Number.isInteger(o.minRows) || o.minRows < 1)
      throw new ModelInputError('rolling dispersion: minRows must be a positive integer');
    if (o.fallback !== null && !(o.fallback > 0))
      throw new ModelInputError('rolling dispersion: fallback must be null or a size > 0');
    records.forEach((r, i) => {
      if (!Number.isFinite(r.time) || !(r.count >= 0) || !(r.mean >= 0) || !Number.isFinite(r.mean))
        throw new ModelInputError(
          `rolling dispersion: record ${i} needs a finite time, a count ≥ 0 and a finite mean ≥ 0`,
        );
    });
    this.records = records;
    this.options = o;
  }

  /** The forecasts that calibrate time `t`: those of periods in [t - window, t). */
  windowOf(t: number): OutOfSampleCount[] {
    return this.records.filter((r) => r.time >= t - this.options.window && r.time < t);
  }

  /** The negative binomial size for a prediction at time `t` (`null` = Poisson). */
  sizeAt(t: number): number | null {
    const cached = this.cache.get(t);
    if (cached !== undefined) return cached;
    const rows = this.windowOf(t);
    let size = this.options.fallback;
    if (rows.length >= this.options.minRows) {
      const counts = rows.map((r) => r.count);
      const means = rows.map((r) => Math.max(r.mean, 1e-9));
      const likelihood = fitNegativeBinomialSize(counts, means);
      size =
        this.options.rule === 'coverage'
          ? coverageNegativeBinomialSize(counts, means, likelihood)
          : likelihood;
    }
    this.cache.set(t, size);
    return size;
  }
}
