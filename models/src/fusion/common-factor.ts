/**
 * A city-level common factor in the count distribution (issue 17, docs/fusion.md "The common factor"):
 *
 *   y_{d,t} ~ NB(mu_{d,t} · C_t, k),   ln C_t ~ N(m, s²),
 *
 * one factor C_t shared by every district of period t. A per-district negative binomial treats the
 * districts' misses as independent; when a whole city falls below its forecast in one week (a holiday, a
 * cold spell), they are not, and a size fitted on ordinary weeks under-covers that week everywhere. The
 * factor's spread `s` is estimated from the city-level log errors ln(Σ_d y / Σ_d mu) of out-of-sample
 * forecasts of the periods before `t` (minus the part the negative binomial itself explains), and the size
 * `k` from the district counts given each period's realised factor. The 10% and 90% quantiles of the
 * mixture come from a grid over ln C (trapezoid rule on the normal density).
 */
import { ModelInputError } from '../errors.js';
import { countLogPmf, fitNegativeBinomialSize } from './count-distribution.js';
import type { OutOfSampleCount } from './rolling-dispersion.js';

/** An out-of-sample forecast with its group (the district): the periods' factors are shared by the groups. */
export interface GroupedOutOfSampleCount extends OutOfSampleCount {
  readonly group: number;
}

/** The count distribution at one time: NB size given the factor, and the factor's log mean and sd. */
export interface CommonFactor {
  readonly size: number | null;
  readonly logMean: number;
  readonly logSd: number;
}

export interface CommonFactorOptions {
  /** Periods before `t` whose district counts (given their realised factor) fit the size (≥ 1). */
  readonly window: number;
  /** Periods before `t` whose city errors give the factor's spread; `null`: every period before `t`. */
  readonly scaleWindow: number | null;
  /**
   * `'likelihood'`: the size by likelihood given the realised factors; `'coverage'`: the size whose
   * mixture 80% interval (with the spread `s`) covers 80% of the window's counts (split conformal).
   */
  readonly rule: 'likelihood' | 'coverage';
  /** Estimate the factor's log mean `m` (the mean city log error); otherwise m = 0. */
  readonly center: boolean;
  /** Periods before `t` whose mean city error gives `m` (with `center`); `null`: those of the spread. */
  readonly centerWindow: number | null;
  /** Fewer periods than this with city errors before `t`: s = 0 (no factor). */
  readonly minPeriods: number;
  /** Fewer records than this in the size window: the fallback size. */
  readonly minRows: number;
  readonly fallback: number | null;
}

export const COMMON_FACTOR_DEFAULTS: CommonFactorOptions = {
  window: 4,
  scaleWindow: null,
  rule: 'likelihood',
  center: false,
  centerWindow: null,
  minPeriods: 4,
  minRows: 20,
  fallback: null,
};

/** The grid over z = (ln C - m) / s: -4 … 4 in steps of 1/3 with normal weights (sum 1). */
const GRID_Z: readonly number[] = Array.from({ length: 25 }, (_, i) => -4 + i / 3);
const GRID_W: readonly number[] = (() => {
  const raw = GRID_Z.map((z) => Math.exp(-0.5 * z * z));
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / total);
})();

/**
 * Quantiles of the mixture ∫ NB(mean · e^{m + s z}, size) φ(z) dz (Poisson components when `size` is
 * `null`): for each probability p (increasing), the smallest integer y with P(Y ≤ y) ≥ p. With s = 0 it is
 * the negative binomial's own quantile (`countQuantiles`).
 */
export function mixtureQuantiles(
  mean: number,
  size: number | null,
  logMean: number,
  logSd: number,
  probabilities: readonly number[],
): number[] {
  if (!(mean > 0)) return probabilities.map(() => 0);
  if (!Number.isFinite(mean)) return probabilities.map(() => mean);
  if (!(logSd >= 0) || !Number.isFinite(logMean))
    throw new ModelInputError('mixture quantiles: the factor needs a finite log mean and a log sd ≥ 0');
  const nodes = logSd === 0 ? [0] : GRID_Z;
  const weights = logSd === 0 ? [1] : GRID_W;
  const means = nodes.map((z) => mean * Math.exp(logMean + logSd * z));
  const sds = means.map((mu) => Math.sqrt(mu + (size === null ? 0 : (mu * mu) / size)));
  let lo = Infinity;
  let hi = 0;
  means.forEach((mu, j) => {
    lo = Math.min(lo, Math.max(0, Math.floor(mu - 12 * (sds[j] ?? 0))));
    hi = Math.max(hi, Math.ceil(mu + 20 * (sds[j] ?? 0) + 10));
  });
  const mass = new Float64Array(hi - lo + 1);
  means.forEach((mu, j) => {
    const w = weights[j] ?? 0;
    if (!(mu > 0) || w === 0) return;
    const logRatio = size === null ? 0 : Math.log(mu) - Math.log(mu + size);
    let logP = countLogPmf(lo, mu, size);
    for (let y = lo; y <= hi; y++) {
      mass[y - lo] = (mass[y - lo] ?? 0) + w * Math.exp(logP);
      logP += size === null ? Math.log(mu / (y + 1)) : Math.log((y + size) / (y + 1)) + logRatio;
    }
  });
  const out: number[] = [];
  let y = lo;
  let cdf = mass[0] ?? 0;
  for (const p of probabilities) {
    while (cdf < p && y < hi) {
      y += 1;
      cdf += mass[y - lo] ?? 0;
    }
    out.push(y);
  }
  return out;
}

const INTERVAL_80 = [0.1, 0.9] as const;

/** Share of counts inside their mixture 80% interval. */
export function mixtureCoverage80(
  counts: readonly number[],
  means: readonly number[],
  factor: CommonFactor,
): number {
  let inside = 0;
  const n = Math.min(counts.length, means.length);
  for (let i = 0; i < n; i++) {
    const v = counts[i] ?? 0;
    const [lo = 0, hi = 0] = mixtureQuantiles(
      means[i] ?? 0,
      factor.size,
      factor.logMean,
      factor.logSd,
      INTERVAL_80,
    );
    if (v >= lo && v <= hi) inside += 1;
  }
  return inside / Math.max(1, n);
}

/** One period's city error: ln(Σ y / Σ mu) and the share of its variance the negative binomial explains. */
interface CityError {
  readonly time: number;
  readonly logError: number;
  /** Σ_d var(y_d | factor) / (Σ_d mu_d)² under the window's size: the sampling part of logError's variance. */
  readonly noise: number;
}

export class CommonFactorDispersion {
  private readonly records: readonly GroupedOutOfSampleCount[];
  private readonly options: CommonFactorOptions;
  private readonly cache = new Map<string, CommonFactor>();

  constructor(records: readonly GroupedOutOfSampleCount[], options: Partial<CommonFactorOptions> = {}) {
    const o = { ...COMMON_FACTOR_DEFAULTS, ...options };
    if (!Number.isInteger(o.window) || o.window < 1)
      throw new ModelInputError('common factor: window must be a positive integer');
    if (o.scaleWindow !== null && (!Number.isInteger(o.scaleWindow) || o.scaleWindow < 1))
      throw new ModelInputError('common factor: scaleWindow must be null or a positive integer');
    if (o.centerWindow !== null && (!Number.isInteger(o.centerWindow) || o.centerWindow < 1))
      throw new ModelInputError('common factor: centerWindow must be null or a positive integer');
    if (!Number.isInteger(o.minRows) || o.minRows < 1 || !Number.isInteger(o.minPeriods) || o.minPeriods < 2)
      throw new ModelInputError('common factor: minRows must be ≥ 1 and minPeriods ≥ 2 (integers)');
    if (o.fallback !== null && !(o.fallback > 0))
      throw new ModelInputError('common factor: fallback must be null or a size > 0');
    records.forEach((r, i) => {
      if (
        !Number.isFinite(r.time) ||
        !Number.isInteger(r.group) ||
        !(r.count >= 0) ||
        !(r.mean >= 0) ||
        !Number.isFinite(r.mean)
      )
        throw new ModelInputError(
          `common factor: record ${i} needs a finite time, an integer group, a count ≥ 0 and a finite mean ≥ 0`,
        );
    });
    this.records = records;
    this.options = o;
  }

  /** The city log error of every period in [from, t) holding records, with its sampling variance. */
  cityErrors(from: number, t: number, size: number | null): CityError[] {
    const byTime = new Map<number, { y: number; mu: number; v: number }>();
    for (const r of this.records) {
      if (r.time < from || r.time >= t) continue;
      const sum = byTime.get(r.time) ?? { y: 0, mu: 0, v: 0 };
      const mu = Math.max(r.mean, 1e-9);
      byTime.set(r.time, {
        y: sum.y + r.count,
        mu: sum.mu + mu,
        v: sum.v + mu + (size === null ? 0 : (mu * mu) / size),
      });
    }
    return [...byTime.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([time, s]) => ({
        time,
        logError: Math.log((s.y + 0.5) / (s.mu + 0.5)),
        noise: s.v / Math.max(s.mu * s.mu, 1e-9),
      }));
  }

  /**
   * The distribution at time `t`, from records of periods before `t` only. `extraLogVariance` (≥ 0) is
   * added to the factor's variance s² (e.g. a holiday week's excess, estimated elsewhere from periods
   * before `t`).
   */
  at(t: number, extraLogVariance = 0): CommonFactor {
    if (!(extraLogVariance >= 0) || !Number.isFinite(extraLogVariance))
      throw new ModelInputError('common factor: the extra log variance must be finite and ≥ 0');
    const key = `${t}:${extraLogVariance}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const o = this.options;
    const rows = this.records.filter((r) => r.time >= t - o.window && r.time < t);
    // The realised factor of each window period (its city error), then the size given it.
    const windowErrors = new Map(this.cityErrors(t - o.window, t, null).map((e) => [e.time, e.logError]));
    const counts = rows.map((r) => r.count);
    const given = rows.map((r) => Math.max(r.mean, 1e-9) * Math.exp(windowErrors.get(r.time) ?? 0));
    let size = o.fallback;
    if (rows.length >= o.minRows) size = fitNegativeBinomialSize(counts, given);
    // The factor's spread from the city errors, less the negative binomial's own sampling variance.
    const errors = this.cityErrors(o.scaleWindow === null ? -Infinity : t - o.scaleWindow, t, size);
    let logMean = 0;
    let logSd = 0;
    if (errors.length >= o.minPeriods) {
      const mean = (xs: readonly CityError[]) =>
        xs.reduce((a, e) => a + e.logError, 0) / Math.max(1, xs.length);
      // The spread is about the errors' own mean (or 0), whatever window the centre is taken from.
      const centre = o.center ? mean(errors) : 0;
      const spread = errors.reduce((a, e) => a + (e.logError - centre) ** 2 - e.noise, 0) / errors.length;
      if (o.center) {
        const from = o.centerWindow === null ? -Infinity : t - o.centerWindow;
        logMean = mean(errors.filter((e) => e.time >= from));
      }
      logSd = Math.sqrt(Math.max(0, spread));
    }
    logSd = Math.sqrt(logSd * logSd + extraLogVariance);
    if (o.rule === 'coverage' && rows.length >= o.minRows) {
      const means = rows.map((r) => Math.max(r.mean, 1e-9));
      size = coverageMixtureSize(counts, means, { size, logMean, logSd });
    }
    const factor: CommonFactor = { size, logMean, logSd };
    this.cache.set(key, factor);
    return factor;
  }
}

/**
 * The size (log grid 0.5 … 5000, or Poisson) whose mixture 80% interval, the factor's m and s held, covers
 * the counts closest to 80%; on a tie, the one nearest the start's size. When even the Poisson component
 * over-covers, the factor alone is too wide and the Poisson is kept.
 */
export function coverageMixtureSize(
  counts: readonly number[],
  means: readonly number[],
  start: CommonFactor,
): number | null {
  const candidates: (number | null)[] = [null];
  for (let k = 0; k <= 40; k++) candidates.push(0.5 * 10 ** (k / 10));
  const distance = (size: number | null) => Math.abs(Math.log(size ?? 1e6) - Math.log(start.size ?? 1e6));
  let best = { size: start.size, gap: Math.abs(mixtureCoverage80(counts, means, start) - 0.8) };
  for (const size of candidates) {
    const gap = Math.abs(mixtureCoverage80(counts, means, { ...start, size }) - 0.8);
    if (gap < best.gap - 1e-12 || (Math.abs(gap - best.gap) <= 1e-12 && distance(size) < distance(best.size)))
      best = { size, gap };
  }
  return best.size;
}
