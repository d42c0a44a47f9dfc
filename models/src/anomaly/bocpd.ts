import { ModelInputError } from '../errors.js';
import { requireNumber } from '../forecast/series.js';
import { logGamma } from '../fusion/count-distribution.js';

/** Options of {@link BocpdDetector}; every one has a default in {@link BOCPD_DEFAULTS}. */
export interface BocpdOptions {
  /** Expected run length between changepoints (the hazard is its inverse, constant). Default 250. */
  readonly expectedRunLength: number;
  /** Longest run length tracked; longer runs are merged into it (bounded memory and work). Default 200. */
  readonly maxRunLength: number;
  /** Values that set the prior (their mean and variance) before anything is scored. Default 150. */
  readonly warmup: number;
  /** The change probability is the posterior mass of run lengths below this. Default 10. */
  readonly shortRun: number;
}

export const BOCPD_DEFAULTS: Readonly<BocpdOptions> = Object.freeze({
  expectedRunLength: 250,
  maxRunLength: 200,
  warmup: 150,
  shortRun: 10,
});

/** One scored value of {@link BocpdDetector}. */
export interface BocpdScore {
  /** Posterior probability that the current run is shorter than `shortRun` (a recent change); 0 in warm-up. */
  readonly changeProbability: number;
  /** The most probable run length (values since the last change), or null in warm-up. */
  readonly runLength: number | null;
  /** -log10 of the value's predictive density (the run-length mixture of Student-t), in units of the prior's sd. */
  readonly surprise: number;
}

/** Sufficient statistics of one run under the Normal-Gamma model, and its log posterior probability. */
interface Run {
  logP: number;
  mu: number;
  kappa: number;
  alpha: number;
  beta: number;
}

/**
 * Bayesian online changepoint detection (Adams & MacKay 2007), streaming: a posterior over the run length (values
 * since the last change) updated with each value. Each run has a Normal-Gamma posterior over the mean and precision,
 * so a value's predictive density is a Student-t; the hazard of a change is constant (1 / `expectedRunLength`).
 * The prior is the warm-up's mean and variance (kappa 1, alpha 1). Run lengths beyond `maxRunLength` are merged
 * into the longest one, so memory and work are O(`maxRunLength`) per value. Probabilities are kept as logs.
 *
 * Written for issue 18 as a candidate component of the NAB detector (docs/surge-detection.md, round four).
 */
export class BocpdDetector {
  readonly options: Readonly<BocpdOptions>;
  private pushed = 0;
  private sum = 0;
  private sumSquares = 0;
  private prior: Omit<Run, 'logP'> | null = null;
  private scale = 1;
  private runs: Run[] = [];

  constructor(options: Partial<BocpdOptions> = {}) {
    const o = { ...BOCPD_DEFAULTS, ...options };
    requireNumber('expectedRunLength', o.expectedRunLength, 1, 1e9);
    requireNumber('maxRunLength', o.maxRunLength, 2, 100_000, true);
    requireNumber('warmup', o.warmup, 2, 1_000_000, true);
    requireNumber('shortRun', o.shortRun, 1, o.maxRunLength, true);
    this.options = Object.freeze(o);
  }

  /** Values seen so far. */
  get count(): number {
    return this.pushed;
  }

  /** The posterior over run lengths 0, 1, ... (merged at `maxRunLength`), summing to 1; empty in warm-up. */
  get runLengthPosterior(): number[] {
    return this.runs.map((r) => Math.exp(r.logP));
  }

  /**
   * Updates the run-length posterior with `value`.
   * @throws ModelInputError when the value is not finite.
   */
  update(value: number): BocpdScore {
    if (!Number.isFinite(value)) throw new ModelInputError(`update: value must be finite, got ${value}`);
    const o = this.options;
    this.pushed++;
    if (this.prior === null) {
      this.sum += value;
      this.sumSquares += value * value;
      if (this.pushed === o.warmup) {
        const mean = this.sum / o.warmup;
        const variance = Math.max(0, this.sumSquares / o.warmup - mean * mean);
        // A flat warm-up still needs a spread: a thousandth of the level, or an absolute floor.
        const floor = Math.max((Math.abs(mean) * 1e-3) ** 2, 1e-12);
        const beta = Math.max(variance, floor);
        this.prior = { mu: mean, kappa: 1, alpha: 1, beta };
        this.scale = Math.sqrt(beta);
        this.runs = [{ logP: 0, ...this.prior }];
      }
      return { changeProbability: 0, runLength: null, surprise: 0 };
    }

    const logHazard = -Math.log(o.expectedRunLength);
    const logSurvive = Math.log1p(-1 / o.expectedRunLength);
    const growth: Run[] = [];
    const joint: number[] = [];
    for (const r of this.runs) {
      const logPredictive = studentTLogDensity(value, r);
      joint.push(r.logP + logPredictive);
      const kappa = r.kappa + 1;
      growth.push({
        logP: r.logP + logPredictive + logSurvive,
        mu: (r.kappa * r.mu + value) / kappa,
        kappa,
        alpha: r.alpha + 0.5,
        beta: r.beta + (r.kappa * (value - r.mu) ** 2) / (2 * kappa),
      });
    }
    const evidence = logSumExp(joint);
    const next: Run[] = [{ logP: evidence + logHazard, ...this.prior }, ...growth];
    if (next.length > o.maxRunLength) {
      const last = next.pop() as Run;
      const kept = next[next.length - 1] as Run;
      kept.logP = logSumExp([kept.logP, last.logP]);
    }
    const total = logSumExp(next.map((r) => r.logP));
    let best = 0;
    let change = 0;
    for (let i = 0; i < next.length; i++) {
      const r = next[i] as Run;
      r.logP -= total;
      if (r.logP > (next[best] as Run).logP) best = i;
      if (i < o.shortRun) change += Math.exp(r.logP);
    }
    this.runs = next;
    const surprise = -(evidence + Math.log(this.scale)) / Math.LN10;
    return { changeProbability: Math.min(1, change), runLength: best, surprise };
  }
}

/** log of the Student-t predictive density of the Normal-Gamma posterior `r` at x. */
function studentTLogDensity(x: number, r: Omit<Run, 'logP'>): number {
  const nu = 2 * r.alpha;
  const scale2 = (r.beta * (r.kappa + 1)) / (r.alpha * r.kappa);
  const z2 = (x - r.mu) ** 2 / scale2;
  return (
    logGamma((nu + 1) / 2) -
    logGamma(nu / 2) -
    0.5 * Math.log(nu * Math.PI * scale2) -
    ((nu + 1) / 2) * Math.log1p(z2 / nu)
  );
}

function logSumExp(xs: readonly number[]): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const x of xs) if (x > max) max = x;
  if (max === Number.NEGATIVE_INFINITY) return max;
  let s = 0;
  for (const x of xs) s += Math.exp(x - max);
  return max + Math.log(s);
}
