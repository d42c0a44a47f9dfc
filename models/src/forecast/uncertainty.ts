import { normalQuantile, type Random } from './random.js';

/** What Prophet's predictive simulation needs from a fit, all on the model's scaled axes. */
export interface TrendUncertaintyInput {
  /** Point forecast of each future step, on the fitting scale (the model's `yhat`). */
  readonly point: ArrayLike<number>;
  /** Scaled time of each future step: (ds - first ds) / (last ds - first ds), so above 1. */
  readonly t: ArrayLike<number>;
  /** Number of potential changepoints of the fit (S). */
  readonly changepoints: number;
  /** Mean absolute changepoint rate change of the fit (the Laplace scale of new changes). */
  readonly meanAbsDelta: number;
  /** Observation noise, scaled (sigma_obs). */
  readonly sigma: number;
  /** The factor from scaled to fitting units (augurs' absmax `y_scale`). */
  readonly yScale: number;
  readonly samples: number;
  /** Central interval width, e.g. 0.8. */
  readonly width: number;
  readonly random: Random;
}

/**
 * Prophet's predictive intervals (`sample_predictive_trend` + observation noise of Prophet's Python
 * `forecaster.py`), drawn from a seeded generator so that a fit is reproducible: each sample adds
 * Poisson(S (T - 1)) new changepoints uniformly in (1, T], T the last scaled future time, with Laplace(0,
 * mean |delta|) rate changes, and Normal(0, sigma) noise (one draw per sample, shared by its steps: each
 * step's distribution, all an interval reads, is Prophet's); the bounds are the (1 -+ width)/2 quantiles of
 * the samples (numpy's linear interpolation), step by step. Seasonal terms are fixed at their MAP values, as
 * in Prophet without MCMC.
 */
export function trendUncertainty(input: TrendUncertaintyInput): { lower: Float64Array; upper: Float64Array } {
  const steps = input.point.length;
  const samples = Math.max(1, Math.floor(input.samples));
  const lower = new Float64Array(steps);
  const upper = new Float64Array(steps);
  if (steps === 0) return { lower, upper };
  const tMax = input.t[steps - 1] as number;
  const rate = input.changepoints * Math.max(0, tMax - 1);
  const scale = input.meanAbsDelta + 1e-8;
  // Each sample's new changepoints, sorted by time, stored flat: sample s owns [first[s], first[s + 1]).
  const first = new Int32Array(samples + 1);
  const at: number[] = [];
  const delta: number[] = [];
  const draw: { at: number; delta: number }[] = [];
  for (let s = 0; s < samples; s++) {
    first[s] = at.length;
    const n = input.random.poisson(rate);
    draw.length = 0;
    for (let c = 0; c < n; c++)
      draw.push({ at: 1 + input.random.next() * (tMax - 1), delta: input.random.laplace(scale) });
    draw.sort((x, y) => x.at - y.at);
    for (const change of draw) {
      at.push(change.at);
      delta.push(change.delta);
    }
  }
  first[samples] = at.length;
  // One noise draw per sample, shared by its steps: every step's marginal distribution (all that an
  // interval reads) is still Prophet's trend draw plus independent Normal(0, sigma) noise, and the samples'
  // order then changes little from step to step, so it is kept by insertion sort instead of selecting anew.
  const next = Int32Array.from(first.subarray(0, samples));
  const slope = new Float64Array(samples);
  const offset = new Float64Array(samples);
  const value = new Float64Array(samples);
  for (let s = 0; s < samples; s++) value[s] = input.sigma * input.random.normal();
  const noise = Float64Array.from(value);
  const order = Int32Array.from({ length: samples }, (_, s) => s).sort(
    (x, y) => (value[x] as number) - (value[y] as number),
  );
  const lowPosition = ((1 - input.width) / 2) * (samples - 1);
  const highPosition = ((1 + input.width) / 2) * (samples - 1);
  for (let h = 0; h < steps; h++) {
    const th = input.t[h] as number;
    for (let s = 0; s < samples; s++) {
      let c = next[s] as number;
      const end = first[s + 1] as number;
      if (c < end && (at[c] as number) < th) {
        let sl = slope[s] as number;
        let off = offset[s] as number;
        // Past changes add sum(delta_c * (t - at_c)) = slope * t - offset to the trend.
        while (c < end && (at[c] as number) < th) {
          sl += delta[c] as number;
          off += (delta[c] as number) * (at[c] as number);
          c++;
        }
        slope[s] = sl;
        offset[s] = off;
        next[s] = c;
      }
      value[s] = (slope[s] as number) * th - (offset[s] as number) + (noise[s] as number);
    }
    insertionSort(order, value);
    const base = input.point[h] as number;
    lower[h] = base + orderStatistic(order, value, lowPosition) * input.yScale;
    upper[h] = base + orderStatistic(order, value, highPosition) * input.yScale;
  }
  return { lower, upper };
}

/** In-sample bounds: the noise alone (no trend uncertainty inside the history), point +- z sigma y_scale. */
export function noiseBounds(
  point: ArrayLike<number>,
  sigma: number,
  yScale: number,
  width: number,
): { lower: Float64Array; upper: Float64Array } {
  const z = normalQuantile((1 + width) / 2) * sigma * yScale;
  const lower = new Float64Array(point.length);
  const upper = new Float64Array(point.length);
  for (let i = 0; i < point.length; i++) {
    lower[i] = (point[i] as number) - z;
    upper[i] = (point[i] as number) + z;
  }
  return { lower, upper };
}

/** Sorts the permutation `order` by `value`; cheap when it is nearly sorted already. */
function insertionSort(order: Int32Array, value: Float64Array): void {
  for (let i = 1; i < order.length; i++) {
    const item = order[i] as number;
    const v = value[item] as number;
    let j = i - 1;
    while (j >= 0 && (value[order[j] as number] as number) > v) {
      order[j + 1] = order[j] as number;
      j--;
    }
    order[j + 1] = item;
  }
}

/** Linear interpolation between order statistics (numpy's default quantile). */
function orderStatistic(order: Int32Array, value: Float64Array, position: number): number {
  const low = Math.floor(position);
  const a = value[order[low] as number] as number;
  if (low + 1 >= order.length) return a;
  const b = value[order[low + 1] as number] as number;
  return a + (position - low) * (b - a);
}
