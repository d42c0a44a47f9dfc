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
import { ModelInputError } from '../errors.js';
import { fitStandardisation, standardiseInto, timeOrderedSplit, type Standardisation } from './data.js';
import { createRng, deriveSeed, shuffleInPlace } from './rng.js';
import type { NetworkTraining } from './types.js';

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
  tf.dispose([m.w2, m.b2, ...(m.w1 === null ? [] : [m.w1]), ...(m.b1 === null ? [] : [m.b1])]);
}

function variablesOf(m: Member): tf.Variable[] {
  return [m.w2, m.b2, ...(m.w1 === null ? [] : [m.w1]), ...(m.b1 === null ? [] : [m.b1])];
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
}

export const CONFORMAL_BAND_DEFAULTS: ConformalBandOptions = { window: null, coverage: 0.8, minRows: 20 };

/**
 * Conformalised quantile regression (CQR): the conformity score of an out-of-sample row is
 * E = max(lower - target, target - upper) (negative inside the band); the correction for a prediction at
 * time t is the ⌈(n + 1) × coverage⌉-th smallest of the n scores of the periods in [t - window, t) (or all
 * before t), and the band at t is [lower - Q, upper + Q]: it widens when the recent rows fell outside the
 * band more than 1 - coverage of the time, and narrows when they fell inside by a margin. Only rows of
 * periods before t are read, so no outcome of t or later moves t's band. With more than the window's scores
 * needed (⌈(n + 1) × coverage⌉ > n), the largest score is used.
 */
export class ConformalBand {
  private readonly records: readonly OutOfSampleBand[];
  private readonly options: ConformalBandOptions;
  private readonly cache = new Map<number, number>();

  constructor(records: readonly OutOfSampleBand[], options: Partial<ConformalBandOptions> = {}) {
    const o = { ...CONFORMAL_BAND_DEFAULTS, ...options };
    if (o.window !== null && !(Number.isInteger(o.window) && o.window >= 1))
      throw new ModelInputError('conformal band: window must be null or a positive integer');
    if (!(o.coverage > 0 && o.coverage < 1))
      throw new ModelInputError('conformal band: coverage must be in (0, 1)');
    if (!Number.isInteger(o.minRows) || o.minRows < 1)
      throw new ModelInputError('conformal band: minRows must be a positive integer');
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
    const w = this.options.window;
    const scores = this.records
      .filter((r) => r.time < t && (w === null || r.time >= t - w))
      .map((r) => ConformalBand.score(r))
      .sort((a, b) => a - b);
    let q = 0;
    if (scores.length >= this.options.minRows) {
      const rank = Math.min(scores.length, Math.ceil((scores.length + 1) * this.options.coverage));
      q = scores[rank - 1] ?? 0;
    }
    this.cache.set(t, q);
    return q;
  }

  /** The corrected band of a prediction at time t. */
  bandAt(t: number, lower: number, upper: number): [number, number] {
    const q = this.correctionAt(t);
    // A negative correction narrows the band; it never inverts it (both ends meet at the middle).
    const lo = lower - q;
    const hi = upper + q;
    if (lo <= hi) return [lo, hi];
    const mid = (lower + upper) / 2;
    return [mid, mid];
  }
}
