/**
 * The count distribution behind the fusion network's 80% interval: a negative binomial with mean `mu`
 * and size `r` (variance `mu + mu^2 / r`), the Poisson when `r` is `null` (infinite). The size is fitted
 * by maximum likelihood on the validation split, with each row's mean taken from the network.
 */

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error near 1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) {
    // Reflection: Γ(x) Γ(1 - x) = π / sin(πx).
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  }
  const z = x - 1;
  let a = LANCZOS[0] ?? 0;
  const t = z + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS.length; i++) a += (LANCZOS[i] ?? 0) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * ln P(Y = y) for Y ~ NB(mean, size) (Poisson when `size` is `null`); `y` may be any real ≥ 0 (the
 * gamma-function extension), `mean` > 0.
 */
export function countLogPmf(y: number, mean: number, size: number | null): number {
  if (size === null) return y * Math.log(mean) - mean - logGamma(y + 1);
  return (
    logGamma(y + size) -
    logGamma(size) -
    logGamma(y + 1) -
    size * Math.log1p(mean / size) +
    y * (Math.log(mean) - Math.log(mean + size))
  );
}

/** Above this mean the quantiles come from a normal approximation instead of summing the pmf. */
const NORMAL_APPROXIMATION_MEAN = 1e5;

/** Standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9). */
function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const at = (xs: readonly number[], i: number): number => xs[i] ?? 0;
  const low = 0.02425;
  if (p < low || p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(p < low ? p : 1 - p));
    const x =
      (((((at(c, 0) * q + at(c, 1)) * q + at(c, 2)) * q + at(c, 3)) * q + at(c, 4)) * q + at(c, 5)) /
      ((((at(d, 0) * q + at(d, 1)) * q + at(d, 2)) * q + at(d, 3)) * q + 1);
    return p < low ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((at(a, 0) * r + at(a, 1)) * r + at(a, 2)) * r + at(a, 3)) * r + at(a, 4)) * r + at(a, 5)) * q) /
    (((((at(b, 0) * r + at(b, 1)) * r + at(b, 2)) * r + at(b, 3)) * r + at(b, 4)) * r + 1)
  );
}

/**
 * Quantiles of NB(mean, size) (Poisson when `size` is `null`): for each probability `p`, in increasing
 * order, the smallest integer `k` with P(Y ≤ k) ≥ p. Sums the pmf by its recurrence in log space from
 * 12 sd below the mean (one pass for all probabilities); above a mean of 1e5, the normal approximation with the same variance.
 * A mean of 0 gives 0; a non-finite mean gives the mean itself.
 */
export function countQuantiles(
  mean: number,
  size: number | null,
  probabilities: readonly number[],
): number[] {
  if (!(mean > 0)) return probabilities.map(() => 0);
  if (!Number.isFinite(mean)) return probabilities.map(() => mean);
  if (mean > NORMAL_APPROXIMATION_MEAN) {
    const sd = Math.sqrt(mean + (size === null ? 0 : (mean * mean) / size));
    return probabilities.map((p) => Math.max(0, Math.ceil(mean + sd * normalQuantile(p) - 0.5)));
  }
  const out: number[] = [];
  const logRatio = size === null ? 0 : Math.log(mean) - Math.log(mean + size);
  const sd = Math.sqrt(mean + (size === null ? 0 : (mean * mean) / size));
  // Start 12 sd below the mean (the mass below is under 1e-30): O(sd) steps instead of O(mean).
  let k = Math.max(0, Math.floor(mean - 12 * sd));
  let logP = countLogPmf(k, mean, size);
  let cdf = Math.exp(logP);
  // Past mean + 60 sd the tail is below double precision: stop there whatever p asks.
  const limit = Math.ceil(mean + 60 * sd + 10);
  for (const p of probabilities) {
    while (cdf < p && k < limit) {
      logP += size === null ? Math.log(mean / (k + 1)) : Math.log((k + size) / (k + 1)) + logRatio;
      k += 1;
      cdf += Math.exp(logP);
    }
    out.push(k);
  }
  return out;
}

/** Bounds of the size search, and the size from which the fit is reported as Poisson (`null`). */
const MIN_SIZE = 0.05;
const MAX_SIZE = 1e6;

/**
 * Maximum-likelihood size `r` of NB(mean_i, r) for observed counts `y_i`, with the means fixed: a golden
 * section search on ln r over [0.05, 1e6]. Returns `null` (Poisson) when the optimum is at the upper end,
 * i.e. the counts are no more dispersed than Poisson.
 */
export function fitNegativeBinomialSize(counts: readonly number[], means: readonly number[]): number | null {
  const n = Math.min(counts.length, means.length);
  const logLik = (logSize: number): number => {
    const size = Math.exp(logSize);
    let total = 0;
    for (let i = 0; i < n; i++) total += countLogPmf(counts[i] ?? 0, Math.max(means[i] ?? 0, 1e-9), size);
    return total;
  };
  let lo = Math.log(MIN_SIZE);
  let hi = Math.log(MAX_SIZE);
  const phi = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - phi * (hi - lo);
  let x2 = lo + phi * (hi - lo);
  let f1 = logLik(x1);
  let f2 = logLik(x2);
  while (hi - lo > 1e-4) {
    if (f1 < f2) {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + phi * (hi - lo);
      f2 = logLik(x2);
    } else {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - phi * (hi - lo);
      f1 = logLik(x1);
    }
  }
  const best = (lo + hi) / 2;
  // At the upper bound the likelihood is still rising: the data are Poisson (or under-dispersed).
  if (best > Math.log(MAX_SIZE) - 0.01) return null;
  return Math.exp(best);
}

const INTERVAL_80 = [0.1, 0.9] as const;

/** Share of counts inside their 80% interval under NB(mean_i, size) (Poisson when `size` is `null`). */
export function coverage80(counts: readonly number[], means: readonly number[], size: number | null): number {
  let inside = 0;
  const n = Math.min(counts.length, means.length);
  for (let i = 0; i < n; i++) {
    const v = counts[i] ?? 0;
    const [lo = 0, hi = 0] = countQuantiles(means[i] ?? 0, size, INTERVAL_80);
    if (v >= lo && v <= hi) inside += 1;
  }
  return inside / Math.max(1, n);
}

/**
 * The size (on a log grid from 0.5 to 5000, or Poisson) whose 80% interval covers the counts closest to 80%
 * (a split-conformal choice of the dispersion); on a tie, the one nearest `start` (e.g. the likelihood's).
 */
export function coverageNegativeBinomialSize(
  counts: readonly number[],
  means: readonly number[],
  start: number | null,
): number | null {
  const candidates: (number | null)[] = [null];
  for (let k = 0; k <= 40; k++) candidates.push(0.5 * 10 ** (k / 10));
  const distance = (size: number | null) => Math.abs(Math.log(size ?? 1e6) - Math.log(start ?? 1e6));
  let best = { size: start, gap: Math.abs(coverage80(counts, means, start) - 0.8) };
  for (const size of candidates) {
    const gap = Math.abs(coverage80(counts, means, size) - 0.8);
    if (gap < best.gap - 1e-12 || (Math.abs(gap - best.gap) <= 1e-12 && distance(size) < distance(best.size)))
      best = { size, gap };
  }
  return best.size;
}
