/**
 * Random forests over a feature matrix (the 128 crime-statistics features in the live product, any width in
 * evaluation), built from `ml-random-forest`.
 *
 * How the forest is grown. Each of the `nEstimators` trees is one ml-random-forest model with a single
 * CART estimator, trained on its own rows: `min(rows, maxSamples)` rows drawn with replacement from the
 * training set by this module's seeded generator (a bootstrap when rows <= maxSamples, an m-out-of-n
 * bootstrap above), and its own random subset of `maxFeatures` columns drawn by the library from the tree's
 * seed (random subspaces, chosen per tree, not per split, which is how ml-random-forest works).
 * Why not one library forest: ml-cart's split search scans every row for every candidate split, so a tree's
 * cost grows with the square of its rows (measured: 10 trees on 600 x 128 took 25 s); drawing at most
 * `maxSamples` rows per tree bounds it while every training row still reaches some trees.
 *
 * Prediction. The classifier's probability of a class is the fraction of trees voting it; its prediction is
 * the class with most votes (ties: the earlier class in `classes`). The regressor predicts the mean of its
 * trees. Rows a tree never drew are its out-of-bag rows: the out-of-bag score (accuracy or R²) is computed
 * at fit time from them.
 */
import { RandomForestClassifier, RandomForestRegression } from 'ml-random-forest';
import { ModelFormatError, ModelInputError } from '../errors.js';
import { isRecord, jsonReader } from '../json-read.js';
import { mixSeed, mulberry32, randomInt } from './rng.js';
import {
  compileTree,
  evaluateTree,
  pruneLibraryModel,
  type CompiledTree,
  type JsonObject,
  type TreeKind,
} from './tree.js';
import { checkInteger, checkMatrix, checkNames, checkTargets, type FeatureMatrix } from './validate.js';

/** Options of a forest; every field has a default in {@link FOREST_DEFAULTS}. */
export interface ForestOptions {
  /** Number of trees. */
  readonly nEstimators: number;
  /**
   * Columns given to each tree: a fraction in (0, 1] of the columns (rounded down, at least one) or an
   * integer count above 1 (at most the number of columns).
   */
  readonly maxFeatures: number;
  /** Rows drawn with replacement for each tree: `min(rows, maxSamples)`. Bounds the cost of a tree. */
  readonly maxSamples: number;
  /** Deepest level a tree grows to (the root is level 0). */
  readonly maxDepth: number;
  /** A node holding at most this many rows is a leaf (ml-cart's `minNumSamples`). */
  readonly minSplitSize: number;
  /** Seed of the row draws and of each tree's feature subset: the same seed gives the same forest. */
  readonly seed: number;
}

/**
 * Defaults: 100 trees, half the columns per tree, at most 128 rows per tree, depth 20, nodes of 3 rows or
 * fewer are leaves (ml-cart's default), seed 42.
 *
 * Cost: a tree costs about `min(rows, maxSamples)² x columns per tree` split evaluations in ml-cart, about
 * 0.1 s for 128 rows x 64 columns here; with these defaults, 2,000 rows x 128 columns fit in about 12 s
 * (see the bench). On synthetic 3-tier data with the signal spread over 30 of 128 columns, 100 trees of 128
 * rows matched or beat 50 trees of 256 rows (test accuracy 0.73 against 0.70) at 60 % of the time.
 * Per-tree column subsets dilute a signal carried by a single column (a tree without it votes blind):
 * with `maxFeatures: 0.5` and one informative column, about half the trees vote blind; raise
 * `maxFeatures` towards 1 when few columns matter.
 */
export const FOREST_DEFAULTS: ForestOptions = Object.freeze({
  nEstimators: 100,
  maxFeatures: 0.5,
  maxSamples: 128,
  maxDepth: 20,
  minSplitSize: 3,
  seed: 42,
});

/** Fewest training rows a forest accepts. */
export const FOREST_MIN_ROWS = 5;

/** Fit options shared by the classifier and the regressor. */
export interface ForestFitOptions extends Partial<ForestOptions> {
  /** One name per column; default `f0`, `f1`, ... (for the live product, `CRIME_FEATURE_NAMES`). */
  readonly featureNames?: readonly string[];
}

/** Fit options of the classifier. */
export interface ClassifierFitOptions extends ForestFitOptions {
  /**
   * The class set, in the order of the probability columns; default: the distinct labels, ascending. A label
   * outside it is an input error; a class absent from the labels gets probability 0.
   */
  readonly classes?: readonly number[];
}

/** Out-of-bag evaluation at fit time. */
export interface OutOfBag {
  /** `accuracy` for the classifier, `r2` for the regressor. */
  readonly metric: 'accuracy' | 'r2';
  /** The score over rows with at least one out-of-bag tree; null when there is none. */
  readonly score: number | null;
  /** Rows with at least one out-of-bag tree. */
  readonly rows: number;
}

/** Serialised classifier (`format: 'forest-classifier@1'`). */
export interface ForestClassifierJSON {
  readonly format: 'forest-classifier@1';
  readonly options: ForestOptions;
  readonly featureNames: readonly string[];
  readonly classes: readonly number[];
  readonly trainingRows: number;
  readonly outOfBag: OutOfBag;
  /** One ml-random-forest `RFClassifier` model per tree (one estimator each), nodes pruned. */
  readonly trees: readonly JsonObject[];
}

/** Serialised regressor (`format: 'forest-regressor@1'`). */
export interface ForestRegressorJSON {
  readonly format: 'forest-regressor@1';
  readonly options: ForestOptions;
  readonly featureNames: readonly string[];
  readonly trainingRows: number;
  readonly outOfBag: OutOfBag;
  /** One ml-random-forest `RFRegression` model per tree (one estimator each), nodes pruned. */
  readonly trees: readonly JsonObject[];
}

/** Merges and checks options against a matrix of `width` columns. */
function resolveOptions(options: Partial<ForestOptions>, width: number): ForestOptions {
  const merged: ForestOptions = {
    nEstimators: options.nEstimators ?? FOREST_DEFAULTS.nEstimators,
    maxFeatures: options.maxFeatures ?? FOREST_DEFAULTS.maxFeatures,
    maxSamples: options.maxSamples ?? FOREST_DEFAULTS.maxSamples,
    maxDepth: options.maxDepth ?? FOREST_DEFAULTS.maxDepth,
    minSplitSize: options.minSplitSize ?? FOREST_DEFAULTS.minSplitSize,
    seed: options.seed ?? FOREST_DEFAULTS.seed,
  };
  checkInteger(merged.nEstimators, 'nEstimators', 1, 10_000);
  checkInteger(merged.maxSamples, 'maxSamples', 2, 10_000_000);
  checkInteger(merged.maxDepth, 'maxDepth', 1, 200);
  checkInteger(merged.minSplitSize, 'minSplitSize', 1, 1_000_000);
  checkInteger(merged.seed, 'seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  featuresPerTree(merged.maxFeatures, width);
  return Object.freeze(merged);
}

/** Columns each tree gets. */
function featuresPerTree(maxFeatures: number, width: number): number {
  if (typeof maxFeatures === 'number' && maxFeatures > 0 && maxFeatures <= 1) {
    return Math.max(1, Math.floor(width * maxFeatures + 1e-9));
  }
  if (Number.isInteger(maxFeatures) && maxFeatures > 1 && maxFeatures <= width) return maxFeatures;
  throw new ModelInputError(
    `option maxFeatures = ${String(maxFeatures)}: expected a fraction in (0, 1] or an integer in [2, ${width}]`,
  );
}

/**
 * The `maxFeatures` value ml-random-forest reads as exactly `count` columns: it reads (0, 1] as a fraction,
 * so a count of 1 is passed as 1.5 / width (rounded down to one column).
 */
function libraryMaxFeatures(count: number, width: number): number {
  if (count > 1) return count;
  return width === 1 ? 1 : 1.5 / width;
}

interface Grown {
  readonly trees: CompiledTree[];
  readonly json: JsonObject[];
  /** Per row: the sum (regression) or per-class vote counts (classifier) of its out-of-bag trees. */
  readonly oobSum: Float64Array;
  readonly oobTrees: Int32Array;
}

/** Grows the trees; `targets` are class indices (classifier) or values (regression). */
function grow(
  X: FeatureMatrix,
  targets: readonly number[],
  kind: TreeKind,
  options: ForestOptions,
  classCount: number,
): Grown {
  const rows = X.length;
  const width = X[0]?.length ?? 0;
  const drawn = Math.min(rows, options.maxSamples);
  const maxFeatures = libraryMaxFeatures(featuresPerTree(options.maxFeatures, width), width);
  const slots = kind === 'classifier' ? classCount : 1;
  const oobSum = new Float64Array(rows * slots);
  const oobTrees = new Int32Array(rows);
  const trees: CompiledTree[] = [];
  const json: JsonObject[] = [];
  const inBag = new Uint8Array(rows);
  for (let t = 0; t < options.nEstimators; t++) {
    const random = mulberry32(mixSeed(options.seed, t, 1));
    inBag.fill(0);
    const bagX: (readonly number[])[] = [];
    const bagY: number[] = [];
    for (let k = 0; k < drawn; k++) {
      const i = randomInt(random, rows);
      inBag[i] = 1;
      bagX.push(X[i] ?? []);
      bagY.push(targets[i] ?? 0);
    }
    const libraryOptions = {
      nEstimators: 1,
      maxFeatures,
      replacement: false,
      seed: mixSeed(options.seed, t, 2),
      useSampleBagging: false,
      noOOB: true,
      treeOptions: { maxDepth: options.maxDepth, minNumSamples: options.minSplitSize },
    };
    const library =
      kind === 'classifier'
        ? new RandomForestClassifier(libraryOptions)
        : new RandomForestRegression(libraryOptions);
    // The library types its argument as mutable number[][]; it only reads it.
    library.train(bagX as number[][], bagY);
    const model = pruneLibraryModel(library.toJSON(), kind);
    const tree = compileTree(model, kind, width, classCount);
    trees.push(tree);
    json.push(model);
    for (let i = 0; i < rows; i++) {
      if (inBag[i] === 1) continue;
      const output = evaluateTree(tree, X[i] ?? []);
      const slot = kind === 'classifier' ? i * slots + output : i;
      oobSum[slot] = (oobSum[slot] ?? 0) + (kind === 'classifier' ? 1 : output);
      oobTrees[i] = (oobTrees[i] ?? 0) + 1;
    }
  }
  return { trees, json, oobSum, oobTrees };
}

/** Index of the largest count; ties go to the lowest index. */
function argmax(values: Float64Array, offset: number, length: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let c = 0; c < length; c++) {
    const value = values[offset + c] ?? -Infinity;
    if (value > bestValue) {
      bestValue = value;
      best = c;
    }
  }
  return best;
}

/** R² = 1 - (sum of squared residuals) / (sum of squared deviations from the mean); for constant targets, 1 when every prediction is exact, else 0. */
export function rSquared(actual: readonly number[], predicted: readonly number[]): number {
  const n = actual.length;
  let mean = 0;
  for (const value of actual) mean += value / n;
  let residual = 0;
  let total = 0;
  actual.forEach((value, i) => {
    residual += (value - (predicted[i] ?? 0)) ** 2;
    total += (value - mean) ** 2;
  });
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}

function namesFor(
  width: number,
  featureNames: readonly string[] | undefined,
  what: string,
): readonly string[] {
  const names = featureNames ?? Array.from({ length: width }, (_, j) => `f${j}`);
  checkNames(names, width, what);
  return Object.freeze([...names]);
}

/** The readers of the forests' `load`: each error names `forest` and the path it rejects. */
const read = jsonReader('forest');

function checkFormat(json: unknown, format: string): Record<string, unknown> {
  const record = jsonReader(format).record(json, 'document');
  if (record.format !== format) {
    throw new ModelFormatError(`expected format ${format}, got ${String(record.format)}`);
  }
  return record;
}

function loadCommon(
  record: Record<string, unknown>,
  kind: TreeKind,
  classCount: number,
): { options: ForestOptions; names: readonly string[]; trees: CompiledTree[]; json: JsonObject[] } {
  const names = read.list(record.featureNames, 'featureNames', read.text);
  const trees = read.array(record.trees, 'trees');
  if (trees.length === 0) throw new ModelFormatError('forest: no trees');
  const stored = readOptions(record.options);
  let options: ForestOptions;
  try {
    options = resolveOptions(stored, names.length);
    checkNames(names, names.length, 'forest');
  } catch (error) {
    throw new ModelFormatError('forest: invalid options or feature names', { cause: error });
  }
  const json = trees.map((tree, i) => read.record(tree, `trees[${i}]`) as JsonObject);
  const compiled = json.map((tree) => {
    try {
      // The library must accept what we stored: it is the reference for these models.
      if (kind === 'classifier') {
        RandomForestClassifier.load(tree as unknown as Parameters<typeof RandomForestClassifier.load>[0]);
      } else {
        RandomForestRegression.load(tree as unknown as Parameters<typeof RandomForestRegression.load>[0]);
      }
    } catch (error) {
      throw new ModelFormatError('forest: ml-random-forest rejected a tree', { cause: error });
    }
    return compileTree(tree, kind, names.length, classCount);
  });
  return { options, names: Object.freeze([...names]), trees: compiled, json };
}

/** Picks the numeric option fields of stored JSON; anything else is left to the defaults' checks. */
function readOptions(value: unknown): Partial<ForestOptions> {
  const record = read.record(value, 'options');
  const keys = ['nEstimators', 'maxFeatures', 'maxSamples', 'maxDepth', 'minSplitSize', 'seed'] as const;
  const options: Partial<Record<(typeof keys)[number], number>> = {};
  for (const key of keys) options[key] = read.finite(record[key], `options.${key}`);
  return options;
}

/** The out-of-bag figures; a document without them (or with a missing field) reads as "not measured". */
function readOutOfBag(value: unknown): OutOfBag {
  const record = isRecord(value) ? value : {};
  const metric = record.metric === 'r2' ? 'r2' : 'accuracy';
  const score = typeof record.score === 'number' ? record.score : null;
  const rows = typeof record.rows === 'number' ? record.rows : 0;
  return { metric, score, rows };
}

/**
 * A random-forest classifier: integer or numeric class labels, vote-fraction probabilities.
 *
 * @example
 * ```ts
 * const model = ForestClassifier.fit(X, tiers, { classes: [0, 1, 2], featureNames: CRIME_FEATURE_NAMES });
 * const [p] = model.predictProba([row]); // [P(low), P(middle), P(high)]
 * const restored = ForestClassifier.load(JSON.parse(JSON.stringify(model.toJSON())));
 * ```
 */
export class ForestClassifier {
  /** The class set, in the order of {@link ForestClassifier.predictProba}'s columns. */
  readonly classes: readonly number[];
  readonly featureNames: readonly string[];
  readonly options: ForestOptions;
  readonly trainingRows: number;
  readonly outOfBag: OutOfBag;
  /** @internal Compiled trees (read by the permutation importance). */
  readonly trees: readonly CompiledTree[];
  private readonly json: readonly JsonObject[];

  private constructor(parts: {
    classes: readonly number[];
    featureNames: readonly string[];
    options: ForestOptions;
    trainingRows: number;
    outOfBag: OutOfBag;
    trees: readonly CompiledTree[];
    json: readonly JsonObject[];
  }) {
    this.classes = parts.classes;
    this.featureNames = parts.featureNames;
    this.options = parts.options;
    this.trainingRows = parts.trainingRows;
    this.outOfBag = parts.outOfBag;
    this.trees = parts.trees;
    this.json = parts.json;
  }

  /** Columns the model reads. */
  get width(): number {
    return this.featureNames.length;
  }

  /**
   * Trains a classifier.
   *
   * @param X - One row per sample, all of the same width, finite numbers; at least {@link FOREST_MIN_ROWS}.
   * @param y - One label per row, each in the class set.
   * @throws ModelInputError on a ragged row, a non-finite value, too few rows, a label outside the class set,
   *   fewer than two classes, duplicate feature names or an option out of range; before any training.
   */
  static fit(X: FeatureMatrix, y: readonly number[], options: ClassifierFitOptions = {}): ForestClassifier {
    const width = checkMatrix(X, 'ForestClassifier.fit X', FOREST_MIN_ROWS);
    checkTargets(y, X.length, 'ForestClassifier.fit y');
    const names = namesFor(width, options.featureNames, 'ForestClassifier.fit');
    const resolved = resolveOptions(options, width);
    const classes = options.classes ? [...options.classes] : [...new Set(y)].sort((a, b) => a - b);
    if (classes.length < 2)
      throw new ModelInputError(`ForestClassifier.fit: ${classes.length} class, at least 2`);
    if (new Set(classes).size !== classes.length || !classes.every((c) => Number.isFinite(c))) {
      throw new ModelInputError('ForestClassifier.fit: classes must be distinct finite numbers');
    }
    const indexOf = new Map(classes.map((c, k) => [c, k]));
    const targets = y.map((label, i) => {
      const k = indexOf.get(label);
      if (k === undefined) {
        throw new ModelInputError(
          `ForestClassifier.fit: label ${label} of row ${i} is outside the classes [${classes.join(', ')}]`,
        );
      }
      return k;
    });
    const grown = grow(X, targets, 'classifier', resolved, classes.length);
    let covered = 0;
    let correct = 0;
    targets.forEach((k, i) => {
      if ((grown.oobTrees[i] ?? 0) === 0) return;
      covered += 1;
      if (argmax(grown.oobSum, i * classes.length, classes.length) === k) correct += 1;
    });
    return new ForestClassifier({
      classes: Object.freeze(classes),
      featureNames: names,
      options: resolved,
      trainingRows: X.length,
      outOfBag: { metric: 'accuracy', score: covered > 0 ? correct / covered : null, rows: covered },
      trees: grown.trees,
      json: grown.json,
    });
  }

  /** Votes per row and class (counts of trees). */
  private votes(X: FeatureMatrix): Float64Array {
    checkMatrix(X, 'ForestClassifier X', 1, this.width);
    const k = this.classes.length;
    const counts = new Float64Array(X.length * k);
    for (const tree of this.trees) {
      X.forEach((row, i) => {
        const slot = i * k + evaluateTree(tree, row);
        counts[slot] = (counts[slot] ?? 0) + 1;
      });
    }
    return counts;
  }

  /** The predicted class of each row: the class most trees vote (ties: the earlier class). */
  predict(X: FeatureMatrix): number[] {
    const counts = this.votes(X);
    const k = this.classes.length;
    return X.map((_, i) => this.classes[argmax(counts, i * k, k)] ?? Number.NaN);
  }

  /** Per row, the fraction of trees voting each class, in the order of {@link ForestClassifier.classes}. */
  predictProba(X: FeatureMatrix): number[][] {
    const counts = this.votes(X);
    const k = this.classes.length;
    const trees = this.trees.length;
    return X.map((_, i) => Array.from(counts.subarray(i * k, i * k + k), (count) => count / trees));
  }

  /**
   * Risk of each row: the expected class value, sum over classes of P(class) x class value (for tiers
   * 0 = low, 1 = middle, 2 = high: the expected tier).
   */
  risk(X: FeatureMatrix): number[] {
    return this.predictProba(X).map((p) =>
      p.reduce((sum, share, c) => sum + share * (this.classes[c] ?? 0), 0),
    );
  }

  /** Plain JSON (`format: 'forest-classifier@1'`); {@link ForestClassifier.load} restores identical predictions. */
  toJSON(): ForestClassifierJSON {
    return {
      format: 'forest-classifier@1',
      options: { ...this.options },
      featureNames: [...this.featureNames],
      classes: [...this.classes],
      trainingRows: this.trainingRows,
      outOfBag: { ...this.outOfBag },
      trees: this.json,
    };
  }

  /**
   * Restores a classifier from {@link ForestClassifier.toJSON}'s output.
   *
   * @throws ModelFormatError when the format tag is not `forest-classifier@1` or the content is malformed.
   */
  static load(json: unknown): ForestClassifier {
    const record = checkFormat(json, 'forest-classifier@1');
    const classes = jsonReader('forest-classifier@1').numbers(record.classes, 'classes');
    if (classes.length < 2)
      throw new ModelFormatError('forest-classifier@1: classes must be at least two numbers');
    const common = loadCommon(record, 'classifier', classes.length);
    return new ForestClassifier({
      classes: Object.freeze([...classes]),
      featureNames: common.names,
      options: common.options,
      trainingRows: typeof record.trainingRows === 'number' ? record.trainingRows : 0,
      outOfBag: readOutOfBag(record.outOfBag),
      trees: common.trees,
      json: common.json,
    });
  }
}

/**
 * A random-forest regressor: the prediction is the mean of the trees.
 *
 * @example
 * ```ts
 * const model = ForestRegressor.fit(X, nextWeekCounts, { seed: 7 });
 * const expected = model.predict(X.slice(-22));
 * ```
 */
export class ForestRegressor {
  readonly featureNames: readonly string[];
  readonly options: ForestOptions;
  readonly trainingRows: number;
  readonly outOfBag: OutOfBag;
  /** @internal Compiled trees (read by the permutation importance). */
  readonly trees: readonly CompiledTree[];
  private readonly json: readonly JsonObject[];

  private constructor(parts: {
    featureNames: readonly string[];
    options: ForestOptions;
    trainingRows: number;
    outOfBag: OutOfBag;
    trees: readonly CompiledTree[];
    json: readonly JsonObject[];
  }) {
    this.featureNames = parts.featureNames;
    this.options = parts.options;
    this.trainingRows = parts.trainingRows;
    this.outOfBag = parts.outOfBag;
    this.trees = parts.trees;
    this.json = parts.json;
  }

  /** Columns the model reads. */
  get width(): number {
    return this.featureNames.length;
  }

  /**
   * Trains a regressor.
   *
   * @param X - One row per sample, all of the same width, finite numbers; at least {@link FOREST_MIN_ROWS}.
   * @param y - One finite target per row.
   * @throws ModelInputError on a ragged row, a non-finite value or target, too few rows, duplicate feature
   *   names or an option out of range; before any training.
   */
  static fit(X: FeatureMatrix, y: readonly number[], options: ForestFitOptions = {}): ForestRegressor {
    const width = checkMatrix(X, 'ForestRegressor.fit X', FOREST_MIN_ROWS);
    checkTargets(y, X.length, 'ForestRegressor.fit y');
    const names = namesFor(width, options.featureNames, 'ForestRegressor.fit');
    const resolved = resolveOptions(options, width);
    const grown = grow(X, y, 'regression', resolved, 1);
    const actual: number[] = [];
    const predicted: number[] = [];
    y.forEach((value, i) => {
      const trees = grown.oobTrees[i] ?? 0;
      if (trees === 0) return;
      actual.push(value);
      predicted.push((grown.oobSum[i] ?? 0) / trees);
    });
    return new ForestRegressor({
      featureNames: names,
      options: resolved,
      trainingRows: X.length,
      outOfBag: {
        metric: 'r2',
        score: actual.length > 1 ? rSquared(actual, predicted) : null,
        rows: actual.length,
      },
      trees: grown.trees,
      json: grown.json,
    });
  }

  /** The mean of the trees' outputs for each row. */
  predict(X: FeatureMatrix): number[] {
    checkMatrix(X, 'ForestRegressor X', 1, this.width);
    const sums = new Float64Array(X.length);
    for (const tree of this.trees) {
      X.forEach((row, i) => {
        sums[i] = (sums[i] ?? 0) + evaluateTree(tree, row);
      });
    }
    return Array.from(sums, (sum) => sum / this.trees.length);
  }

  /** Risk of each row: the prediction itself. */
  risk(X: FeatureMatrix): number[] {
    return this.predict(X);
  }

  /** Plain JSON (`format: 'forest-regressor@1'`); {@link ForestRegressor.load} restores identical predictions. */
  toJSON(): ForestRegressorJSON {
    return {
      format: 'forest-regressor@1',
      options: { ...this.options },
      featureNames: [...this.featureNames],
      trainingRows: this.trainingRows,
      outOfBag: { ...this.outOfBag },
      trees: this.json,
    };
  }

  /**
   * Restores a regressor from {@link ForestRegressor.toJSON}'s output.
   *
   * @throws ModelFormatError when the format tag is not `forest-regressor@1` or the content is malformed.
   */
  static load(json: unknown): ForestRegressor {
    const record = checkFormat(json, 'forest-regressor@1');
    const common = loadCommon(record, 'regression', 1);
    return new ForestRegressor({
      featureNames: common.names,
      options: common.options,
      trainingRows: typeof record.trainingRows === 'number' ? record.trainingRows : 0,
      outOfBag: readOutOfBag(record.outOfBag),
      trees: common.trees,
      json: common.json,
    });
  }
}

/** Either forest. */
export type Forest = ForestClassifier | ForestRegressor;
