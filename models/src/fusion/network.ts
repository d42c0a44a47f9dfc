/**
 * The fusion network: a fully connected network on the concatenation of the branch vectors (crime
 * statistics 128, trend 64, profile 32 = 224 in the live product; any width in evaluation) with two
 * heads: the probabilities of K ordered classes (low / middle / high by default; "elevated activity" is
 * the probability of the top class) and the expected count of the next period.
 *
 * Count head. The network outputs a log-rate `eta`; the expected count is `mu = exp(eta)`, or, when the
 * training set gave a baseline per row, `mu = baseline × exp(eta)` (residual learning: the network only
 * learns how far the next period departs from the baseline, and starts from `eta = ln(mean y / mean
 * baseline)`). The 80% interval is [q10, q90] of a negative binomial with mean `mu` and size `r` (variance
 * `mu + mu^2 / r`), `r` fitted by maximum likelihood on the validation split (Poisson when the validation
 * counts are no more dispersed than Poisson); q_p is the smallest integer k with P(Y ≤ k) ≥ p.
 *
 * Loss and training: see `train.ts`. The backend must be ready before `fit` or `load` (TF.js: `await
 * tf.ready()` after choosing it; data/src/runtime/tf.ts does that in Node).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ModelFormatError, ModelInputError } from '../errors.js';
import { buildFusionLayers, topologyOf, type FusionArchitecture, type FusionLayers } from './architecture.js';
import { countQuantiles, fitNegativeBinomialSize } from './count-distribution.js';
import {
  checkBaseline,
  checkRow,
  checkTrainingSet,
  fitStandardisation,
  standardiseInto,
  timeOrderedSplit,
  type FusionRow,
  type FusionBranch,
  type FusionTrainingSet,
  type Standardisation,
} from './data.js';
import { checkTopology, encodeWeights, parseFusionDocument, weightTensors } from './serialise.js';
import {
  rawOutputs,
  scoreOutputs,
  softmaxInto,
  trainFusion,
  type PreparedSet,
  type SetScores,
} from './train.js';
import {
  FUSION_DEFAULTS,
  FUSION_FORMAT,
  type FusionMetadata,
  type FusionNetworkJSON,
  type FusionOptions,
  type FusionPrediction,
  type FusionSetMetrics,
} from './types.js';

/** Probabilities of the interval's ends. */
const INTERVAL_PROBABILITIES = [0.1, 0.9] as const;

interface FusionState {
  readonly architecture: FusionArchitecture;
  readonly standardisation: Standardisation;
  readonly usesBaseline: boolean;
  readonly dispersionSize: number | null;
  readonly metadata: FusionMetadata;
}

// A type alias, not an interface: tf.tidy returns only types with an implicit index signature.
type DenseWeights = { kernel: tf.Tensor2D; bias: tf.Tensor1D };

function denseWeights(layer: FusionLayers['logRate']): DenseWeights {
  const [kernel, bias] = layer.getWeights();
  if (!kernel || !bias || kernel.rank !== 2)
    throw new TypeError(`fusion: layer ${layer.name} has no kernel and bias`);
  return {
    kernel: tf.reshape<tf.Rank.R2>(kernel, [kernel.shape[0], -1]),
    bias: tf.reshape<tf.Rank.R1>(bias, [-1]),
  };
}

/**
 * The fast path's weights: each hidden layer's kernel and bias (views sharing the variables' data), and
 * both heads in one matrix, K class-logit columns then the log-rate column, so one matMul gives both.
 */
function fastWeights(layers: FusionLayers): { hidden: DenseWeights[]; head: DenseWeights } {
  return tf.tidy(() => {
    const classes = denseWeights(layers.classLogits);
    const rate = denseWeights(layers.logRate);
    return {
      hidden: layers.hidden.map(denseWeights),
      head: {
        kernel: tf.concat2d([classes.kernel, rate.kernel], 1),
        bias: tf.concat1d([classes.bias, rate.bias]),
      },
    };
  });
}

function resolveOptions(options: Partial<FusionOptions>): FusionOptions {
  const o: FusionOptions = { ...FUSION_DEFAULTS, ...options };
  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new ModelInputError(`fusion options: ${what}`);
  };
  check(Number.isInteger(o.seed), 'seed must be an integer');
  check(o.classNames.length >= 2, 'classNames needs at least 2 classes');
  check(
    o.hiddenUnits.every((u) => Number.isInteger(u) && u > 0),
    'hiddenUnits must be positive integers',
  );
  check(o.dropout >= 0 && o.dropout < 1, 'dropout must be in [0, 1)');
  check(o.l2 >= 0 && Number.isFinite(o.l2), 'l2 must be finite and ≥ 0');
  check(o.learningRate > 0 && Number.isFinite(o.learningRate), 'learningRate must be finite and > 0');
  check(Number.isInteger(o.batchSize) && o.batchSize > 0, 'batchSize must be a positive integer');
  check(Number.isInteger(o.maxEpochs) && o.maxEpochs > 0, 'maxEpochs must be a positive integer');
  check(Number.isInteger(o.patience) && o.patience > 0, 'patience must be a positive integer');
  check(o.validationFraction > 0 && o.validationFraction < 1, 'validationFraction must be in (0, 1)');
  check(
    o.countLossWeight === 'auto' || (Number.isFinite(o.countLossWeight) && o.countLossWeight >= 0),
    "countLossWeight must be 'auto' or a finite number ≥ 0",
  );
  return o;
}

function resolveBranches(
  options: FusionOptions,
  width: number,
): { branches: FusionBranch[]; featureNames: string[] } {
  const branches = (options.branches ?? [{ name: 'features', width }]).map((b) => ({
    name: b.name,
    width: b.width,
  }));
  const total = branches.reduce((sum, b) => sum + b.width, 0);
  if (branches.some((b) => !Number.isInteger(b.width) || b.width <= 0 || b.name === '') || total !== width) {
    throw new ModelInputError(`fusion: branch widths sum to ${total}, but the rows have ${width} features`);
  }
  const featureNames = options.featureNames
    ? [...options.featureNames]
    : branches.flatMap((b) => Array.from({ length: b.width }, (_, i) => `${b.name}.${i}`));
  if (featureNames.length !== width) {
    throw new ModelInputError(`fusion: ${featureNames.length} feature names for ${width} features`);
  }
  return { branches, featureNames };
}

function prepare(
  data: FusionTrainingSet,
  indices: Int32Array,
  s: Standardisation,
  width: number,
  classCount: number,
): PreparedSet {
  const n = indices.length;
  const x = new Float32Array(n * width);
  const labels = new Int32Array(n);
  const oneHot = new Float32Array(n * classCount);
  const counts = new Float32Array(n);
  const offsets = new Float32Array(n);
  indices.forEach((row, k) => {
    standardiseInto(data.rows[row] ?? [], s, x, k * width);
    const label = data.classes[row] ?? 0;
    labels[k] = label;
    oneHot[k * classCount + label] = 1;
    counts[k] = data.counts[row] ?? 0;
    offsets[k] = data.baselines ? Math.log(data.baselines[row] ?? 1) : 0;
  });
  return { n, width, x, labels, oneHot, counts, offsets };
}

function setMetrics(scores: SetScores, rows: number): FusionSetMetrics {
  const { loss, crossEntropy, poissonNll, accuracy, brier, countMae } = scores;
  return { rows, loss, crossEntropy, poissonNll, accuracy, brier, countMae };
}

/**
 * Refits the log-rate head's intercept on the training rows without dropout: b += ln(sum y / sum mu), the
 * Poisson maximum-likelihood intercept given the other weights. Dropout makes the training-time log-rate
 * noisy, and matching E[exp(noisy eta)] to the counts leaves exp(eta) without dropout too low (Jensen); this
 * removes that bias. Returns the shift.
 */
function recalibrateCountHead(layers: FusionLayers, train: PreparedSet, classCount: number): number {
  const raw = rawOutputs(layers, train, classCount);
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < train.n; i++) {
    observed += train.counts[i] ?? 0;
    expected += Math.exp((raw[i * (classCount + 1) + classCount] ?? 0) + (train.offsets[i] ?? 0));
  }
  if (!(observed > 0 && expected > 0 && Number.isFinite(expected))) return 0;
  const shift = Math.log(observed / expected);
  const [kernel, bias] = layers.logRate.getWeights();
  if (!kernel || !bias) throw new TypeError('fusion: log_rate weights');
  const shifted = tf.tidy(() => tf.add(bias, shift));
  layers.logRate.setWeights([kernel, shifted]);
  shifted.dispose();
  return shift;
}

/** A trained fusion network. Holds TF.js tensors: call `dispose()` when done with it. */
export class FusionNetwork {
  /** Input width (sum of the branch widths). */
  readonly inputWidth: number;
  /** True when every prediction needs a baseline (the network was trained on baselines). */
  readonly usesBaseline: boolean;
  /** Negative binomial size of the count interval; null = Poisson. */
  readonly dispersionSize: number | null;
  readonly metadata: FusionMetadata;

  readonly #architecture: FusionArchitecture;
  readonly #layers: FusionLayers;
  readonly #standardisation: Standardisation;
  readonly #hidden: readonly DenseWeights[];
  /** Both heads in one matrix: K class-logit columns, then the log-rate column. */
  readonly #head: DenseWeights;
  readonly #scratch: Float32Array;
  #disposed = false;

  private constructor(layers: FusionLayers, state: FusionState) {
    this.#layers = layers;
    this.#architecture = state.architecture;
    this.#standardisation = state.standardisation;
    this.inputWidth = state.architecture.inputWidth;
    this.usesBaseline = state.usesBaseline;
    this.dispersionSize = state.dispersionSize;
    this.metadata = state.metadata;
    this.#scratch = new Float32Array(this.inputWidth);
    const fast = fastWeights(layers);
    this.#hidden = fast.hidden;
    this.#head = fast.head;
  }

  /** Class names, lowest first. */
  get classNames(): readonly string[] {
    return this.metadata.classNames;
  }

  /**
   * Trains a network (synchronously: TF.js's cpu and wasm backends compute in this thread). The split is
   * time-ordered: the latest `validationFraction` of the rows by time key drive early stopping and the
   * dispersion, and never enter a training batch. Throws ModelInputError on bad data or options.
   */
  static fit(data: FusionTrainingSet, options: Partial<FusionOptions> = {}): FusionNetwork {
    const o = resolveOptions(options);
    const classCount = o.classNames.length;
    const width = checkTrainingSet(data, classCount);
    const { branches, featureNames } = resolveBranches(o, width);
    const split = timeOrderedSplit(data.times, o.validationFraction);
    const standardisation = fitStandardisation(data.rows, split.training, width);
    const train = prepare(data, split.training, standardisation, width, classCount);
    const validation = prepare(data, split.validation, standardisation, width, classCount);
    const meanCount = train.counts.reduce((sum, y) => sum + y, 0) / train.n;
    const countLossWeight =
      o.countLossWeight === 'auto' ? 1 / Math.sqrt(Math.max(1, meanCount)) : o.countLossWeight;
    const architecture: FusionArchitecture = {
      inputWidth: width,
      hiddenUnits: [...o.hiddenUnits],
      classCount,
      seed: o.seed,
    };
    const layers = buildFusionLayers(architecture);
    try {
      // Start the rate head at the training mean (of y / baseline): eta = 0 would start far off for large counts.
      const meanOffset = train.offsets.reduce((sum, v) => sum + Math.exp(v), 0) / train.n;
      const [rateKernel, rateBias] = layers.logRate.getWeights();
      if (!rateKernel || !rateBias) throw new TypeError('fusion: log_rate weights');
      const startBias = tf.tensor1d([Math.log(Math.max(meanCount, 1e-3) / meanOffset)]);
      layers.logRate.setWeights([rateKernel, startBias]);
      startBias.dispose();

      const outcome = trainFusion(layers, train, validation, classCount, {
        seed: o.seed,
        dropout: o.dropout,
        l2: o.l2,
        learningRate: o.learningRate,
        batchSize: o.batchSize,
        maxEpochs: o.maxEpochs,
        patience: o.patience,
        countLossWeight,
        ...(o.onEpoch ? { onEpoch: o.onEpoch } : {}),
      });
      const countShift = recalibrateCountHead(layers, train, classCount);
      const trainScores = scoreOutputs(
        rawOutputs(layers, train, classCount),
        train,
        classCount,
        countLossWeight,
      );
      const validationScores = scoreOutputs(
        rawOutputs(layers, validation, classCount),
        validation,
        classCount,
        countLossWeight,
      );
      const validationCounts = Array.from(validation.counts);
      const dispersionSize = fitNegativeBinomialSize(validationCounts, Array.from(validationScores.means));
      let covered = 0;
      validationScores.means.forEach((mean, i) => {
        const [lo = 0, hi = 0] = countQuantiles(mean, dispersionSize, INTERVAL_PROBABILITIES);
        const y = validationCounts[i] ?? 0;
        if (y >= lo && y <= hi) covered += 1;
      });
      const metadata: FusionMetadata = {
        branches,
        featureNames,
        classNames: [...o.classNames],
        window: {
          trainingFrom: split.trainingFrom,
          trainingTo: split.trainingTo,
          validationFrom: split.cutoff,
          validationTo: split.validationTo,
        },
        options: {
          seed: o.seed,
          hiddenUnits: [...o.hiddenUnits],
          dropout: o.dropout,
          l2: o.l2,
          learningRate: o.learningRate,
          batchSize: o.batchSize,
          maxEpochs: o.maxEpochs,
          patience: o.patience,
          validationFraction: o.validationFraction,
        },
        metrics: {
          bestEpoch: outcome.bestEpoch,
          epochsRun: outcome.epochsRun,
          countLossWeight,
          countShift,
          training: setMetrics(trainScores, train.n),
          validation: {
            ...setMetrics(validationScores, validation.n),
            intervalCoverage80: covered / validation.n,
          },
          history: { trainingLoss: outcome.trainingLoss, validationLoss: outcome.validationLoss },
        },
        tfjs: { version: tf.version_core, backend: tf.getBackend() },
      };
      return new FusionNetwork(layers, {
        architecture,
        standardisation,
        usesBaseline: data.baselines !== undefined,
        dispersionSize,
        metadata,
      });
    } catch (error) {
      layers.model.dispose();
      throw error;
    }
  }

  /**
   * Reads `toJSON()`'s document: checks the format tag, rebuilds the layers from the architecture, checks
   * them against the stored topology and loads the weights. Throws ModelFormatError on any mismatch.
   */
  static load(json: unknown): FusionNetwork {
    const parsed = parseFusionDocument(json);
    let layers: FusionLayers;
    try {
      layers = buildFusionLayers(parsed.architecture);
    } catch (error) {
      throw new ModelFormatError('fusion model: cannot build the architecture', { cause: error });
    }
    try {
      checkTopology(parsed.topology, layers.model);
      const tensors = weightTensors(layers.model, parsed.manifest, parsed.values);
      layers.model.setWeights(tensors);
      tf.dispose(tensors);
      return new FusionNetwork(layers, parsed);
    } catch (error) {
      layers.model.dispose();
      throw error;
    }
  }

  /** The network as a plain JSON document (see `FusionNetworkJSON`). */
  toJSON(): FusionNetworkJSON {
    this.#assertLive();
    return {
      format: FUSION_FORMAT,
      architecture: { ...this.#architecture, hiddenUnits: [...this.#architecture.hiddenUnits] },
      topology: topologyOf(this.#layers.model),
      weights: encodeWeights(this.#layers.model),
      standardisation: {
        means: Array.from(this.#standardisation.means),
        sds: Array.from(this.#standardisation.sds),
      },
      count: { usesBaseline: this.usesBaseline, dispersionSize: this.dispersionSize },
      metadata: this.metadata,
    };
  }

  /**
   * Fast scoring of one row (the live path): validation and standardisation in JS, then one fused
   * matMul + bias + ReLU per layer and one for both heads inside `tf.tidy`, read back with `dataSync`.
   * Throws ModelInputError on a wrong width, a non-finite value, or a missing / bad baseline.
   */
  predictOne(row: FusionRow, baseline?: number): FusionPrediction {
    this.#assertLive();
    const base = this.#baselineOf(baseline, 'fusion: row');
    checkRow(row, this.inputWidth, 'fusion: row');
    standardiseInto(row, this.#standardisation, this.#scratch, 0);
    return this.#toPrediction(this.#run(this.#scratch, 1), 0, base, false);
  }

  /** Fast scoring of several rows (one pass through the network); same checks as `predictOne`. */
  predict(rows: readonly FusionRow[], baselines?: readonly number[]): FusionPrediction[] {
    this.#assertLive();
    const bases = this.#baselinesOf(rows.length, baselines);
    const x = this.#standardiseRows(rows);
    if (rows.length === 0) return [];
    const raw = this.#run(x, rows.length);
    const stride = this.#architecture.classCount + 1;
    return bases.map((base, i) => this.#toPrediction(raw, i * stride, base, false));
  }

  /**
   * The same predictions through tfjs-layers' generic `model.predict` (softmax layer included): the
   * reference the fast path is checked against, and the baseline of the scoring benchmark.
   */
  predictWithLayers(rows: readonly FusionRow[], baselines?: readonly number[]): FusionPrediction[] {
    this.#assertLive();
    const bases = this.#baselinesOf(rows.length, baselines);
    const x = this.#standardiseRows(rows);
    if (rows.length === 0) return [];
    const k = this.#architecture.classCount;
    const raw = tf.tidy(() => {
      const outputs = this.#layers.model.predict(tf.tensor2d(x, [rows.length, this.inputWidth]));
      if (!Array.isArray(outputs) || outputs.length !== 2)
        throw new TypeError('fusion: model.predict outputs');
      return tf.concat(outputs, 1).dataSync<'float32'>();
    });
    return bases.map((base, i) => this.#toPrediction(raw, i * (k + 1), base, true));
  }

  /** Frees the network's tensors; later calls throw. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    tf.dispose([this.#head.kernel, this.#head.bias, ...this.#hidden.flatMap((w) => [w.kernel, w.bias])]);
    this.#layers.model.dispose();
  }

  #assertLive(): void {
    if (this.#disposed) throw new ModelInputError('fusion: the network was disposed');
  }

  #baselineOf(baseline: number | undefined, what: string): number {
    if (!this.usesBaseline) {
      if (baseline !== undefined)
        throw new ModelInputError(`${what}: this network was trained without baselines`);
      return 1;
    }
    return checkBaseline(baseline, what);
  }

  #baselinesOf(n: number, baselines: readonly number[] | undefined): number[] {
    if (baselines !== undefined && baselines.length !== n) {
      throw new ModelInputError(`fusion: ${n} rows but ${baselines.length} baselines`);
    }
    return Array.from({ length: n }, (_, i) => this.#baselineOf(baselines?.[i], `fusion: row ${i}`));
  }

  #standardiseRows(rows: readonly FusionRow[]): Float32Array {
    const x = new Float32Array(rows.length * this.inputWidth);
    rows.forEach((row, i) => {
      checkRow(row, this.inputWidth, `fusion: row ${i}`);
      standardiseInto(row, this.#standardisation, x, i * this.inputWidth);
    });
    return x;
  }

  /** Raw outputs (K logits, then eta) of standardised rows, n × (K + 1). */
  #run(x: Float32Array, n: number): Float32Array {
    return tf.tidy(() => {
      let h: tf.Tensor = tf.tensor2d(x, [n, this.inputWidth]);
      for (const { kernel, bias } of this.#hidden)
        h = tf.fused.matMul({ a: h, b: kernel, bias, activation: 'relu' });
      return tf.fused.matMul({ a: h, b: this.#head.kernel, bias: this.#head.bias }).dataSync<'float32'>();
    });
  }

  #toPrediction(
    raw: Float32Array,
    offset: number,
    baseline: number,
    probabilitiesGiven: boolean,
  ): FusionPrediction {
    const k = this.#architecture.classCount;
    const classProbabilities = new Array<number>(k);
    if (probabilitiesGiven) for (let j = 0; j < k; j++) classProbabilities[j] = raw[offset + j] ?? 0;
    else softmaxInto(raw, offset, k, classProbabilities);
    let predictedClass = 0;
    for (let j = 1; j < k; j++) {
      if ((classProbabilities[j] ?? 0) > (classProbabilities[predictedClass] ?? 0)) predictedClass = j;
    }
    const expectedCount = baseline * Math.exp(raw[offset + k] ?? 0);
    const [lo = 0, hi = 0] = countQuantiles(expectedCount, this.dispersionSize, INTERVAL_PROBABILITIES);
    return {
      classProbabilities,
      predictedClass,
      elevated: classProbabilities[k - 1] ?? 0,
      expectedCount,
      interval80: [lo, hi],
    };
  }
}
