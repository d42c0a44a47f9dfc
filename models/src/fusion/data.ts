/**
 * The fusion network's inputs: the training set's shape, its validation up front, the time-ordered
 * validation split and the input standardisation.
 */
import { ModelInputError } from '../errors.js';

/** One feature row: the concatenation of the branch vectors (any array of numbers). */
export type FusionRow = ArrayLike<number>;

/** A named slice of the input row: the branches are concatenated in this order. */
export interface FusionBranch {
  readonly name: string;
  readonly width: number;
}

/**
 * Branches from a `{ name: width }` record, in its key order: `fusionBranches(BRANCH_SIZES)` gives the
 * live product's crimeStatistics 128, trend 64, profile 32.
 */
export function fusionBranches(sizes: Readonly<Record<string, number>>): FusionBranch[] {
  return Object.entries(sizes).map(([name, width]) => ({ name, width }));
}

/** Training examples for the fusion network, one entry per row in every array. */
export interface FusionTrainingSet {
  /** Feature rows, all of one width: the concatenation of the branch vectors. */
  readonly rows: readonly FusionRow[];
  /** Class of the next period per row: an integer in [0, K), ordered (K - 1 = the highest activity). */
  readonly classes: readonly number[];
  /** Observed count of the next period per row, finite and ≥ 0. */
  readonly counts: readonly number[];
  /**
   * Time key per row (the period predicted, or its origin: a year, a week index, epoch ms). The rows with
   * the latest keys form the validation split; rows sharing a key are never split between the two.
   */
  readonly times: readonly number[];
  /**
   * Optional baseline expected count per row (finite, > 0), e.g. the mean of the last 4 periods. When
   * given, the count head learns a residual: expected = baseline × exp(output); every later prediction
   * must then pass a baseline too.
   */
  readonly baselines?: readonly number[];
}

/** Throws ModelInputError unless `row` has `width` finite numbers; `what` names the row in the message. */
export function checkRow(row: FusionRow, width: number, what: string): void {
  if (row.length !== width) {
    throw new ModelInputError(`${what}: expected ${width} features, got ${row.length}`);
  }
  for (let j = 0; j < width; j++) {
    const value = row[j];
    if (value === undefined || !Number.isFinite(value)) {
      throw new ModelInputError(`${what}: feature ${j} is ${String(value)}, not a finite number`);
    }
  }
}

/** Throws ModelInputError unless `baseline` is a finite number > 0. */
export function checkBaseline(baseline: number | undefined, what: string): number {
  if (baseline === undefined || !Number.isFinite(baseline) || baseline <= 0) {
    throw new ModelInputError(`${what}: baseline is ${String(baseline)}, not a finite number > 0`);
  }
  return baseline;
}

/** Validates every array of a training set against each other and against K classes; returns the width. */
export function checkTrainingSet(data: FusionTrainingSet, classCount: number): number {
  const n = data.rows.length;
  const first = data.rows[0];
  if (first === undefined) throw new ModelInputError('fusion: no training rows');
  const width = first.length;
  if (width === 0) throw new ModelInputError('fusion: rows have no features');
  const lengths: [string, number | undefined][] = [
    ['classes', data.classes.length],
    ['counts', data.counts.length],
    ['times', data.times.length],
    ['baselines', data.baselines?.length],
  ];
  for (const [name, length] of lengths) {
    if (length !== undefined && length !== n) {
      throw new ModelInputError(`fusion: ${n} rows but ${length} ${name}`);
    }
  }
  for (let i = 0; i < n; i++) {
    checkRow(data.rows[i] ?? [], width, `fusion: row ${i}`);
    const label = data.classes[i];
    if (label === undefined || !Number.isInteger(label) || label < 0 || label >= classCount) {
      throw new ModelInputError(
        `fusion: row ${i}: class ${String(label)} is not an integer in [0, ${classCount})`,
      );
    }
    const count = data.counts[i];
    if (count === undefined || !Number.isFinite(count) || count < 0) {
      throw new ModelInputError(`fusion: row ${i}: count ${String(count)} is not a finite number ≥ 0`);
    }
    const time = data.times[i];
    if (time === undefined || !Number.isFinite(time)) {
      throw new ModelInputError(`fusion: row ${i}: time key ${String(time)} is not a finite number`);
    }
    if (data.baselines) checkBaseline(data.baselines[i], `fusion: row ${i}`);
  }
  return width;
}

/** Row indices of the two parts of a time-ordered split, and the time keys that bound them. */
export interface TimeSplit {
  readonly training: Int32Array;
  readonly validation: Int32Array;
  /** The smallest validation time key: every training row is strictly earlier. */
  readonly cutoff: number;
  readonly trainingFrom: number;
  readonly trainingTo: number;
  readonly validationTo: number;
}

/**
 * The last `fraction` of the rows by time key is validation, the rest training. The cut falls on a time
 * key: with rows sorted by time, the key of row floor((1 - fraction) × n) and every later key are
 * validation, so one period is never split (moved up to the next key when that row is the first one).
 * Needs at least two distinct keys. Indices keep the input order within each part.
 */
export function timeOrderedSplit(times: readonly number[], fraction: number): TimeSplit {
  const n = times.length;
  const sorted = [...times].sort((a, b) => a - b);
  const first = sorted[0];
  const last = sorted[n - 1];
  if (first === undefined || last === undefined || first === last) {
    throw new ModelInputError(
      'fusion: the time keys need at least two distinct values for a validation split',
    );
  }
  let cutoff = sorted[Math.min(n - 1, Math.floor((1 - fraction) * n))] ?? last;
  // The earliest key cannot be validation: training would be empty.
  if (cutoff === first) cutoff = sorted.find((t) => t > first) ?? last;
  const training: number[] = [];
  const validation: number[] = [];
  let trainingTo = first;
  for (let i = 0; i < n; i++) {
    const t = times[i] ?? 0;
    if (t >= cutoff) validation.push(i);
    else {
      training.push(i);
      if (t > trainingTo) trainingTo = t;
    }
  }
  return {
    training: Int32Array.from(training),
    validation: Int32Array.from(validation),
    cutoff,
    trainingFrom: first,
    trainingTo,
    validationTo: last,
  };
}

/** Per-column mean and standard deviation of the training rows; a constant column has sd 0. */
export interface Standardisation {
  readonly means: Float64Array;
  readonly sds: Float64Array;
}

/** A column whose sd is below this × max(1, |mean|) is constant: its standardised value is always 0. */
const CONSTANT_TOLERANCE = 1e-9;

/**
 * Means and (population) standard deviations over the rows `indices`, in float64. Columns that are
 * constant in training get sd 0, and `standardiseInto` maps them to 0 whatever the value: a value never
 * seen in training cannot move the output through weights that never learned from it.
 */
export function fitStandardisation(
  rows: readonly FusionRow[],
  indices: Int32Array,
  width: number,
): Standardisation {
  const means = new Float64Array(width);
  const sds = new Float64Array(width);
  for (const i of indices) {
    const row = rows[i] ?? [];
    for (let j = 0; j < width; j++) means[j] = (means[j] ?? 0) + (row[j] ?? 0);
  }
  for (let j = 0; j < width; j++) means[j] = (means[j] ?? 0) / indices.length;
  for (const i of indices) {
    const row = rows[i] ?? [];
    for (let j = 0; j < width; j++) {
      const d = (row[j] ?? 0) - (means[j] ?? 0);
      sds[j] = (sds[j] ?? 0) + d * d;
    }
  }
  for (let j = 0; j < width; j++) {
    const sd = Math.sqrt((sds[j] ?? 0) / indices.length);
    sds[j] = sd <= CONSTANT_TOLERANCE * Math.max(1, Math.abs(means[j] ?? 0)) ? 0 : sd;
  }
  return { means, sds };
}

/** Writes the standardised `row` into `out` at `offset`: (x - mean) / sd, 0 for a constant column. */
export function standardiseInto(row: FusionRow, s: Standardisation, out: Float32Array, offset: number): void {
  const { means, sds } = s;
  for (let j = 0; j < means.length; j++) {
    const sd = sds[j] ?? 0;
    out[offset + j] = sd === 0 ? 0 : ((row[j] ?? 0) - (means[j] ?? 0)) / sd;
  }
}
