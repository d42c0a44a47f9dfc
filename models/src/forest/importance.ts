/**
 * Permutation importance of a forest's features, with its spread over repeats.
 *
 * Statewide: for feature j and repeat r, the evaluation rows are scored with column j replaced by a seeded
 * permutation of itself (row i takes the value of row perm_jr(i)); the importance of j is the mean over the
 * repeats of (score with the true column - score with the permuted column), and its spread the standard
 * deviation of those drops over the repeats (population, ddof 0, as scikit-learn's
 * `permutation_importance`). Score: accuracy for the classifier; R² (default) or negative mean squared
 * error for the regressor. A drop near 0 means the model does not rely on the feature.
 *
 * Per district: under the same permutations, a district's rows keep all their values but feature j, which
 * takes the value of another (random) evaluation row. For each repeat, the district's change is the mean
 * over its rows of risk(true row) - risk(row with feature j replaced); its `contribution` is the mean of
 * that change over the repeats: positive when the district's own value of j raises its predicted risk
 * compared with values found elsewhere in the evaluation set, negative when it lowers it. `meanAbsChange`
 * is the mean over repeats and rows of |risk(replaced) - risk(true)|: how much the district's risk moves
 * with feature j, whatever the sign. Risk: the classifier's expected class value, the regressor's
 * prediction. No labels are needed, so it works on live rows (one per district, permuted across
 * districts).
 *
 * Cost: rows x features x repeats row predictions. Only trees whose feature subset holds j can change
 * their output, so each row prediction re-walks only those trees (about `maxFeatures` of the forest); the
 * others reuse the unpermuted outputs. `maxRowPredictions` (default 2,000,000) refuses larger jobs.
 */
import { ModelInputError } from '../errors.js';
import { rSquared, type Forest, ForestClassifier } from './forest.js';
import { mixSeed, mulberry32, permutation } from './rng.js';
import { evaluateTree } from './tree.js';
import { checkInteger, checkMatrix, checkTargets, type FeatureMatrix } from './validate.js';

/** Scores the statewide importance drops. */
export type ImportanceMetric = 'accuracy' | 'r2' | 'neg_mse';

/** Options of the permutation importance; defaults in {@link IMPORTANCE_DEFAULTS}. */
export interface ImportanceOptions {
  /** Permutations per feature. */
  readonly repeats?: number;
  /** Seed of the permutations; feature j, repeat r always uses the same permutation for a given seed. */
  readonly seed?: number;
  /** Columns to evaluate; default all. */
  readonly features?: readonly number[];
  /** `accuracy` (the classifier's only metric), `r2` or `neg_mse` (regressor; default `r2`). */
  readonly metric?: ImportanceMetric;
  /** Refuse a job above this many row predictions (rows x features x repeats). */
  readonly maxRowPredictions?: number;
}

/** Defaults: 5 repeats, seed 42, at most 2,000,000 row predictions. */
export const IMPORTANCE_DEFAULTS = Object.freeze({ repeats: 5, seed: 42, maxRowPredictions: 2_000_000 });

/** Statewide importance of one feature. */
export interface FeatureImportance {
  /** Column of the feature. */
  readonly index: number;
  readonly name: string;
  /** Mean drop of the score over the repeats. */
  readonly mean: number;
  /** Standard deviation (ddof 0) of the drop over the repeats. */
  readonly std: number;
  /** The drop of each repeat. */
  readonly drops: readonly number[];
}

/** What a computation cost. */
export interface ImportanceCost {
  /** rows x features x repeats. */
  readonly rowPredictions: number;
  /** Single-tree evaluations actually made (including the unpermuted pass). */
  readonly treeEvaluations: number;
}

/** One feature's effect on one district's predicted risk. */
export interface DistrictFeatureImportance {
  readonly index: number;
  readonly name: string;
  /** Mean over repeats of mean over the district's rows of risk(true) - risk(feature replaced). */
  readonly contribution: number;
  /** Standard deviation (ddof 0) over the repeats of that per-repeat mean. */
  readonly std: number;
  /** Mean over repeats and rows of |risk(feature replaced) - risk(true)|. */
  readonly meanAbsChange: number;
}

/** Per-district importance. */
export interface DistrictImportance {
  readonly district: string;
  /** The district's evaluation rows. */
  readonly rows: number;
  /** Mean predicted risk of those rows, unpermuted. */
  readonly risk: number;
  /** In the order of the evaluated features. */
  readonly features: readonly DistrictFeatureImportance[];
  /** The same, by `meanAbsChange` descending (ties: lower column first). */
  readonly ranked: readonly DistrictFeatureImportance[];
}

/** Statewide (and optionally per-district) permutation importance. */
export interface PermutationImportance {
  readonly metric: ImportanceMetric;
  /** The score with no column permuted. */
  readonly baseline: number;
  readonly repeats: number;
  readonly seed: number;
  readonly rows: number;
  /** In the order of the evaluated features. */
  readonly features: readonly FeatureImportance[];
  /** The same, by mean drop descending (ties: lower column first). */
  readonly ranked: readonly FeatureImportance[];
  /** One entry per distinct group, in order of first appearance; empty without `groups`. */
  readonly districts: readonly DistrictImportance[];
  readonly cost: ImportanceCost;
}

interface Resolved {
  readonly repeats: number;
  readonly seed: number;
  readonly features: readonly number[];
  readonly maxRowPredictions: number;
}

function resolve(model: Forest, rows: number, options: ImportanceOptions): Resolved {
  const repeats = options.repeats ?? IMPORTANCE_DEFAULTS.repeats;
  const seed = options.seed ?? IMPORTANCE_DEFAULTS.seed;
  const maxRowPredictions = options.maxRowPredictions ?? IMPORTANCE_DEFAULTS.maxRowPredictions;
  checkInteger(repeats, 'repeats', 1, 1000);
  checkInteger(seed, 'seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  checkInteger(maxRowPredictions, 'maxRowPredictions', 1, Number.MAX_SAFE_INTEGER);
  const features = options.features ? [...options.features] : model.featureNames.map((_, j) => j);
  features.forEach((j) => {
    checkInteger(j, 'features[]', 0, model.width - 1);
  });
  if (new Set(features).size !== features.length)
    throw new ModelInputError('features: a column appears twice');
  const rowPredictions = rows * features.length * repeats;
  if (rowPredictions > maxRowPredictions) {
    throw new ModelInputError(
      `permutation importance: ${rows} rows x ${features.length} features x ${repeats} repeats = ` +
        `${rowPredictions} row predictions, above maxRowPredictions = ${maxRowPredictions}`,
    );
  }
  return { repeats, seed, features, maxRowPredictions };
}

function meanOf(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function stdOf(values: readonly number[]): number {
  const mean = meanOf(values);
  return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
}

/** Risks and predicted classes (classifier) or values (regressor) of every evaluation row. */
interface Outputs {
  readonly risk: Float64Array;
  readonly prediction: Float64Array;
}

/**
 * The engine: holds every tree's unpermuted output for every row, then evaluates each (feature, repeat)
 * permutation once, re-walking only the trees that can see the permuted column.
 */
class Permuter {
  readonly base: Outputs;
  treeEvaluations: number;
  private readonly classifier: boolean;
  private readonly classes: readonly number[];
  private readonly slots: number;
  private readonly treeOutputs: readonly Float64Array[];
  private readonly baseAggregate: Float64Array;

  constructor(
    private readonly model: Forest,
    private readonly X: FeatureMatrix,
  ) {
    this.classifier = model instanceof ForestClassifier;
    this.classes = model instanceof ForestClassifier ? model.classes : [0];
    this.slots = this.classes.length;
    this.treeOutputs = model.trees.map((tree) => Float64Array.from(X, (row) => evaluateTree(tree, row)));
    this.baseAggregate = new Float64Array(X.length * this.slots);
    for (const outputs of this.treeOutputs) {
      outputs.forEach((output, i) => {
        const slot = this.classifier ? i * this.slots + output : i;
        this.baseAggregate[slot] = (this.baseAggregate[slot] ?? 0) + (this.classifier ? 1 : output);
      });
    }
    this.treeEvaluations = X.length * model.trees.length;
    this.base = this.summarise(this.baseAggregate);
  }

  /** Per-row aggregate (vote counts or sums) to risks and predictions. */
  private summarise(aggregate: Float64Array): Outputs {
    const rows = this.X.length;
    const trees = this.model.trees.length;
    const risk = new Float64Array(rows);
    const prediction = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      if (!this.classifier) {
        const mean = (aggregate[i] ?? 0) / trees;
        risk[i] = mean;
        prediction[i] = mean;
        continue;
      }
      let expected = 0;
      let best = 0;
      let bestVotes = -1;
      for (let c = 0; c < this.slots; c++) {
        const votes = aggregate[i * this.slots + c] ?? 0;
        expected += (votes / trees) * (this.classes[c] ?? 0);
        // Ties go to the earlier class, as ForestClassifier.predict does.
        if (votes > bestVotes) {
          bestVotes = votes;
          best = c;
        }
      }
      risk[i] = expected;
      prediction[i] = this.classes[best] ?? Number.NaN;
    }
    return { risk, prediction };
  }

  /** Calls `visit` with the outputs of every (feature, repeat) permutation, features in the given order. */
  run(resolved: Resolved, visit: (feature: number, outputs: Outputs) => void): void {
    const rows = this.X.length;
    const trees = this.model.trees;
    const donor = new Float64Array(rows);
    for (const j of resolved.features) {
      const affected = trees.flatMap((tree, t) => (tree.columns.has(j) ? [t] : []));
      for (let r = 0; r < resolved.repeats; r++) {
        const order = permutation(rows, mulberry32(mixSeed(resolved.seed, j, r)));
        for (let i = 0; i < rows; i++) donor[i] = this.X[order[i] ?? i]?.[j] ?? 0;
        const aggregate = Float64Array.from(this.baseAggregate);
        for (const t of affected) {
          const tree = trees[t];
          const before = this.treeOutputs[t];
          if (!tree || !before) continue;
          for (let i = 0; i < rows; i++) {
            const old = before[i] ?? 0;
            const now = evaluateTree(tree, this.X[i] ?? [], j, donor[i] ?? 0);
            if (now === old) continue;
            if (this.classifier) {
              const at = i * this.slots;
              aggregate[at + old] = (aggregate[at + old] ?? 0) - 1;
              aggregate[at + now] = (aggregate[at + now] ?? 0) + 1;
            } else {
              aggregate[i] = (aggregate[i] ?? 0) + now - old;
            }
          }
        }
        this.treeEvaluations += affected.length * rows;
        visit(j, this.summarise(aggregate));
      }
    }
  }
}

function score(metric: ImportanceMetric, y: readonly number[], prediction: Float64Array): number {
  switch (metric) {
    case 'accuracy':
      return y.reduce((hits, label, i) => hits + (prediction[i] === label ? 1 : 0), 0) / y.length;
    case 'r2':
      return rSquared(y, Array.from(prediction));
    case 'neg_mse':
      return -y.reduce((sum, value, i) => sum + (value - (prediction[i] ?? 0)) ** 2, 0) / y.length;
  }
}

function groupRows(groups: readonly string[], rows: number): Map<string, number[]> {
  if (!Array.isArray(groups) || groups.length !== rows) {
    throw new ModelInputError(`groups: expected ${rows} district codes, one per row`);
  }
  const byGroup = new Map<string, number[]>();
  groups.forEach((group, i) => {
    if (typeof group !== 'string' || group.length === 0)
      throw new ModelInputError(`groups: row ${i} has no district`);
    const list = byGroup.get(group) ?? [];
    list.push(i);
    byGroup.set(group, list);
  });
  return byGroup;
}

/** Accumulates per-district changes over the repeats. */
class DistrictAccumulator {
  private readonly changes = new Map<string, Map<number, number[]>>();
  private readonly absolute = new Map<string, Map<number, number[]>>();

  constructor(private readonly byGroup: Map<string, number[]>) {}

  add(feature: number, baseRisk: Float64Array, risk: Float64Array): void {
    for (const [group, members] of this.byGroup) {
      let change = 0;
      let absolute = 0;
      for (const i of members) {
        const delta = (baseRisk[i] ?? 0) - (risk[i] ?? 0);
        change += delta;
        absolute += Math.abs(delta);
      }
      push(this.changes, group, feature, change / members.length);
      push(this.absolute, group, feature, absolute / members.length);
    }
  }

  result(model: Forest, features: readonly number[], baseRisk: Float64Array): DistrictImportance[] {
    return [...this.byGroup].map(([district, members]) => {
      const perFeature = features.map((j): DistrictFeatureImportance => {
        const changes = this.changes.get(district)?.get(j) ?? [0];
        const absolute = this.absolute.get(district)?.get(j) ?? [0];
        return {
          index: j,
          name: model.featureNames[j] ?? `f${j}`,
          contribution: meanOf(changes),
          std: stdOf(changes),
          meanAbsChange: meanOf(absolute),
        };
      });
      return {
        district,
        rows: members.length,
        risk: members.reduce((sum, i) => sum + (baseRisk[i] ?? 0), 0) / members.length,
        features: perFeature,
        ranked: [...perFeature].sort((a, b) => b.meanAbsChange - a.meanAbsChange || a.index - b.index),
      };
    });
  }
}

function push(
  store: Map<string, Map<number, number[]>>,
  group: string,
  feature: number,
  value: number,
): void {
  const byFeature = store.get(group) ?? new Map<number, number[]>();
  const list = byFeature.get(feature) ?? [];
  list.push(value);
  byFeature.set(feature, list);
  store.set(group, byFeature);
}

/**
 * Statewide permutation importance on an evaluation set, and per district when `groups` names each row's
 * district.
 *
 * @param X - Evaluation rows of the model's width (ideally rows the model was not trained on).
 * @param y - Their true labels (classifier) or targets (regressor).
 * @throws ModelInputError on bad rows, targets, groups or options, or a job above `maxRowPredictions`.
 */
export function permutationImportance(
  model: Forest,
  X: FeatureMatrix,
  y: readonly number[],
  options: ImportanceOptions & { readonly groups?: readonly string[] } = {},
): PermutationImportance {
  checkMatrix(X, 'permutationImportance X', 2, model.width);
  checkTargets(y, X.length, 'permutationImportance y');
  const classifier = model instanceof ForestClassifier;
  const metric = options.metric ?? (classifier ? 'accuracy' : 'r2');
  if (classifier !== (metric === 'accuracy')) {
    throw new ModelInputError(
      `metric ${metric} does not apply to a ${classifier ? 'classifier' : 'regressor'}`,
    );
  }
  const resolved = resolve(model, X.length, options);
  const byGroup = options.groups ? groupRows(options.groups, X.length) : new Map<string, number[]>();
  const districts = new DistrictAccumulator(byGroup);
  const permuter = new Permuter(model, X);
  const baseline = score(metric, y, permuter.base.prediction);
  const drops = new Map<number, number[]>();
  permuter.run(resolved, (j, outputs) => {
    const list = drops.get(j) ?? [];
    list.push(baseline - score(metric, y, outputs.prediction));
    drops.set(j, list);
    districts.add(j, permuter.base.risk, outputs.risk);
  });
  const features = resolved.features.map((j): FeatureImportance => {
    const list = drops.get(j) ?? [];
    return {
      index: j,
      name: model.featureNames[j] ?? `f${j}`,
      mean: meanOf(list),
      std: stdOf(list),
      drops: list,
    };
  });
  return {
    metric,
    baseline,
    repeats: resolved.repeats,
    seed: resolved.seed,
    rows: X.length,
    features,
    ranked: [...features].sort((a, b) => b.mean - a.mean || a.index - b.index),
    districts: districts.result(model, resolved.features, permuter.base.risk),
    cost: {
      rowPredictions: X.length * resolved.features.length * resolved.repeats,
      treeEvaluations: permuter.treeEvaluations,
    },
  };
}

/**
 * Per-district importance without labels (for example the live rows, one per district): how much each
 * feature moves each district's predicted risk when it is replaced by other rows' values.
 *
 * @param groups - The district of each row.
 * @throws ModelInputError on bad rows, groups or options, or a job above `maxRowPredictions`.
 */
export function districtImportance(
  model: Forest,
  X: FeatureMatrix,
  groups: readonly string[],
  options: ImportanceOptions = {},
): { readonly districts: readonly DistrictImportance[]; readonly cost: ImportanceCost } {
  checkMatrix(X, 'districtImportance X', 2, model.width);
  const resolved = resolve(model, X.length, options);
  const districts = new DistrictAccumulator(groupRows(groups, X.length));
  const permuter = new Permuter(model, X);
  permuter.run(resolved, (j, outputs) => {
    districts.add(j, permuter.base.risk, outputs.risk);
  });
  return {
    districts: districts.result(model, resolved.features, permuter.base.risk),
    cost: {
      rowPredictions: X.length * resolved.features.length * resolved.repeats,
      treeEvaluations: permuter.treeEvaluations,
    },
  };
}
