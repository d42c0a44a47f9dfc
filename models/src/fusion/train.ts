/**
 * The fusion network's training loop: seeded mini-batches, seeded dropout between the dense layers, Adam,
 * L2 on the kernels, and early stopping on the time-ordered validation split with the best weights
 * restored. Our own loop rather than `model.fit`: its shuffle draws from Math.random, which no seed
 * reaches, and a Dropout layer given a seed draws the same mask at every step; here each step's masks
 * come from seed × epoch × batch × layer.
 *
 * Loss per row (means over the batch): cross-entropy of the class head, plus `countLossWeight` times the
 * Poisson negative log-likelihood of the count without its constant, mu - y ln mu with
 * ln mu = output + ln(baseline) (ln(baseline) = 0 without baselines), plus `l2` × the sum of the squared
 * kernel weights (not biases).
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyLayer, type FusionLayers } from './architecture.js';
import { logGamma } from './count-distribution.js';
import { createRng, deriveSeed, shuffleInPlace } from './rng.js';
import type { NetworkTraining } from './types.js';

/** Rows ready for the network: standardised features and the targets, flat and row-major. */
export interface PreparedSet {
  readonly n: number;
  readonly width: number;
  /** Standardised features, n × width. */
  readonly x: Float32Array;
  /** Class index per row. */
  readonly labels: Int32Array;
  /** One-hot classes, n × K. */
  readonly oneHot: Float32Array;
  /** Observed count per row. */
  readonly counts: Float32Array;
  /** ln(baseline) per row, 0 without baselines. */
  readonly offsets: Float32Array;
}

/** The settings the loop reads (resolved options). */
export interface TrainingConfig extends NetworkTraining {
  readonly seed: number;
  readonly countLossWeight: number;
  readonly onEpoch?: (progress: FusionEpochProgress) => void;
}

/** Reported after every epoch. */
export interface FusionEpochProgress {
  /** 1-based. */
  readonly epoch: number;
  /** Mean training loss over the epoch's batches, with dropout and L2. */
  readonly trainingLoss: number;
  /** Validation loss (no dropout, no L2). */
  readonly validationLoss: number;
}

/** What the loop did. */
export interface TrainingOutcome {
  /** 1-based epoch whose weights were kept (lowest validation loss); 0 = none improved on the initial ones. */
  readonly bestEpoch: number;
  readonly epochsRun: number;
  readonly trainingLoss: number[];
  readonly validationLoss: number[];
}

/** Per-row losses and scores computed from the raw outputs of the network. */
export interface SetScores {
  /** Mean cross-entropy + weight × mean Poisson NLL without its constant ln y!: the training objective. */
  readonly loss: number;
  readonly crossEntropy: number;
  /** Mean of mu - y ln mu + ln Γ(y + 1): the full Poisson negative log-likelihood. */
  readonly poissonNll: number;
  readonly accuracy: number;
  /** Multi-class Brier score: mean over rows of the sum over classes of (p_k - [y = k])^2. */
  readonly brier: number;
  /** Mean |y - mu|. */
  readonly countMae: number;
  /** Expected count mu per row. */
  readonly means: Float64Array;
}

/** Rows scored per forward pass outside training. */
const EVAL_BATCH = 4096;

interface BatchTensors {
  readonly x: tf.Tensor2D;
  readonly oneHot: tf.Tensor2D;
  readonly counts: tf.Tensor2D;
  readonly offsets: tf.Tensor2D;
}

function forward(
  layers: FusionLayers,
  x: tf.Tensor,
  dropout: { rate: number; seed: number } | null,
): { logits: tf.Tensor; logRate: tf.Tensor } {
  let h = x;
  layers.hidden.forEach((layer, i) => {
    h = applyLayer(layer, h);
    if (dropout) h = tf.dropout(h, dropout.rate, undefined, deriveSeed(dropout.seed, i));
  });
  return { logits: applyLayer(layers.classLogits, h), logRate: applyLayer(layers.logRate, h) };
}

function isScalar(t: tf.Tensor): t is tf.Scalar {
  return t.rank === 0;
}

function kernels(layers: FusionLayers): tf.Tensor[] {
  return [...layers.hidden, layers.classLogits, layers.logRate].map((layer) => {
    const kernel = layer.getWeights()[0];
    if (!kernel) throw new TypeError(`fusion: layer ${layer.name} has no kernel`);
    return kernel;
  });
}

function isVariable(t: tf.Tensor): t is tf.Variable {
  return t instanceof tf.Variable;
}

function trainableVariables(layers: FusionLayers): tf.Variable[] {
  return layers.model.trainableWeights.map((weight) => {
    const value = weight.read();
    if (!isVariable(value)) throw new TypeError(`fusion: weight ${weight.name} is not a variable`);
    return value;
  });
}

function batchTensors(set: PreparedSet, indices: Int32Array, classCount: number): BatchTensors {
  const b = indices.length;
  const x = new Float32Array(b * set.width);
  const oneHot = new Float32Array(b * classCount);
  const counts = new Float32Array(b);
  const offsets = new Float32Array(b);
  indices.forEach((row, k) => {
    x.set(set.x.subarray(row * set.width, (row + 1) * set.width), k * set.width);
    oneHot.set(set.oneHot.subarray(row * classCount, (row + 1) * classCount), k * classCount);
    counts[k] = set.counts[row] ?? 0;
    offsets[k] = set.offsets[row] ?? 0;
  });
  return {
    x: tf.tensor2d(x, [b, set.width]),
    oneHot: tf.tensor2d(oneHot, [b, classCount]),
    counts: tf.tensor2d(counts, [b, 1]),
    offsets: tf.tensor2d(offsets, [b, 1]),
  };
}

/**
 * Raw outputs for every row, no dropout: per row K class logits then the log-rate output, n × (K + 1).
 */
export function rawOutputs(layers: FusionLayers, set: PreparedSet, classCount: number): Float32Array {
  const stride = classCount + 1;
  const out = new Float32Array(set.n * stride);
  for (let start = 0; start < set.n; start += EVAL_BATCH) {
    const b = Math.min(EVAL_BATCH, set.n - start);
    const chunk = tf.tidy(() => {
      const x = tf.tensor2d(set.x.subarray(start * set.width, (start + b) * set.width), [b, set.width]);
      const { logits, logRate } = forward(layers, x, null);
      return tf.concat([logits, logRate], 1).dataSync<'float32'>();
    });
    out.set(chunk, start * stride);
  }
  return out;
}

/** Losses and scores of raw outputs against the set's targets; `countLossWeight` weights the Poisson term. */
export function scoreOutputs(
  raw: Float32Array,
  set: PreparedSet,
  classCount: number,
  countLossWeight: number,
): SetScores {
  const stride = classCount + 1;
  const means = new Float64Array(set.n);
  const probabilities = new Float64Array(classCount);
  let crossEntropy = 0;
  let poisson = 0;
  let poissonConstant = 0;
  let correct = 0;
  let brier = 0;
  let absError = 0;
  for (let i = 0; i < set.n; i++) {
    softmaxInto(raw, i * stride, classCount, probabilities);
    const label = set.labels[i] ?? 0;
    crossEntropy -= Math.log(Math.max(probabilities[label] ?? 0, 1e-300));
    let best = 0;
    for (let k = 0; k < classCount; k++) {
      const p = probabilities[k] ?? 0;
      if (p > (probabilities[best] ?? 0)) best = k;
      brier += (p - (k === label ? 1 : 0)) ** 2;
    }
    if (best === label) correct += 1;
    const logMean = (raw[i * stride + classCount] ?? 0) + (set.offsets[i] ?? 0);
    const mean = Math.exp(logMean);
    const y = set.counts[i] ?? 0;
    means[i] = mean;
    poisson += mean - y * logMean;
    poissonConstant += logGamma(y + 1);
    absError += Math.abs(y - mean);
  }
  const n = Math.max(set.n, 1);
  return {
    loss: crossEntropy / n + (countLossWeight * poisson) / n,
    crossEntropy: crossEntropy / n,
    poissonNll: (poisson + poissonConstant) / n,
    accuracy: correct / n,
    brier: brier / n,
    countMae: absError / n,
    means,
  };
}

/** Softmax of `logits[offset .. offset + k)` into `out` (stable: the max is subtracted first). */
export function softmaxInto(
  logits: ArrayLike<number>,
  offset: number,
  k: number,
  out: Float64Array | number[],
): void {
  let max = -Infinity;
  for (let j = 0; j < k; j++) max = Math.max(max, logits[offset + j] ?? 0);
  let sum = 0;
  for (let j = 0; j < k; j++) {
    const e = Math.exp((logits[offset + j] ?? 0) - max);
    out[j] = e;
    sum += e;
  }
  for (let j = 0; j < k; j++) out[j] = (out[j] ?? 0) / sum;
}

function snapshot(layers: FusionLayers): Float32Array[] {
  return layers.model.getWeights().map((w) => Float32Array.from(w.dataSync<'float32'>()));
}

function restore(layers: FusionLayers, values: readonly Float32Array[]): void {
  const current = layers.model.getWeights();
  const tensors = current.map((w, i) => tf.tensor(values[i] ?? new Float32Array(w.size), w.shape));
  layers.model.setWeights(tensors);
  tf.dispose(tensors);
}

/** One optimiser step on one batch (disposed here); returns the batch loss × its rows. */
function trainStep(
  layers: FusionLayers,
  optimizer: tf.Optimizer,
  variables: tf.Variable[],
  batch: BatchTensors,
  dropout: { rate: number; seed: number } | null,
  config: TrainingConfig,
): number {
  try {
    const cost = optimizer.minimize(
      () => {
        const { logits, logRate } = forward(layers, batch.x, dropout);
        const crossEntropy = tf.neg(tf.mean(tf.sum(tf.mul(batch.oneHot, tf.logSoftmax(logits)), 1)));
        const logMean = tf.add(logRate, batch.offsets);
        const poisson = tf.mean(tf.sub(tf.exp(logMean), tf.mul(batch.counts, logMean)));
        let loss = tf.add(crossEntropy, tf.mul(poisson, config.countLossWeight));
        if (config.l2 > 0) {
          const penalty = tf.addN(kernels(layers).map((k) => tf.sum(tf.square(k))));
          loss = tf.add(loss, tf.mul(penalty, config.l2));
        }
        if (!isScalar(loss)) throw new TypeError('fusion: the loss is not a scalar');
        return loss;
      },
      true,
      variables,
    );
    const value = cost?.dataSync()[0] ?? NaN;
    cost?.dispose();
    return value * batch.x.shape[0];
  } finally {
    tf.dispose([batch.x, batch.oneHot, batch.counts, batch.offsets]);
  }
}

/**
 * Trains `layers` in place on `train`, stops when the validation loss has not improved for `patience`
 * epochs (or after `maxEpochs`), and leaves the weights of the best epoch in the model.
 */
export function trainFusion(
  layers: FusionLayers,
  train: PreparedSet,
  validation: PreparedSet,
  classCount: number,
  config: TrainingConfig,
): TrainingOutcome {
  const optimizer = tf.train.adam(config.learningRate);
  const variables = trainableVariables(layers);
  const random = createRng(deriveSeed(config.seed, 4));
  const order = Int32Array.from({ length: train.n }, (_, i) => i);
  const trainingLoss: number[] = [];
  const validationLoss: number[] = [];
  let best = { epoch: 0, loss: Infinity, weights: snapshot(layers) };
  let epoch = 0;
  try {
    while (epoch < config.maxEpochs && epoch - best.epoch < config.patience) {
      epoch += 1;
      shuffleInPlace(order, random);
      let lossSum = 0;
      for (let start = 0, step = 0; start < train.n; start += config.batchSize, step++) {
        const indices = order.subarray(start, Math.min(train.n, start + config.batchSize));
        const dropout =
          config.dropout > 0 ? { rate: config.dropout, seed: deriveSeed(config.seed, 5, epoch, step) } : null;
        lossSum += trainStep(
          layers,
          optimizer,
          variables,
          batchTensors(train, indices, classCount),
          dropout,
          config,
        );
      }
      const scores = scoreOutputs(
        rawOutputs(layers, validation, classCount),
        validation,
        classCount,
        config.countLossWeight,
      );
      trainingLoss.push(lossSum / train.n);
      validationLoss.push(scores.loss);
      // Strictly lower: ties keep the earlier (simpler) weights.
      if (scores.loss < best.loss) best = { epoch, loss: scores.loss, weights: snapshot(layers) };
      config.onEpoch?.({ epoch, trainingLoss: lossSum / train.n, validationLoss: scores.loss });
    }
    restore(layers, best.weights);
  } finally {
    optimizer.dispose();
  }
  return { bestEpoch: best.epoch, epochsRun: epoch, trainingLoss, validationLoss };
}
