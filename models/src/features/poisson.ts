import { FeatureInputError } from './errors.js';

/** Tail probabilities below this are treated as equal to it: {@link surprise} is at most 12. */
export const MIN_TAIL_PROBABILITY = 1e-12;

const EPSILON = 1e-15;
const MAX_ITERATIONS = 100_000;
const TINY = 1e-300;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * P(X >= observed) for X ~ Poisson(mean): the regularized lower incomplete gamma function
 * P(observed, mean), by its series below `observed + 1` and by the continued fraction of the upper
 * function above, with the prefactor in log space. Accurate to about 1e-10 relative for means up to 1e5.
 * Edge cases: `observed` 0 gives 1; `mean` 0 gives 0 for any positive `observed`.
 * @throws FeatureInputError when `observed` is not a non-negative integer or `mean` not a finite non-negative number.
 */
export function poissonUpperTail(observed: number, mean: number): number {
  if (!Number.isSafeInteger(observed) || observed < 0) {
    throw new FeatureInputError(`observed must be a non-negative integer, got ${observed}`);
  }
  if (!Number.isFinite(mean) || mean < 0) {
    throw new FeatureInputError(`mean must be a finite non-negative number, got ${mean}`);
  }
  if (observed === 0) return 1;
  if (mean === 0) return 0;
  const p = mean < observed + 1 ? lowerGammaSeries(observed, mean) : 1 - upperGammaFraction(observed, mean);
  return Math.min(1, Math.max(0, p));
}

/** `-log10(max(p, 1e-12))`: 0 for an unremarkable count, 12 for one the baseline all but rules out. */
export function surprise(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) throw new FeatureInputError(`not a probability: ${p}`);
  // 0 - ... keeps -log10(1) from being -0.
  return 0 - Math.log10(Math.max(p, MIN_TAIL_PROBABILITY));
}

/** P(a, x) = e^-x x^a / Gamma(a) * sum_n x^n / (a (a+1) ... (a+n)), for x < a + 1. */
function lowerGammaSeries(a: number, x: number): number {
  let term = 1 / a;
  let total = term;
  for (let n = 1; n <= MAX_ITERATIONS; n++) {
    term *= x / (a + n);
    total += term;
    if (term < total * EPSILON) return total * Math.exp(logPrefix(a, x));
  }
  throw new FeatureInputError(`Poisson tail series did not converge for observed ${a}, mean ${x}`);
}

/** Q(a, x) = 1 - P(a, x) by the modified Lentz continued fraction, for x >= a + 1. */
function upperGammaFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i <= MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) return h * Math.exp(logPrefix(a, x));
  }
  throw new FeatureInputError(`Poisson tail fraction did not converge for observed ${a}, mean ${x}`);
}

/**
 * ln(e^-x x^a / Gamma(a)), written as a ln(x/a) + a - x + ln(a)/2 - ln(2 pi)/2 - stirlerr(a) so that the
 * large terms of a ln x and ln Gamma(a) cancel exactly instead of in floating point.
 */
function logPrefix(a: number, x: number): number {
  const t = (x - a) / a;
  return a * Math.log1p(t) - (x - a) + 0.5 * Math.log(a) - HALF_LOG_2PI - stirlingError(a);
}

/** ln Gamma(a) - ((a - 1/2) ln a - a + ln(2 pi)/2), for a > 0. */
function stirlingError(a: number): number {
  if (a >= 20) {
    const inverse = 1 / a;
    const square = inverse * inverse;
    return inverse * (1 / 12 - square * (1 / 360 - square * (1 / 1260 - square / 1680)));
  }
  // ln Gamma(a) = ln Gamma(a + n) - ln(a (a+1) ... (a+n-1)), with a + n >= 20 taken by the series.
  let shifted = a;
  let logProduct = 0;
  while (shifted < 20) {
    logProduct += Math.log(shifted);
    shifted += 1;
  }
  const logGammaShifted =
    (shifted - 0.5) * Math.log(shifted) - shifted + HALF_LOG_2PI + stirlingError(shifted);
  const logGamma = logGammaShifted - logProduct;
  return logGamma - ((a - 0.5) * Math.log(a) - a + HALF_LOG_2PI);
}
