import { mulberry32 } from '@district-monitor/streams/random';

/** A seeded PRNG (the workspace's mulberry32) with the few distributions the forecasters draw from. */
export class Random {
  private readonly uniform: () => number;
  // A number field plus a flag: a field that flips between undefined and a double would box every double.
  private spare = 0;
  private hasSpare = false;

  constructor(seed: number) {
    this.uniform = mulberry32(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uniform();
  }

  /** Standard normal (Marsaglia's polar method; the second of each pair is kept for the next call). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number;
    let v: number;
    let r: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      r = u * u + v * v;
    } while (r >= 1 || r === 0);
    const factor = Math.sqrt((-2 * Math.log(r)) / r);
    this.spare = v * factor;
    this.hasSpare = true;
    return u * factor;
  }

  /** Laplace(0, scale). */
  laplace(scale: number): number {
    const u = this.next() - 0.5;
    return -scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
  }

  /** Poisson(mean): Knuth's product method below 30, a rounded normal above. */
  poisson(mean: number): number {
    if (!(mean > 0)) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let n = 0;
    for (let p = this.next(); p > limit; p *= this.next()) n++;
    return n;
  }
}

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9).
 * @param p probability in (0, 1)
 */
export function normalQuantile(p: number): number {
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
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
      ((((d0 * q + d1) * q + d2) * q + d3) * q + 1)
    );
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return (
      -(((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) /
      ((((d0 * q + d1) * q + d2) * q + d3) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) /
    (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1)
  );
}

/**
 * The `q`-quantile of `values` (linear interpolation between order statistics, numpy's default), found
 * by selection in place: `values` is reordered.
 */
export function quantileInPlace(values: Float64Array, q: number): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const position = q * (n - 1);
  const lowIndex = Math.floor(position);
  const low = select(values, lowIndex, 0, n - 1);
  if (lowIndex + 1 >= n || position === lowIndex) return low;
  // After the selection everything right of lowIndex is >= low: the next order statistic is its minimum.
  let next = Number.POSITIVE_INFINITY;
  for (let i = lowIndex + 1; i < n; i++) next = Math.min(next, values[i] as number);
  return low + (position - lowIndex) * (next - low);
}

/**
 * Both bounds of a central interval, `[(1 - width)/2, (1 + width)/2]`-quantiles, by two selections (the
 * second over the part right of the first).
 */
export function centralInterval(values: Float64Array, width: number): [number, number] {
  const n = values.length;
  if (n === 0) return [Number.NaN, Number.NaN];
  const lowPosition = ((1 - width) / 2) * (n - 1);
  const highPosition = ((1 + width) / 2) * (n - 1);
  const a = Math.floor(lowPosition);
  const b = Math.floor(highPosition);
  const lowA = select(values, a, 0, n - 1);
  const lowB = a + 1 < n ? select(values, a + 1, a + 1, n - 1) : lowA;
  const highA = b > a + 1 ? select(values, b, a + 2, n - 1) : b === a + 1 ? lowB : lowA;
  const highB = b + 1 < n ? select(values, b + 1, b + 1, n - 1) : highA;
  return [lowA + (lowPosition - a) * (lowB - lowA), highA + (highPosition - b) * (highB - highA)];
}

/**
 * Hoare quickselect within [left, right]: puts the k-th smallest at index k, smaller ones left of it and
 * larger ones right of it.
 */
function select(values: Float64Array, k: number, left: number, right: number): number {
  while (right > left) {
    const pivot = values[(left + right) >>> 1] as number;
    let i = left;
    let j = right;
    while (i <= j) {
      while ((values[i] as number) < pivot) i++;
      while ((values[j] as number) > pivot) j--;
      if (i <= j) {
        const swap = values[i] as number;
        values[i] = values[j] as number;
        values[j] = swap;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return values[k] as number;
}
