/**
 * Gradient-boosted regression trees for counts (issue 17's point-forecast ablation, docs/fusion.md
 * "Boosted trees"): the count y of a row is Poisson with log mean `offset + F(x)`, where the offset is the
 * log of a baseline mean the caller already has (the 8-week mean, say) and F is a sum of small trees fitted
 * by Newton steps on the Poisson deviance (gradient μ - y, hessian μ), as LightGBM's and XGBoost's Poisson
 * objectives do. Pooled over many series with scale-free inputs, this is the "global model" of count
 * forecasting competitions.
 *
 * How the trees are grown: every column is cut once, at up to `bins - 1` quantiles of its values, and each
 * tree is grown depth-first to `maxDepth` on those histograms (a leaf needs `minLeafRows` rows). Each round
 * draws `rowSample` of the rows without replacement and each tree `columnSample` of the columns, from a
 * seeded generator. The number of rounds is found on a time-ordered validation part (the latest
 * `validationFraction` of the rows by time key, as the fusion's networks split): boosting on the earlier rows
 * stops `patience` rounds after the validation deviance last improved, then the model is refitted on every
 * row with the best number of rounds.
 */
import { ModelFormatError, ModelInputError } from '../errors.js';
import { timeOrderedSplit } from '../fusion/data.js';
import { jsonReader } from '../json-read.js';
import { mixSeed, mulberry32, permutation } from './rng.js';
import { checkInteger, checkMatrix, checkTargets, type FeatureMatrix } from './validate.js';

/** Options of the booster; every field has a default in {@link BOOSTING_DEFAULTS}. */
export interface BoostingOptions {
  /** The most rounds (trees) tried on the validation part. */
  readonly rounds: number;
  /** Shrinkage of every tree's leaf values. */
  readonly learningRate: number;
  readonly maxDepth: number;
  /** Rows a leaf needs at least. */
  readonly minLeafRows: number;
  /** L2 penalty on leaf values, in hessian units (Σ μ of the leaf's rows). */
  readonly lambda: number;
  /** Histogram bins per column (2-256). */
  readonly bins: number;
  /** Share of the rows each round draws, without replacement. */
  readonly rowSample: number;
  /** Share of the columns each tree may split on. */
  readonly columnSample: number;
  /** Rounds without a better validation deviance before stopping. */
  readonly patience: number;
  /** The latest share of the rows by time key that picks the number of rounds. */
  readonly validationFraction: number;
  readonly seed: number;
}

export const BOOSTING_DEFAULTS: BoostingOptions = Object.freeze({
  rounds: 400,
  learningRate: 0.05,
  maxDepth: 3,
  minLeafRows: 20,
  lambda: 1,
  bins: 32,
  rowSample: 0.8,
  columnSample: 0.5,
  patience: 30,
  validationFraction: 0.2,
  seed: 1,
});

/** A training set: rows, their counts, the log of their baseline means, and time keys for the split. */
export interface BoostingTrainingSet {
  readonly rows: FeatureMatrix;
  readonly counts: readonly number[];
  readonly offsets: readonly number[];
  readonly times: readonly number[];
}

/** One tree in flat arrays: node i splits on `feature[i]` (x ≤ threshold goes left) or is a leaf (-1). */
interface Tree {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
  /** The split's bin (the index of its cut), for scoring the binned training rows. */
  readonly bin: Int32Array;
}

/** What the validation part said: the rounds kept, and the deviance of the model and of the offset alone. */
export interface BoostingValidation {
  readonly rounds: number;
  /** Mean Poisson deviance of the validation rows, at the kept round. */
  readonly deviance: number;
  /** The same for the offset alone (F = 0): the baseline the trees are a residual on. */
  readonly baselineDeviance: number;
  /**
   * The validation rows (indices into the training set) and the means the first fit gave them. Kept from
   * the fit only: a loaded model has none (empty arrays).
   */
  readonly rows: readonly number[];
  readonly means: readonly number[];
}

export class PoissonBoosting {
  private constructor(
    private readonly trees: readonly Tree[],
    /** The fitted intercept of F. */
    readonly intercept: number,
    readonly width: number,
    readonly validation: BoostingValidation,
  ) {}

  /** Fits the booster (see the module's comment). */
  static fit(data: BoostingTrainingSet, options: Partial<BoostingOptions> = {}): PoissonBoosting {
    const o = { ...BOOSTING_DEFAULTS, ...options };
    checkOptions(o);
    const width = checkMatrix(data.rows, 'boosting', 2 * o.minLeafRows);
    const n = data.rows.length;
    checkTargets(data.counts, n, 'boosting counts');
    checkTargets(data.offsets, n, 'boosting offsets');
    checkTargets(data.times, n, 'boosting times');
    data.counts.forEach((y, i) => {
      if (y < 0) throw new ModelInputError(`boosting counts: count ${i} is ${y}, not a count (>= 0)`);
    });
    checkOffsets(data.offsets, 'boosting offsets');
    const bins = Binned.of(data.rows, o.bins);
    const split = timeOrderedSplit(data.times, o.validationFraction);
    const search = grow(data, bins, Array.from(split.training), o, Array.from(split.validation));
    const all = Array.from({ length: n }, (_, i) => i);
    const final = grow(data, bins, all, { ...o, rounds: search.best }, []);
    return new PoissonBoosting(final.trees, final.intercept, width, {
      rounds: search.best,
      rows: Array.from(split.validation),
      deviance: search.bestDeviance,
      baselineDeviance: search.baselineDeviance,
      means: search.bestMeans,
    });
  }

  /** F(x) of every row: the log ratio of the predicted mean to the row's baseline. */
  predictLogRatio(rows: FeatureMatrix): number[] {
    checkMatrix(rows, 'boosting predict', 1, this.width);
    return rows.map((row) => {
      let f = this.intercept;
      for (const tree of this.trees) f += evaluate(tree, row);
      return f;
    });
  }

  /** The predicted mean count of every row: exp(offset + F(x)). */
  predict(rows: FeatureMatrix, offsets: readonly number[]): number[] {
    checkTargets(offsets, rows.length, 'boosting predict offsets');
    checkOffsets(offsets, 'boosting predict offsets');
    return this.predictLogRatio(rows).map((f, i) => Math.exp((offsets[i] ?? NaN) + f));
  }

  get treeCount(): number {
    return this.trees.length;
  }

  /** The saved form (format `poisson-boosting@1`); the validation rows are not kept. */
  toJSON(): PoissonBoostingJSON {
    return {
      format: POISSON_BOOSTING_FORMAT,
      width: this.width,
      intercept: this.intercept,
      validation: {
        rounds: this.validation.rounds,
        deviance: this.validation.deviance,
        baselineDeviance: this.validation.baselineDeviance,
      },
      trees: this.trees.map((t) => ({
        feature: Array.from(t.feature),
        threshold: Array.from(t.threshold),
        left: Array.from(t.left),
        right: Array.from(t.right),
        value: Array.from(t.value),
      })),
    };
  }

  /** Reads a saved model back; a malformed document is refused with a ModelFormatError naming what is wrong. */
  static load(json: unknown): PoissonBoosting {
    const doc = read.record(json, 'document');
    if (doc.format !== POISSON_BOOSTING_FORMAT)
      throw new ModelFormatError(
        `boosted trees: format ${String(doc.format)}, expected ${POISSON_BOOSTING_FORMAT}`,
      );
    const width = read.finite(doc.width, 'width');
    if (!Number.isInteger(width) || width < 1)
      throw new ModelFormatError('boosted trees: width must be a positive integer');
    const validation = read.record(doc.validation, 'validation');
    const trees = read.list(doc.trees, 'trees', (value, path) => readTree(value, path, width));
    const rounds = read.finite(validation.rounds, 'validation.rounds');
    if (rounds !== trees.length)
      throw new ModelFormatError(
        `boosted trees: validation.rounds is ${rounds}, but ${trees.length} trees are stored`,
      );
    return new PoissonBoosting(trees, read.finite(doc.intercept, 'intercept'), width, {
      rounds,
      deviance: read.finite(validation.deviance, 'validation.deviance'),
      baselineDeviance: read.finite(validation.baselineDeviance, 'validation.baselineDeviance'),
      rows: [],
      means: [],
    });
  }
}

/** The format tag of `PoissonBoosting.toJSON()`. */
export const POISSON_BOOSTING_FORMAT = 'poisson-boosting@1';

/** A saved tree: node i splits on `feature[i]` at `threshold[i]` into `left[i]` and `right[i]`, or is a leaf (-1). */
export interface PoissonTreeJSON {
  readonly feature: number[];
  readonly threshold: number[];
  readonly left: number[];
  readonly right: number[];
  readonly value: number[];
}

export interface PoissonBoostingJSON {
  readonly format: typeof POISSON_BOOSTING_FORMAT;
  readonly width: number;
  readonly intercept: number;
  readonly validation: {
    readonly rounds: number;
    readonly deviance: number;
    readonly baselineDeviance: number;
  };
  readonly trees: PoissonTreeJSON[];
}

const read = jsonReader('boosted trees');

/**
 * A saved tree, checked so that evaluating it always ends: every split names a column of the rows and two
 * children after it (nodes are stored parent first), and every leaf has none.
 */
function readTree(value: unknown, path: string, width: number): Tree {
  const t = read.record(value, path);
  const feature = read.numbers(t.feature, `${path}.feature`);
  const n = feature.length;
  const threshold = read.numbers(t.threshold, `${path}.threshold`, n);
  const left = read.numbers(t.left, `${path}.left`, n);
  const right = read.numbers(t.right, `${path}.right`, n);
  const values = read.numbers(t.value, `${path}.value`, n);
  if (n === 0) throw new ModelFormatError(`boosted trees: ${path} has no nodes`);
  for (let i = 0; i < n; i++) {
    const f = feature[i] ?? -1;
    const l = left[i] ?? -1;
    const r = right[i] ?? -1;
    const leaf = f === -1 && l === -1 && r === -1;
    const split =
      Number.isInteger(f) &&
      f >= 0 &&
      f < width &&
      [l, r].every((c) => Number.isInteger(c) && c > i && c < n);
    if (!leaf && !split)
      throw new ModelFormatError(
        `boosted trees: ${path} node ${i} is neither a leaf nor a split on a column < ${width} into later nodes`,
      );
  }
  return {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(values),
    bin: new Int32Array(n).fill(-1),
  };
}

/** The log of a mean count: beyond ±700 its exponential is 0 or infinite in double precision. */
const MAX_OFFSET = 700;

function checkOffsets(offsets: readonly number[], what: string): void {
  offsets.forEach((offset, i) => {
    if (Math.abs(offset) > MAX_OFFSET)
      throw new ModelInputError(
        `${what}: offset ${i} is ${offset}, outside [-${MAX_OFFSET}, ${MAX_OFFSET}] (the log of a mean count)`,
      );
  });
}

function checkOptions(o: BoostingOptions): void {
  checkInteger(o.rounds, 'rounds', 1, 100_000);
  checkInteger(o.maxDepth, 'maxDepth', 1, 16);
  checkInteger(o.minLeafRows, 'minLeafRows', 1, 1_000_000);
  checkInteger(o.bins, 'bins', 2, 256);
  checkInteger(o.patience, 'patience', 1, 100_000);
  const fractions: [string, number][] = [
    ['learningRate', o.learningRate],
    ['rowSample', o.rowSample],
    ['columnSample', o.columnSample],
  ];
  for (const [name, value] of fractions)
    if (!(value > 0 && value <= 1)) throw new ModelInputError(`option ${name} = ${value}: expected (0, 1]`);
  if (!(o.validationFraction > 0 && o.validationFraction < 1))
    throw new ModelInputError(`option validationFraction = ${o.validationFraction}: expected (0, 1)`);
  if (!(o.lambda >= 0) || !Number.isFinite(o.lambda))
    throw new ModelInputError(`option lambda = ${o.lambda}: expected a finite number >= 0`);
}

/** Every column's cut points and every value's bin (column-major): bin b holds cut[b - 1] < x ≤ cut[b]. */
class Binned {
  private constructor(
    readonly cuts: readonly Float64Array[],
    readonly bins: readonly Uint8Array[],
  ) {}

  static of(rows: FeatureMatrix, binCount: number): Binned {
    const cuts: Float64Array[] = [];
    const bins: Uint8Array[] = [];
    const width = rows[0]?.length ?? 0;
    for (let j = 0; j < width; j++) {
      const column = Float64Array.from(rows, (row) => row[j] ?? NaN);
      const cut = cutPoints(Float64Array.from(column).sort(), binCount);
      cuts.push(cut);
      bins.push(Uint8Array.from(column, (x) => binOf(cut, x)));
    }
    return new Binned(cuts, bins);
  }
}

/**
 * At most `binCount - 1` cut points of a sorted column, each halfway between two neighbouring distinct
 * values, so that ties always fall in one bin: every gap between distinct values when there are at most
 * `binCount` of them (a flag gets its one cut), else the gap just below each (b / binCount) quantile's
 * value. The largest value is never a cut.
 */
export function cutPoints(sorted: Float64Array, binCount: number): Float64Array {
  const distinct: number[] = [];
  for (const v of sorted) if (distinct.length === 0 || v > (distinct.at(-1) ?? Infinity)) distinct.push(v);
  const between = (k: number) => {
    const below = distinct[k - 1] ?? NaN;
    return below + ((distinct[k] ?? NaN) - below) / 2;
  };
  if (distinct.length <= binCount) return Float64Array.from(distinct.slice(1), (_, k) => between(k + 1));
  const points: number[] = [];
  const n = sorted.length;
  let k = 0;
  for (let b = 1; b < binCount; b++) {
    const v = sorted[Math.floor((b * n) / binCount)] ?? NaN;
    while ((distinct[k] ?? Infinity) < v) k++;
    // k indexes v among the distinct values: cut in the gap below it (none below the smallest).
    if (k > 0 && (points.length === 0 || between(k) > (points.at(-1) ?? -Infinity))) points.push(between(k));
  }
  return Float64Array.from(points);
}

/** The first cut at or above x (cuts.length when x is above them all). */
function binOf(cuts: Float64Array, x: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cuts[mid] ?? Infinity) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Grown {
  readonly trees: Tree[];
  readonly intercept: number;
  readonly best: number;
  readonly bestDeviance: number;
  readonly baselineDeviance: number;
  readonly bestMeans: number[];
}

/** Boosts on the rows `fitRows`; with `validationRows`, keeps the best round by their deviance. */
function grow(
  data: BoostingTrainingSet,
  binned: Binned,
  fitRows: readonly number[],
  o: BoostingOptions,
  validationRows: readonly number[],
): Grown {
  const random = mulberry32(mixSeed(o.seed, 0x6b6f6f73));
  let sumY = 0;
  let top = -Infinity;
  for (const i of fitRows) {
    sumY += data.counts[i] ?? 0;
    top = Math.max(top, data.offsets[i] ?? -Infinity);
  }
  // ln(Σ y / Σ e^offset), the sum of exponentials taken relative to the largest offset.
  let scaled = 0;
  for (const i of fitRows) scaled += Math.exp((data.offsets[i] ?? -Infinity) - top);
  const intercept = Math.log(Math.max(sumY, 0.5)) - top - Math.log(scaled);
  const score = Float64Array.from(data.offsets, (offset) => offset + intercept);
  const trees: Tree[] = [];
  const deviance = () => meanDeviance(data.counts, score, validationRows);
  const baselineDeviance = meanDeviance(data.counts, Float64Array.from(data.offsets), validationRows);
  let best = 0;
  let bestDeviance = deviance();
  let bestMeans = validationRows.map((i) => Math.exp(score[i] ?? NaN));
  const columns = binned.cuts.length;
  const columnCount = Math.max(1, Math.floor(o.columnSample * columns));
  const rowCount = Math.max(2 * o.minLeafRows, Math.floor(o.rowSample * fitRows.length));
  for (let round = 1; round <= o.rounds; round++) {
    const rowOrder = permutation(fitRows.length, random);
    const rows = Array.from(rowOrder.subarray(0, Math.min(rowCount, fitRows.length)), (k) => fitRows[k] ?? 0);
    const cols = Array.from(permutation(columns, random).subarray(0, columnCount));
    const gradient = new Float64Array(score.length);
    const hessian = new Float64Array(score.length);
    for (const i of rows) {
      const mu = Math.exp(score[i] ?? 0);
      gradient[i] = mu - (data.counts[i] ?? 0);
      hessian[i] = mu;
    }
    const tree = buildTree(binned, rows, cols, gradient, hessian, o);
    trees.push(tree);
    for (let i = 0; i < score.length; i++) score[i] = (score[i] ?? 0) + evaluateBinned(tree, binned, i);
    if (validationRows.length === 0) continue;
    const d = deviance();
    if (d < bestDeviance - 1e-12) {
      best = round;
      bestDeviance = d;
      bestMeans = validationRows.map((i) => Math.exp(score[i] ?? NaN));
    } else if (round - best >= o.patience) break;
  }
  if (validationRows.length === 0) best = trees.length;
  return { trees: trees.slice(0, best), intercept, best, bestDeviance, baselineDeviance, bestMeans };
}

/** Mean Poisson deviance 2 (y ln(y / μ) - (y - μ)) of the rows, μ = exp(score). */
function meanDeviance(counts: readonly number[], score: Float64Array, rows: readonly number[]): number {
  if (rows.length === 0) return NaN;
  let sum = 0;
  for (const i of rows) {
    const y = counts[i] ?? 0;
    const s = score[i] ?? 0;
    const mu = Math.exp(s);
    sum += 2 * ((y > 0 ? y * (Math.log(y) - s) : 0) - (y - mu));
  }
  return sum / rows.length;
}

/** Grows one tree depth-first on the histograms of `rows`. */
function buildTree(
  binned: Binned,
  rows: readonly number[],
  cols: readonly number[],
  gradient: Float64Array,
  hessian: Float64Array,
  o: BoostingOptions,
): Tree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const splitBin: number[] = [];
  const node = (members: readonly number[], depth: number): number => {
    const id = feature.length;
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    splitBin.push(-1);
    let g = 0;
    let h = 0;
    for (const i of members) {
      g += gradient[i] ?? 0;
      h += hessian[i] ?? 0;
    }
    value.push((-o.learningRate * g) / (h + o.lambda));
    if (depth >= o.maxDepth || members.length < 2 * o.minLeafRows) return id;
    const split = bestSplit(binned, members, cols, gradient, hessian, g, h, o);
    if (split === null) return id;
    const bins = binned.bins[split.feature] ?? new Uint8Array();
    const goLeft = members.filter((i) => (bins[i] ?? 0) <= split.bin);
    const goRight = members.filter((i) => (bins[i] ?? 0) > split.bin);
    feature[id] = split.feature;
    threshold[id] = binned.cuts[split.feature]?.[split.bin] ?? NaN;
    splitBin[id] = split.bin;
    left[id] = node(goLeft, depth + 1);
    right[id] = node(goRight, depth + 1);
    return id;
  };
  node(rows, 0);
  return {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(value),
    bin: Int32Array.from(splitBin),
  };
}

/** The split of largest gain G_L²/(H_L + λ) + G_R²/(H_R + λ) - G²/(H + λ) > 0, or null. */
function bestSplit(
  binned: Binned,
  members: readonly number[],
  cols: readonly number[],
  gradient: Float64Array,
  hessian: Float64Array,
  g: number,
  h: number,
  o: BoostingOptions,
): { feature: number; bin: number } | null {
  const parent = (g * g) / (h + o.lambda);
  let bestGain = 1e-12;
  let best: { feature: number; bin: number } | null = null;
  const G = new Float64Array(o.bins);
  const H = new Float64Array(o.bins);
  const N = new Int32Array(o.bins);
  for (const j of cols) {
    const cuts = binned.cuts[j];
    const bins = binned.bins[j];
    if (cuts === undefined || bins === undefined || cuts.length === 0) continue;
    G.fill(0);
    H.fill(0);
    N.fill(0);
    for (const i of members) {
      const b = bins[i] ?? 0;
      G[b] = (G[b] ?? 0) + (gradient[i] ?? 0);
      H[b] = (H[b] ?? 0) + (hessian[i] ?? 0);
      N[b] = (N[b] ?? 0) + 1;
    }
    let gl = 0;
    let hl = 0;
    let nl = 0;
    for (let b = 0; b < cuts.length; b++) {
      gl += G[b] ?? 0;
      hl += H[b] ?? 0;
      nl += N[b] ?? 0;
      const nr = members.length - nl;
      if (nl < o.minLeafRows) continue;
      if (nr < o.minLeafRows) break;
      const gr = g - gl;
      const hr = h - hl;
      const gain = (gl * gl) / (hl + o.lambda) + (gr * gr) / (hr + o.lambda) - parent;
      if (gain > bestGain) {
        bestGain = gain;
        best = { feature: j, bin: b };
      }
    }
  }
  return best;
}

function evaluate(tree: Tree, row: readonly number[]): number {
  let id = 0;
  for (;;) {
    const f = tree.feature[id] ?? -1;
    if (f < 0) return tree.value[id] ?? 0;
    id = (row[f] ?? NaN) <= (tree.threshold[id] ?? NaN) ? (tree.left[id] ?? 0) : (tree.right[id] ?? 0);
  }
}

function evaluateBinned(tree: Tree, binned: Binned, i: number): number {
  let id = 0;
  for (;;) {
    const f = tree.feature[id] ?? -1;
    if (f < 0) return tree.value[id] ?? 0;
    id = (binned.bins[f]?.[i] ?? 0) <= (tree.bin[id] ?? 0) ? (tree.left[id] ?? 0) : (tree.right[id] ?? 0);
  }
}
