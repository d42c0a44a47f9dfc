/**
 * The evaluation's scores, one definition each. Classes are ordered 0..K-1 (low, middle, high).
 */

/** Share of predictions equal to the truth. */
export function accuracy(truth: readonly number[], predicted: readonly number[]): number {
  sameLength(truth, predicted);
  let right = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) right++;
  return right / truth.length;
}

/** Mean over the K classes of each class's F1 (a class never predicted nor true scores 0 and still counts). */
export function macroF1(truth: readonly number[], predicted: readonly number[], classes: number): number {
  sameLength(truth, predicted);
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < truth.length; i++) {
      if (predicted[i] === c && truth[i] === c) tp++;
      else if (predicted[i] === c) fp++;
      else if (truth[i] === c) fn++;
    }
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return sum / classes;
}

/**
 * Multi-class Brier score: the mean over predictions of sum over classes of (p_c - [c is true])^2, between 0
 * (certain and right) and 2 (certain and wrong). A model without probabilities is scored on its one-hot vote.
 */
export function brier(truth: readonly number[], probabilities: readonly (readonly number[])[]): number {
  sameLength(truth, probabilities);
  let sum = 0;
  for (let i = 0; i < truth.length; i++) {
    const p = probabilities[i] ?? [];
    for (let c = 0; c < p.length; c++) sum += ((p[c] ?? 0) - (truth[i] === c ? 1 : 0)) ** 2;
  }
  return sum / truth.length;
}

/** Probability vector putting everything on one class. */
export function oneHot(k: number, classes: number): number[] {
  return Array.from({ length: classes }, (_, c) => (c === k ? 1 : 0));
}

/** Index of the largest probability (the first on a tie). */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++)
    if ((values[i] ?? -Infinity) > (values[best] ?? -Infinity)) best = i;
  return best;
}

/**
 * The MASE scale of one series: the mean absolute one-step change over its training part (the in-sample
 * error of the last-value naive forecast; Hyndman & Koehler 2006).
 */
export function naiveScale(training: readonly number[]): number {
  if (training.length < 2) throw new RangeError('a MASE scale needs at least two training values');
  let sum = 0;
  for (let i = 1; i < training.length; i++) sum += Math.abs((training[i] ?? 0) - (training[i - 1] ?? 0));
  return sum / (training.length - 1);
}

/**
 * Mean absolute scaled error over predictions of several series: each absolute error divided by its
 * series' `naiveScale`, then averaged (equal to the mean of the series' MASE when they have as many test
 * points each).
 */
export function mase(
  truth: readonly number[],
  predicted: readonly number[],
  scales: readonly number[],
): number {
  sameLength(truth, predicted);
  sameLength(truth, scales);
  let sum = 0;
  for (let i = 0; i < truth.length; i++) {
    const scale = scales[i] ?? NaN;
    if (!(scale > 0)) throw new RangeError(`MASE scale of prediction ${i} is ${scale}, not positive`);
    sum += Math.abs((truth[i] ?? 0) - (predicted[i] ?? 0)) / scale;
  }
  return sum / truth.length;
}

/** Share of outcomes inside their closed interval [lo, hi]. */
export function coverage(
  truth: readonly number[],
  intervals: readonly (readonly [number, number])[],
): number {
  sameLength(truth, intervals);
  let inside = 0;
  for (let i = 0; i < truth.length; i++) {
    const [lo, hi] = intervals[i] ?? [NaN, NaN];
    const y = truth[i] ?? NaN;
    if (y >= lo && y <= hi) inside++;
  }
  return inside / truth.length;
}

/** Type-7 quantile (linear between order statistics, as numpy's default). */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('quantile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * p;
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  const a = sorted[lo] ?? NaN;
  const b = sorted[hi] ?? NaN;
  return a + (b - a) * (position - lo);
}

/** Terciles of a history: the class of x is 0 when x <= t1, 1 when x <= t2, else 2. */
export interface Terciles {
  readonly t1: number;
  readonly t2: number;
}

export function terciles(history: readonly number[]): Terciles {
  return { t1: quantile(history, 1 / 3), t2: quantile(history, 2 / 3) };
}

export function tercileOf(x: number, t: Terciles): number {
  return x <= t.t1 ? 0 : x <= t.t2 ? 1 : 2;
}

function sameLength(a: readonly unknown[], b: readonly unknown[]): void {
  if (a.length !== b.length) throw new RangeError(`${a.length} truths but ${b.length} predictions`);
  if (a.length === 0) throw new RangeError('nothing to score');
}

/** One bin of a reliability table: predicted probabilities in [from, to) against the observed frequency. */
export interface ReliabilityBin {
  readonly from: number;
  readonly to: number;
  /** Class probabilities in the bin (every class of every prediction counts once: one-vs-rest). */
  readonly n: number;
  /** Mean predicted probability in the bin (null when empty). */
  readonly predicted: number | null;
  /** Share of them whose class was the true one (null when empty). */
  readonly observed: number | null;
}

/**
 * Reliability table of class probabilities, one-vs-rest over all classes: `bins` equal-width bins of the
 * predicted probability (the last includes 1), each with its mean prediction and the observed frequency.
 */
export function reliability(
  truth: readonly number[],
  probabilities: readonly (readonly number[])[],
  bins = 10,
): ReliabilityBin[] {
  sameLength(truth, probabilities);
  const n = new Array<number>(bins).fill(0);
  const sumP = new Array<number>(bins).fill(0);
  const hits = new Array<number>(bins).fill(0);
  probabilities.forEach((row, i) => {
    row.forEach((p, c) => {
      const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
      n[b] = (n[b] ?? 0) + 1;
      sumP[b] = (sumP[b] ?? 0) + p;
      if (truth[i] === c) hits[b] = (hits[b] ?? 0) + 1;
    });
  });
  return n.map((count, b) => ({
    from: b / bins,
    to: (b + 1) / bins,
    n: count,
    predicted: count === 0 ? null : (sumP[b] ?? 0) / count,
    observed: count === 0 ? null : (hits[b] ?? 0) / count,
  }));
}
