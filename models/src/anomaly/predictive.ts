import { ModelInputError } from '../errors.js';
import { normalQuantile } from '../forecast/random.js';

/**
 * The scale a detector fits on. `sqrt` for counts of events (variance-stabilising for Poisson counts;
 * values must be >= 0, and the way back clamps at 0), `identity` for measurements of any sign.
 */
export type FittingScale = 'sqrt' | 'identity';

/** A value to the fitting scale. @throws ModelInputError for a negative value on the `sqrt` scale. */
export function toFittingScale(scale: FittingScale, value: number): number {
  if (scale === 'identity') return value;
  if (!(value >= 0)) throw new ModelInputError(`a count must be >= 0, got ${value}`);
  return Math.sqrt(value);
}

/** The fitting scale back to values (increasing, so quantiles map to quantiles). */
export function fromFittingScale(scale: FittingScale, z: number): number {
  if (scale === 'identity') return z;
  return z > 0 ? z * z : 0;
}

/**
 * The predictive distribution of one step's value, on the value scale (a count, or a measurement).
 */
export interface StepDistribution {
  /** Start of the step (epoch ms). */
  readonly at: number;
  /** The median. */
  readonly point: number;
  /** The value below which the step's value falls with probability `p`, 0 < p < 1. */
  quantile(p: number): number;
  /** The probability that the step's value is at most `value`. */
  cdf(value: number): number;
  /**
   * ln P(value' > value) and ln P(value' <= value), computed in log space so that far tails keep their
   * resolution (where `cdf` rounds to 1); -Infinity for an impossible side.
   */
  logTails(value: number): { readonly upper: number; readonly lower: number };
}

/** The serialised form of a {@link SplitNormalStep}. */
export interface SplitNormalStepJSON {
  readonly at: number;
  readonly center: number;
  readonly sdLow: number;
  readonly sdHigh: number;
}

/**
 * A split normal on the fitting scale: normal with `sdLow` below `center` and `sdHigh` above it (each half
 * keeps half the mass, so `center` is the median), carried to the value scale by the inverse transform.
 * With a zero spread on a side, all of that side's mass sits at `center`.
 */
export class SplitNormalStep implements StepDistribution {
  constructor(
    readonly at: number,
    /** Median on the fitting scale. */
    readonly center: number,
    readonly sdLow: number,
    readonly sdHigh: number,
    readonly scale: FittingScale,
  ) {}

  get point(): number {
    return fromFittingScale(this.scale, this.center);
  }

  quantile(p: number): number {
    if (!(p > 0 && p < 1)) throw new ModelInputError(`a quantile needs 0 < p < 1, got ${p}`);
    const z = normalQuantile(p);
    return fromFittingScale(this.scale, this.center + z * (z < 0 ? this.sdLow : this.sdHigh));
  }

  cdf(value: number): number {
    const x = this.standardised(value);
    if (x === Number.NEGATIVE_INFINITY) return 0;
    if (x === Number.POSITIVE_INFINITY) return 1;
    return normalCdf(x);
  }

  logTails(value: number): { readonly upper: number; readonly lower: number } {
    const x = this.standardised(value);
    return { upper: logNormalTail(x), lower: logNormalTail(-x) };
  }

  toJSON(): SplitNormalStepJSON {
    return { at: this.at, center: this.center, sdLow: this.sdLow, sdHigh: this.sdHigh };
  }

  /** The value as a standard normal deviate of its side; +-Infinity where that side has no spread. */
  standardised(value: number): number {
    if (Number.isNaN(value)) throw new ModelInputError('a predictive distribution cannot place NaN');
    // Below 0 on the sqrt scale: no count lies there.
    if (this.scale === 'sqrt' && value < 0) return Number.NEGATIVE_INFINITY;
    const d = toFittingScale(this.scale, value) - this.center;
    const sd = d < 0 ? this.sdLow : this.sdHigh;
    if (sd === 0) return d < 0 ? Number.NEGATIVE_INFINITY : d > 0 ? Number.POSITIVE_INFINITY : 0;
    return d / sd;
  }
}

/** ln of the standard normal upper tail, ln P(Z > x), without underflow for large x. */
export function logNormalTail(x: number): number {
  if (x === Number.POSITIVE_INFINITY) return Number.NEGATIVE_INFINITY;
  if (x === Number.NEGATIVE_INFINITY) return 0;
  // P(Z > x) = erfc(x / sqrt 2) / 2; below the median, 1 - P(Z > -x).
  return x >= 0 ? Math.log(0.5) + logErfc(x / Math.SQRT2) : Math.log1p(-0.5 * erfc(-x / Math.SQRT2));
}

/**
 * The standard normal CDF, from the complementary error function so that the lower tail keeps its
 * relative precision.
 */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** The complementary error function, to about 1e-14 relative. */
export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  return x < ERFC_SWITCH ? 1 - erfSeries(x) : Math.exp(logErfc(x));
}

/** Below this, erf by its Taylor series; above, erfc by its continued fraction. */
const ERFC_SWITCH = 2;
const LOG_SQRT_PI = 0.5 * Math.log(Math.PI);

/** erf(x) = 2/sqrt(pi) sum (-1)^n x^(2n+1) / (n! (2n+1)), for |x| < 2 (terms fall below 1e-17 of the sum). */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 100; n++) {
    term *= -x2 / n;
    const next = term / (2 * n + 1);
    sum += next;
    if (Math.abs(next) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/**
 * ln erfc(z) for z >= 0: by the series below 2, and above by Laplace's continued fraction
 * erfc(z) = exp(-z^2) / sqrt(pi) / (z + (1/2) / (z + 1 / (z + (3/2) / (z + ...)))), evaluated from 80 terms
 * down, which is exact to rounding from z = 2 on and never underflows.
 */
function logErfc(z: number): number {
  if (z < ERFC_SWITCH) return Math.log(1 - erfSeries(z));
  let f = z;
  for (let n = 80; n >= 1; n--) f = z + n / 2 / f;
  return -z * z - LOG_SQRT_PI - Math.log(f);
}
