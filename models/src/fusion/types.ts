/**
 * The fusion network's public types: options and their defaults, predictions, metrics, metadata and the
 * serialised document.
 */
import type { FusionArchitecture } from './architecture.js';
import type { FusionBranch } from './data.js';
import type { FusionEpochProgress } from './train.js';

/** The format tag of `toJSON()`; `load` accepts nothing else. */
export const FUSION_FORMAT = 'fusion-network@1';

/** Training options; `FusionNetwork.fit` merges what it is given with `FUSION_DEFAULTS`. */
/** How every network of the fusion trains: regularisation, Adam and early stopping. */
export interface NetworkTraining {
  /** Dropout rate after each hidden layer during training, in [0, 1). */
  readonly dropout: number;
  /** L2 penalty on every kernel: `l2 × sum of squared kernel weights` is added to the batch loss. */
  readonly l2: number;
  /** Adam's learning rate. */
  readonly learningRate: number;
  readonly batchSize: number;
  /** Upper bound on epochs. */
  readonly maxEpochs: number;
  /** Stop after this many epochs without a lower validation loss; `maxEpochs` or more runs every epoch. */
  readonly patience: number;
}

export interface FusionOptions extends NetworkTraining {
  /** Seeds the kernel initialisers, the epoch shuffles and the dropout masks. */
  readonly seed: number;
  /** Class names, lowest first; K = their number (≥ 2). The top class is "elevated". */
  readonly classNames: readonly string[];
  /**
   * Branches of the input row, in order, widths summing to the row width (metadata: which slice is which).
   * Default: one branch `features` of the whole width. The live product passes `fusionBranches(BRANCH_SIZES)`.
   */
  readonly branches?: readonly FusionBranch[];
  /** One name per input column (metadata). Default: `<branch>.<index in branch>`. */
  readonly featureNames?: readonly string[];
  /** Units of the dense ReLU layers, input side first; `[]` gives a linear model per head. */
  readonly hiddenUnits: readonly number[];
  /** Share of the rows (the latest by time key) held out for early stopping and the dispersion, in (0, 1). */
  readonly validationFraction: number;
  /**
   * Weight of the Poisson term in the loss. `'auto'` = 1 / sqrt(max(1, mean training count)): the
   * Poisson gradient per row, |mu - y|, is about sqrt(mu) at a good fit, so this puts it on the scale of
   * the cross-entropy's (at most 1) whatever the size of the counts.
   */
  readonly countLossWeight: number | 'auto';
  /** Called after every epoch (not stored). */
  readonly onEpoch?: (progress: FusionEpochProgress) => void;
}

/** Defaults of `FusionOptions`. */
export const FUSION_DEFAULTS = {
  seed: 1,
  classNames: ['low', 'middle', 'high'],
  hiddenUnits: [64, 32],
  dropout: 0.1,
  l2: 1e-4,
  learningRate: 1e-3,
  batchSize: 64,
  maxEpochs: 100,
  patience: 10,
  validationFraction: 0.2,
  countLossWeight: 'auto',
} as const satisfies FusionOptions;

/** One row's prediction. */
export interface FusionPrediction {
  /** P(class k) for k = 0..K-1, summing to 1. */
  readonly classProbabilities: readonly number[];
  /** The most probable class. */
  readonly predictedClass: number;
  /** P(top class): probability of elevated activity next period. */
  readonly elevated: number;
  /** Expected count of the next period: exp(eta), or baseline × exp(eta). */
  readonly expectedCount: number;
  /** [q10, q90] of the count distribution (see the module comment): an 80% interval, integers. */
  readonly interval80: readonly [number, number];
}

/** Scores of one part of the split at the kept epoch (no dropout). */
export interface FusionSetMetrics {
  readonly rows: number;
  /** The training objective without L2: cross-entropy + countLossWeight × Poisson NLL without ln y!. */
  readonly loss: number;
  readonly crossEntropy: number;
  /** Mean full Poisson negative log-likelihood of the counts (with ln y!). */
  readonly poissonNll: number;
  readonly accuracy: number;
  /** Multi-class Brier score: mean over rows of sum_k (p_k - [y = k])^2, between 0 and 2. */
  readonly brier: number;
  /** Mean absolute error of the expected count. */
  readonly countMae: number;
}

/** What the fit measured; stored in the model. */
export interface FusionMetrics {
  /** 1-based epoch whose weights were kept; 0 = no epoch beat the initial weights. */
  readonly bestEpoch: number;
  readonly epochsRun: number;
  /** The Poisson term's weight actually used. */
  readonly countLossWeight: number;
  /** Shift added to the log-rate intercept after training (see `recalibrateCountHead`). */
  readonly countShift: number;
  readonly training: FusionSetMetrics;
  readonly validation: FusionSetMetrics & {
    /** Share of validation counts inside their 80% interval (in-sample for the dispersion). */
    readonly intervalCoverage80: number;
  };
  /** Per epoch: mean training loss (with dropout and L2) and validation loss. */
  readonly history: { readonly trainingLoss: readonly number[]; readonly validationLoss: readonly number[] };
}

/** Time keys bounding the two parts of the split (as given in `times`). */
export interface FusionWindow {
  readonly trainingFrom: number;
  readonly trainingTo: number;
  readonly validationFrom: number;
  readonly validationTo: number;
}

/** Everything about a fitted network but its weights. */
export interface FusionMetadata {
  readonly branches: readonly FusionBranch[];
  readonly featureNames: readonly string[];
  readonly classNames: readonly string[];
  readonly window: FusionWindow;
  /** The options the fit used (without `onEpoch`, branches, names). */
  readonly options: NetworkTraining & {
    readonly seed: number;
    readonly hiddenUnits: readonly number[];
    readonly validationFraction: number;
  };
  readonly metrics: FusionMetrics;
  /** TF.js core version and the backend the fit ran on. */
  readonly tfjs: { readonly version: string; readonly backend: string };
}

/** `toJSON()`'s document. */
export interface FusionNetworkJSON {
  readonly format: typeof FUSION_FORMAT;
  readonly architecture: FusionArchitecture;
  /** Keras-format topology from tfjs-layers (`model.toJSON`), checked against the architecture on load. */
  readonly topology: unknown;
  /** The weights in `model.getWeights()` order, as one base64 little-endian float32 array. */
  readonly weights: {
    readonly manifest: readonly { readonly name: string; readonly shape: readonly number[] }[];
    readonly float32Base64: string;
  };
  /** Input standardisation fitted on the training rows; sd 0 marks a constant column (mapped to 0). */
  readonly standardisation: { readonly means: readonly number[]; readonly sds: readonly number[] };
  readonly count: {
    readonly usesBaseline: boolean;
    /** Negative binomial size of the interval; null = Poisson. */
    readonly dispersionSize: number | null;
  };
  readonly metadata: FusionMetadata;
}
