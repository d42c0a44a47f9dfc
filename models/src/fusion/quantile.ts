/**
 * Quantile heads learnt by a network (issue 17's T2 interval): a small fully connected network on the
 * same rows as the fusion's point head, whose outputs are the quantiles of a scale-free target (T2: the
 * log ratio ln((y + 0.5) / (baseline + 0.5)), the scale the point head is a residual on), fitted by the
 * pinball (quantile) loss pooled over all rows (districts). The width of the band can then depend on the
 * inputs (holiday flags, recent volatility, the branches' disagreement, last year's ratios).
 *
 * - Non-crossing by construction: the output at the anchor level (the middle one, the median for 10/50/90)
 *   is a quantile itself; every level below it is the next one up minus softplus(output) + ε, every level
 *   above it the next one down plus softplus(output) + ε. An ensemble averages the members' quantile vectors,
 *   which keeps them ordered.
 * - Training (as the fusion network's loop, `train.ts`): time-ordered split (the latest `validationFraction`
 *   of the rows by time are never in a batch and stop the training early, best weights kept), seeded
 *   mini-batches, seeded dropout after the hidden layer, Adam, L2 on the kernels. The output biases start at
 *   the training rows' empirical quantiles, so the fit starts from the unconditional band.
 * - Separate from the point head: the fusion's expected count does not change.
 *
 * Conformalised quantile regression (Romano, Patterson and Candès 2019) on top of it: `ConformalBand`.
 */
import * as tf from '@tensorflow/tfjs-core';
// For its side effect: tfjs-layers registers tfjs-core's gradients (the Node build of tfjs-core's
// `register_all_gradients` cannot be imported alone); the network itself uses tfjs-core only.
import '@tensorflow/tfjs-layers';
import { ModelFormatError, ModelInputError } from '../errors.js';
import { jsonReader } from '../json-read.js';
import { decodeFloat32, encodeFloat32 } from './base64.js';
import { fitStandardisation, standardiseInto, timeOrderedSplit, type Standardisation } from './data.js';
import { createRng, deriveSeed, shuffleInPlace } from './rng.js';
import type { NetworkTraining } from './types.js';

/**
 * The scale-free target of count quantile heads: ln((y + 0.5) / (baseline + 0.5)), y floored at 0. A band
 * [lo, hi] on it maps back to counts as (baseline + 0.5) e^z - 0.5.
 */
export function countLogRatio(count: number, baseline: number): number {
  return Math.log((Math.max(count, 0) + 0.5) / (baseline + 0.5));
}

/** A band [lo, hi] of `countLogRatio` mapped back to counts, floored at 0. */
export function countBand(lo: number, hi: number, baseline: number): [number, number] {
  const b = baseline + 0.5;
  return [Math.max(0, b * Math.exp(lo) - 0.5), Math.max(0, b * Math.exp(hi) - 0.5)];
}

/** Rows of the quantile network: features, the scale-free target and a time key per row. */
export interface QuantileTrainingSet {
  readonly rows: readonly ArrayLike<number>[];
  readonly targets: readonly number[];
  readonly times: readonly number[];
}

export interface QuantileNetworkOptions extends NetworkTraining {
  readonly seed: number;
  /** Quantile levels, strictly increasing in (0, 1); the middle one (index ⌊K / 2⌋) is the anchor. */
  readonly levels: readonly number[];
  /** Networks averaged (≥ 1); their seeds derive from `seed`. */
  readonly members: number;
  /** Units of the one hidden ReLU layer (0: linear quantile regression). */
  readonly hiddenUnits: number;
  /** The latest fraction of the rows by time: early stopping, never in a batch. */
  readonly validationFraction: number;
}

/** Defaults: 10/50/90, 3 members, hidden 16, the fusion network's regularisation. */
export const QUANTILE_NETWORK_DEFAULTS: QuantileNetworkOptions = {
  seed: 1,
  levels: [0.1, 0.5, 0.9],
  members: 3,
  hiddenUnits: 16,
  dropout: 0.3,
  l2: 1e-3,
  learningRate: 3e-3,
  batchSize: 64,
  maxEpochs: 200,
  patience: 10,
  validationFraction: 0.2,
};

/** The smallest gap between two adjacent quantiles (in target units). */
const GAP = 1e-4;

/** softplus⁻¹(x) = ln(e^x - 1), for the initial gaps. */
function inverseSoftplus(x: number): number {
  const v = Math.max(x - GAP, 1e-4);
  return v > 20 ? v : Math.log(Math.expm1(v));
}

/** The empirical p-quantile of sorted values (linear interpolation). */
function sortedQuantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo] ?? NaN;
  const b = sorted[Math.min(sorted.length - 1, lo + 1)] ?? a;
  return a + (h - lo) * (b - a);
}

interface Member {
  readonly w1: tf.Variable<tf.Rank.R2> | null;
  readonly b1: tf.Variable<tf.Rank.R1> | null;
  readonly w2: tf.Variable<tf.Rank.R2>;
  readonly b2: tf.Variable<tf.Rank.R1>;
}

/** The ordered quantiles from the raw outputs [n, K] (anchor + softplus gaps). */
function orderedQuantiles(raw: tf.Tensor2D, anchor: number): tf.Tensor2D {
  const k = raw.shape[1];
  const columns = tf.split(raw, k, 1);
  const out: tf.Tensor[] = new Array<tf.Tensor>(k);
  const gap = (j: number) => tf.add(tf.softplus(columns[j] ?? tf.zeros([raw.shape[0], 1])), GAP);
  const a = columns[anchor];
  if (a === undefined) throw new ModelInputError('quantile network: no anchor column');
  out[anchor] = a;
  for (let j = anchor - 1; j >= 0; j--) out[j] = tf.sub(out[j + 1] ?? a, gap(j));
  for (let j = anchor + 1; j < k; j++) out[j] = tf.add(out[j - 1] ?? a, gap(j));
  return tf.concat2d(out as tf.Tensor2D[], 1);
}

function forward(
  m: Member,
  x: tf.Tensor2D,
  anchor: number,
  dropout: { rate: number; seed: number } | null,
): tf.Tensor2D {
  let h: tf.Tensor2D = x;
  if (m.w1 !== null && m.b1 !== null) {
    h = tf.relu(tf.add<tf.Tensor2D>(tf.matMul(x, m.w1), m.b1));
    if (dropout !== null)
      h = tf.reshape<tf.Rank.R2>(tf.dropout(h, dropout.rate, undefined, dropout.seed), h.shape);
  }
  return orderedQuantiles(tf.add<tf.Tensor2D>(tf.matMul(h, m.w2), m.b2), anchor);
}

/** Mean pinball loss of quantiles q [n, K] against y [n, 1] at `levels` [1, K]. */
function pinball(q: tf.Tensor2D, y: tf.Tensor2D, levels: tf.Tensor2D): tf.Scalar {
  const e = tf.sub(y, q);
  return tf.mean(tf.sum(tf.maximum(tf.mul(levels, e), tf.mul(tf.sub(levels, 1), e)), 1));
}

/** The format tag of `QuantileNetwork.toJSON()`'s document. */
export const QUANTILE_NETWORK_FORMAT = 'quantile-network@1';

/**
 * A quantile network as a plain JSON document: its levels, input width, standardisation, the start of its
 * out-of-sample rows, and per member the hidden width and the weights (w1, b1, w2, b2 in that order, w1 and
 * b1 absent without a hidden layer) as one base64 little-endian float32 array.
 */
export interface QuantileNetworkJSON {
  readonly format: typeof QUANTILE_NETWORK_FORMAT;
  readonly levels: readonly number[];
  readonly inputWidth: number;
  readonly validationFrom: number;
  readonly bestEpochs: readonly number[];
  readonly standardisation: { readonly means: readonly number[]; readonly sds: readonly number[] };
  readonly members: readonly { readonly hiddenUnits: number; readonly float32Base64: string }[];
}

const read = jsonReader('quantile network');

/** A fitted ensemble of quantile networks. Dispose it when done (TF.js variables). */
export class QuantileNetwork {
  private constructor(
    private readonly members: readonly Member[],
    private readonly standardisation: Standardisation,
    readonly levels: readonly number[],
    readonly inputWidth: number,
    /** The smallest time key of the rows held out of training (the out-of-sample rows start there). */
    readonly validationFrom: number,
    /** Best epoch per member (0 = the initial, unconditional band). */
    readonly bestEpochs: readonly number[],
  ) {}

  static fit(data: QuantileTrainingSet, options: Partial<QuantileNetworkOptions> = {}): QuantileNetwork {
    const o: QuantileNetworkOptions = { ...QUANTILE_NETWORK_DEFAULTS, ...options };
    const n = data.rows.length;
    if (n === 0) throw new ModelInputError('quantile network: no rows');
    if (data.targets.length !== n || data.times.length !== n)
      throw new ModelInputError(
        `quantile network: ${n} rows need as many targets (${data.targets.length}) and times (${data.times.length})`,
      );
    if (
      o.levels.length < 2 ||
      o.levels.some((p, i) => !(p > 0 && p < 1) || (i > 0 && !(p > (o.levels[i - 1] ?? 1))))
    )
      throw new ModelInputError('quantile network: levels must be ≥ 2 values strictly increasing in (0, 1)');
    if (!Number.isInteger(o.members) || o.members < 1)
      throw new ModelInputError('quantile network: members must be a positive integer');
    if (!Number.isInteger(o.hiddenUnits) || o.hiddenUnits < 0)
      throw new ModelInputError('quantile network: hiddenUnits must be a whole number');
    const width = data.rows[0]?.length ?? 0;
    data.rows.forEach((row, i) => {
      if (row.length !== width)
        throw new ModelInputError(`quantile network: row ${i} has ${row.length} values, expected ${width}`);
      for (let j = 0; j < width; j++)
        if (!Number.isFinite(row[j]))
          throw new ModelInputError(`quantile network: row ${i} value ${j} is not finite`);
      if (!Number.isFinite(data.targets[i]) || !Number.isFinite(data.times[i]))
        throw new ModelInputError(`quantile network: row ${i} needs a finite target and time`);
    });
    const split = timeOrderedSplit(data.times, o.validationFraction);
    const standardisation = fitStandardisation(data.rows, split.training, width);
    const prepare = (indices: Int32Array) => {
      const x = new Float32Array(indices.length * width);
      const y = new Float32Array(indices.length);
      indices.forEach((row, k) => {
        standardiseInto(data.rows[row] ?? [], standardisation, x, k * width);
        y[k] = data.targets[row] ?? 0;
      });
      return { x, y, n: indices.length };
    };
    const train = prepare(split.training);
    const validation = prepare(split.validation);
    const sorted = Array.from(train.y).sort((a, b) => a - b);
    const anchor = Math.floor(o.levels.length / 2);
    const start = o.levels.map((p) => sortedQuantile(sorted, p));
    const bias = o.levels.map((_, j) =>
      j === anchor
        ? (start[j] ?? 0)
        : inverseSoftplus(Math.abs((start[j] ?? 0) - (start[j < anchor ? j + 1 : j - 1] ?? 0))),
    );
    const members: Member[] = [];
    const bestEpochs: number[] = [];
    try {
      for (let m = 0; m < o.members; m++) {
        const seed = deriveSeed(o.seed, 31, m);
        const member = createMember(width, o.hiddenUnits, o.levels.length, bias, seed);
        members.push(member);
        bestEpochs.push(trainMember(member, train, validation, width, anchor, o, seed));
      }
    } catch (error) {
      for (const member of members) disposeMember(member);
      throw error;
    }
    return new QuantileNetwork(members, standardisation, [...o.levels], width, split.cutoff, bestEpochs);
  }

  /** The quantiles (at `levels`, ordered) of every row's target: the members' mean. */
  predict(rows: readonly ArrayLike<number>[]): number[][] {
    if (rows.length === 0) return [];
    const width = this.inputWidth;
    const x = new Float32Array(rows.length * width);
    rows.forEach((row, i) => {
      if (row.length !== width)
        throw new ModelInputError(`quantile network: row ${i} has ${row.length} values, expected ${width}`);
      standardiseInto(row, this.standardisation, x, i * width);
    });
    const k = this.levels.length;
    const anchor = Math.floor(k / 2);
    const sum = tf.tidy(() => {
      const input = tf.tensor2d(x, [rows.length, width]);
      const outputs = this.members.map((m) => forward(m, input, anchor, null));
      return tf.div(tf.addN(outputs), this.members.length).dataSync<'float32'>();
    });
    return rows.map((_, i) => Array.from(sum.subarray(i * k, (i + 1) * k)));
  }

  /** The network as a plain JSON document (see `QuantileNetworkJSON`); `load` reads it back. */
  toJSON(): QuantileNetworkJSON {
    return {
      format: QUANTILE_NETWORK_FORMAT,
      levels: [...this.levels],
      inputWidth: this.inputWidth,
      validationFrom: this.validationFrom,
      bestEpochs: [...this.bestEpochs],
      standardisation: {
        means: Array.from(this.standardisation.means),
        sds: Array.from(this.standardisation.sds),
      },
      members: this.members.map((m) => {
        const parts = variablesOf(m).map((v) => v.dataSync<'float32'>());
        const values = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
        let offset = 0;
        for (const part of parts) {
          values.set(part, offset);
          offset += part.length;
        }
        return {
          hiddenUnits: m.w1 === null ? 0 : m.w1.shape[1],
          float32Base64: encodeFloat32(values),
        };
      }),
    };
  }

  /** Reads `toJSON()`'s document; throws ModelFormatError naming the first field that does not fit. */
  static load(json: unknown): QuantileNetwork {
    const doc = read.record(json, 'document');
    if (doc.format !== QUANTILE_NETWORK_FORMAT)
      throw new ModelFormatError(
        `quantile network: format ${String(doc.format)}, expected ${QUANTILE_NETWORK_FORMAT}`,
      );
    const levels = read.numbers(doc.levels, 'levels');
    if (
      levels.length < 2 ||
      levels.some((p, i) => !(p > 0 && p < 1) || (i > 0 && !(p > (levels[i - 1] ?? 1))))
    )
      throw new ModelFormatError('quantile network: levels must be ≥ 2 values strictly increasing in (0, 1)');
    const width = read.finite(doc.inputWidth, 'inputWidth');
    if (!Number.isInteger(width) || width < 1)
      throw new ModelFormatError('quantile network: inputWidth must be a positive integer');
    const std = read.record(doc.standardisation, 'standardisation');
    const standardisation: Standardisation = {
      means: Float64Array.from(read.numbers(std.means, 'standardisation.means', width)),
      sds: Float64Array.from(read.numbers(std.sds, 'standardisation.sds', width)),
    };
    const bestEpochs = read.numbers(doc.bestEpochs, 'bestEpochs');
    const validationFrom = read.finite(doc.validationFrom, 'validationFrom');
    const documents = read.array(doc.members, 'members');
    if (documents.length === 0) throw new ModelFormatError('quantile network: no members');
    const k = levels.length;
    const members: Member[] = [];
    try {
      documents.forEach((value, i) => {
        const member = read.record(value, `members[${i}]`);
        const hidden = read.finite(member.hiddenUnits, `members[${i}].hiddenUnits`);
        if (!Number.isInteger(hidden) || hidden < 0)
          throw new ModelFormatError(`quantile network: members[${i}].hiddenUnits must be a whole number`);
        const inner = hidden > 0 ? hidden : width;
        const shapes: number[][] = [...(hidden > 0 ? [[width, hidden], [hidden]] : []), [inner, k], [k]];
        const values = decodeFloat32(read.text(member.float32Base64, `members[${i}].float32Base64`));
        const expected = shapes.reduce((n, shape) => n + shape.reduce((a, b) => a * b, 1), 0);
        if (values.length !== expected)
          throw new ModelFormatError(
            `quantile network: members[${i}] holds ${values.length} weights, expected ${expected}`,
          );
        // Sizes checked above: the variables below are all made (and owned by `members`) or none.
        let offset = 0;
        const next = (shape: number[]) => {
          const size = shape.reduce((a, b) => a * b, 1);
          const initial = tf.tensor(values.subarray(offset, offset + size), shape);
          const v = tf.variable(initial);
          initial.dispose();
          offset += size;
          return v;
        };
        const w1 = hidden > 0 ? (next([width, hidden]) as tf.Variable<tf.Rank.R2>) : null;
        const b1 = hidden > 0 ? (next([hidden]) as tf.Variable<tf.Rank.R1>) : null;
        const w2 = next([inner, k]) as tf.Variable<tf.Rank.R2>;
        const b2 = next([k]) as tf.Variable<tf.Rank.R1>;
        members.push({ w1, b1, w2, b2 });
      });
    } catch (error) {
      for (const member of members) disposeMember(member);
      throw error;
    }
    return new QuantileNetwork(members, standardisation, levels, width, validationFrom, bestEpochs);
  }

  dispose(): void {
    for (const member of this.members) disposeMember(member);
  }
}

function createMember(
  width: number,
  hidden: number,
  k: number,
  bias: readonly number[],
  seed: number,
): Member {
  const inner = hidden > 0 ? hidden : width;
  const own = <R extends tf.Rank>(initial: tf.Tensor<R>): tf.Variable<R> => {
    const v = tf.variable(initial);
    initial.dispose();
    return v;
  };
  // He-normal for the ReLU layer; a small head, so the start is near the unconditional band.
  const w1 =
    hidden > 0
      ? own(
          tf.randomNormal<tf.Rank.R2>(
            [width, hidden],
            0,
            Math.sqrt(2 / width),
            'float32',
            deriveSeed(seed, 1),
          ),
        )
      : null;
  const b1 = hidden > 0 ? own(tf.zeros<tf.Rank.R1>([hidden])) : null;
  const w2 = own(
    tf.randomNormal<tf.Rank.R2>(
      [inner, k],
      0,
      0.1 * Math.sqrt(2 / (inner + k)),
      'float32',
      deriveSeed(seed, 2),
    ),
  );
  const b2 = own(tf.tensor1d([...bias]));
  return { w1, b1, w2, b2 };
}

function disposeMember(m: Member): void {
  tf.dispose(variablesOf(m));
}

/** A member's variables, in the saved document's order: w1, b1 (with a hidden layer), w2, b2. */
function variablesOf(m: Member): tf.Variable[] {
  return [...(m.w1 === null ? [] : [m.w1]), ...(m.b1 === null ? [] : [m.b1]), m.w2, m.b2];
}

function snapshot(m: Member): Float32Array[] {
  return variablesOf(m).map((v) => Float32Array.from(v.dataSync<'float32'>()));
}

function restore(m: Member, values: readonly Float32Array[]): void {
  variablesOf(m).forEach((v, i) => {
    const value = values[i];
    if (value === undefined) return;
    const t = tf.tensor(value, v.shape);
    v.assign(t);
    t.dispose();
  });
}

/** Trains one member in place (best validation epoch kept); returns that epoch (0 = the initial weights). */
function trainMember(
  m: Member,
  train: { x: Float32Array; y: Float32Array; n: number },
  validation: { x: Float32Array; y: Float32Array; n: number },
  width: number,
  anchor: number,
  o: QuantileNetworkOptions,
  seed: number,
): number {
  const optimizer = tf.train.adam(o.learningRate);
  const levels = tf.tensor2d([...o.levels], [1, o.levels.length]);
  const vx = tf.tensor2d(validation.x, [validation.n, width]);
  const vy = tf.tensor2d(validation.y, [validation.n, 1]);
  const random = createRng(deriveSeed(seed, 4));
  const order = Int32Array.from({ length: train.n }, (_, i) => i);
  const validationLoss = () =>
    validation.n === 0
      ? 0
      : tf.tidy(() => pinball(forward(m, vx, anchor, null), vy, levels).dataSync()[0] ?? NaN);
  let best = { epoch: 0, loss: validationLoss(), weights: snapshot(m) };
  try {
    for (let epoch = 1; epoch <= o.maxEpochs && epoch - best.epoch <= o.patience; epoch++) {
      shuffleInPlace(order, random);
      for (let start = 0, step = 0; start < train.n; start += o.batchSize, step++) {
        const idx = order.subarray(start, Math.min(train.n, start + o.batchSize));
        const bx = new Float32Array(idx.length * width);
        const by = new Float32Array(idx.length);
        idx.forEach((row, k) => {
          bx.set(train.x.subarray(row * width, (row + 1) * width), k * width);
          by[k] = train.y[row] ?? 0;
        });
        const dropout = o.dropout > 0 ? { rate: o.dropout, seed: deriveSeed(seed, 5, epoch, step) } : null;
        tf.tidy(() => {
          const x = tf.tensor2d(bx, [idx.length, width]);
          const y = tf.tensor2d(by, [idx.length, 1]);
          optimizer.minimize(
            () => {
              let loss = pinball(forward(m, x, anchor, dropout), y, levels);
              if (o.l2 > 0) {
                const kernels = [m.w2, ...(m.w1 === null ? [] : [m.w1])];
                loss = tf.add(loss, tf.mul(tf.addN(kernels.map((w) => tf.sum(tf.square(w)))), o.l2));
              }
              return loss;
            },
            false,
            variablesOf(m),
          );
        });
      }
      const loss = validationLoss();
      // Strictly lower: ties keep the earlier weights.
      if (loss < best.loss) best = { epoch, loss, weights: snapshot(m) };
    }
    restore(m, best.weights);
  } finally {
    optimizer.dispose();
    tf.dispose([levels, vx, vy]);
  }
  return best.epoch;
}

/** One out-of-sample row whose outcome is known: its time, the target and the band's ends (same scale). */
export interface OutOfSampleBand {
  readonly time: number;
  readonly target: number;
  readonly lower: number;
  readonly upper: number;
}

export interface ConformalBandOptions {
  /** Periods before t whose scores calibrate t; null = every earlier period. */
  readonly window: number | null;
  /** The nominal coverage of the band (0.8 for [q10, q90]). */
  readonly coverage: number;
  /** Fewer scores than this before t: no correction (the raw band). */
  readonly minRows: number;
  /**
   * Adaptive conformal inference (Gibbs and Candès 2021): the step γ of the working miss rate, per period
   * (0: off). After each period's outcomes, α ← α + γ (1 - coverage - the period's miss rate), and the next
   * period's correction is the scores' 1 - α quantile instead of `coverage`'s. A band that kept missing more
   * than 1 - coverage widens until its misses since the first record average 1 - coverage again.
   */
  readonly adapt: number;
}

export const CONFORMAL_BAND_DEFAULTS: ConformalBandOptions = {
  window: null,
  coverage: 0.8,
  minRows: 20,
  adapt: 0,
};

/**
 * Conformalised quantile regression (CQR): the conformity score of an out-of-sample row is
 * E = max(lower - target, target - upper) (negative inside the band); the correction for a prediction at
 * time t is the ⌈(n + 1) × coverage⌉-th smallest of the n scores of the periods in [t - window, t) (or all
 * before t), and the band at t is [lower - Q, upper + Q]: it widens when the recent rows fell outside the
 * band more than 1 - coverage of the time, and narrows when they fell inside by a margin. Only rows of
 * periods before t are read, so no outcome of t or later moves t's band. With more than the window's scores
 * needed (⌈(n + 1) × coverage⌉ > n), the largest score is used. With `adapt` > 0 the level is not fixed:
 * it follows the band's own misses period by period (adaptive conformal inference), reading only periods
 * before t as well.
 */
export class ConformalBand {
  private readonly records: readonly OutOfSampleBand[];
  private readonly options: ConformalBandOptions;
  private readonly cache = new Map<number, number>();
  /** The periods and their miss rates after them (`adapt` > 0), computed once in time order. */
  private schedule: { time: number; after: number }[] | undefined;

  constructor(records: readonly OutOfSampleBand[], options: Partial<ConformalBandOptions> = {}) {
    const o = { ...CONFORMAL_BAND_DEFAULTS, ...options };
    if (o.window !== null && !(Number.isInteger(o.window) && o.window >= 1))
      throw new ModelInputError('conformal band: window must be null or a positive integer');
    if (!(o.coverage > 0 && o.coverage < 1))
      throw new ModelInputError('conformal band: coverage must be in (0, 1)');
    if (!Number.isInteger(o.minRows) || o.minRows < 1)
      throw new ModelInputError('conformal band: minRows must be a positive integer');
    if (!(o.adapt >= 0 && o.adapt <= 1))
      throw new ModelInputError('conformal band: adapt (the step of the miss rate) must be in [0, 1]');
    records.forEach((r, i) => {
      if (![r.time, r.target, r.lower, r.upper].every(Number.isFinite) || r.lower > r.upper)
        throw new ModelInputError(
          `conformal band: record ${i} needs a finite time, target and band with lower ≤ upper`,
        );
    });
    this.records = records;
    this.options = o;
  }

  /** The conformity score of a row: how far the target lies outside the band (negative: inside). */
  static score(r: Pick<OutOfSampleBand, 'target' | 'lower' | 'upper'>): number {
    return Math.max(r.lower - r.target, r.target - r.upper);
  }

  /** The correction Q for a prediction at time t (0 with fewer than `minRows` scores before t). */
  correctionAt(t: number): number {
    const cached = this.cache.get(t);
    if (cached !== undefined) return cached;
    const q = this.quantileBefore(t, 1 - this.missRateAt(t));
    this.cache.set(t, q);
    return q;
  }

  /**
   * The working miss rate α at time t: 1 - coverage without `adapt`; with it, the level after the last
   * period before t. The first period starts at 1 - coverage, and each period's misses (scores above its
   * correction) set the next one's: α ← α + adapt × (1 - coverage - miss rate), kept in [0, 1].
   */
  missRateAt(t: number): number {
    const target = 1 - this.options.coverage;
    if (this.options.adapt === 0) return target;
    this.schedule ??= this.adaptiveSchedule();
    let alpha = target;
    for (const period of this.schedule) {
      if (period.time >= t) break;
      alpha = period.after;
    }
    return alpha;
  }

  /** Every period in time order with the miss rate α after its outcomes (adaptive conformal inference). */
  private adaptiveSchedule(): { time: number; after: number }[] {
    const target = 1 - this.options.coverage;
    const byTime = new Map<number, number[]>();
    for (const r of this.records) {
      const scores = byTime.get(r.time) ?? [];
      scores.push(ConformalBand.score(r));
      byTime.set(r.time, scores);
    }
    let alpha = target;
    return [...byTime.keys()]
      .sort((x, y) => x - y)
      .map((time) => {
        const q = this.quantileBefore(time, 1 - alpha);
        const scores = byTime.get(time) ?? [];
        const missed = scores.filter((e) => e > q).length / scores.length;
        // Kept in [0, 1]: beyond them the band is already the largest (or smallest) score's, and a level
        // run past them would take as many periods to come back.
        alpha = Math.min(1, Math.max(0, alpha + this.options.adapt * (target - missed)));
        return { time, after: alpha };
      });
  }

  /**
   * The ⌈(n + 1) × level⌉-th smallest of the n scores of the window before t, clamped to the smallest and
   * the largest score; 0 with fewer than `minRows` scores.
   */
  private quantileBefore(t: number, level: number): number {
    const w = this.options.window;
    const scores = this.records
      .filter((r) => r.time < t && (w === null || r.time >= t - w))
      .map((r) => ConformalBand.score(r))
      .sort((a, b) => a - b);
    if (scores.length < this.options.minRows) return 0;
    const rank = Math.min(scores.length, Math.max(1, Math.ceil((scores.length + 1) * level)));
    return scores[rank - 1] ?? 0;
  }

  /** The corrected band of a prediction at time t. */
  bandAt(t: number, lower: number, upper: number): [number, number] {
    return ConformalBand.widen(lower, upper, this.correctionAt(t));
  }

  /** [lower - q, upper + q]; a negative correction narrows the band, never inverts it (the ends meet at the middle). */
  static widen(lower: number, upper: number, q: number): [number, number] {
    const lo = lower - q;
    const hi = upper + q;
    if (lo <= hi) return [lo, hi];
    const mid = (lower + upper) / 2;
    return [mid, mid];
  }
}
