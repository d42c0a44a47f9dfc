/**
 * A seeded synthetic training set for the fusion network, with known answers: used by the specs and the
 * benchmark. Rows are `districts` per period over `periods` periods (time key = period index), features
 * iid N(0, 1). The class is the tercile of feature 0 (cut at ±0.4307, the N(0, 1) terciles), so a perfect
 * classifier exists; the count is Poisson (or negative binomial with `size`) with mean
 * `rate × exp(rateSlope × feature 1)`, times a baseline when `baselines` is set.
 */
import { createRng } from './rng.js';
import type { FusionTrainingSet } from './data.js';

/** Parameters of `syntheticFusionSet`. */
export interface SyntheticFusionOptions {
  readonly periods: number;
  readonly districts: number;
  readonly width: number;
  readonly seed: number;
  /** Mean count at feature 1 = 0 (times the baseline when there is one). */
  readonly rate: number;
  /** Log-rate change per unit of feature 1. */
  readonly rateSlope: number;
  /** When true, each row gets a baseline uniform in [5, 50] that multiplies its mean. */
  readonly baselines?: boolean;
  /** Negative binomial size of the counts; Poisson when absent. */
  readonly size?: number;
}

/** The set, and each row's true mean count. */
export interface SyntheticFusionData extends FusionTrainingSet {
  readonly means: readonly number[];
}

/** The N(0, 1) tercile cut points. */
export const TERCILE_CUT = 0.4307;

/** A N(0, 1) draw from `random` (Box-Muller). */
export function normalDraw(random: () => number): number {
  // Box-Muller; 1 - u keeps the logarithm finite.
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function gamma(shape: number, random: () => number): number {
  // Marsaglia-Tsang, with the shape < 1 boost.
  if (shape < 1) return gamma(shape + 1, random) * Math.pow(random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normalDraw(random);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

function poisson(mean: number, random: () => number): number {
  // Inversion by the pmf recurrence from 0; a normal approximation where exp(-mean) would underflow.
  if (mean > 500) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normalDraw(random)));
  const u = random();
  let k = 0;
  let p = Math.exp(-mean);
  let cdf = p;
  while (cdf < u && k < 10 * mean + 100) {
    k += 1;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

/** A negative binomial draw of `mean` and `size`: a Poisson of a gamma(size, mean / size) rate. */
export function negativeBinomialDraw(random: () => number, mean: number, size: number): number {
  return poisson((gamma(size, random) * mean) / size, random);
}

/** Builds the set; the same options give the same rows. */
export function syntheticFusionSet(options: SyntheticFusionOptions): SyntheticFusionData {
  const random = createRng(options.seed);
  const rows: Float32Array[] = [];
  const classes: number[] = [];
  const counts: number[] = [];
  const times: number[] = [];
  const baselines: number[] = [];
  const means: number[] = [];
  for (let t = 0; t < options.periods; t++) {
    for (let d = 0; d < options.districts; d++) {
      const row = new Float32Array(options.width);
      for (let j = 0; j < options.width; j++) row[j] = normalDraw(random);
      const x0 = row[0] ?? 0;
      const baseline = options.baselines ? 5 + 45 * random() : 1;
      const mean = baseline * options.rate * Math.exp(options.rateSlope * (row[1] ?? 0));
      const lambda = options.size === undefined ? mean : (gamma(options.size, random) * mean) / options.size;
      rows.push(row);
      classes.push(x0 < -TERCILE_CUT ? 0 : x0 < TERCILE_CUT ? 1 : 2);
      counts.push(poisson(lambda, random));
      times.push(t);
      baselines.push(baseline);
      means.push(mean);
    }
  }
  return { rows, classes, counts, times, means, ...(options.baselines ? { baselines } : {}) };
}
