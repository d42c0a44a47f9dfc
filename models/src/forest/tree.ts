/**
 * One tree of the forest: the serialised ml-random-forest model (a one-tree `RFClassifier` or
 * `RFRegression`, whose CART nodes are pruned to what prediction reads) and its compiled form, flat arrays
 * walked without allocation. The compiled walk makes exactly ml-cart's decisions (`x < splitValue` goes
 * left; a classifier leaf votes the first class of largest share in its distribution), which the spec checks
 * against the library's own `predict`.
 */
import { ModelFormatError } from '../errors.js';
import { isRecord } from '../json-read.js';

/** A plain JSON value. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** A plain JSON object. */
export interface JsonObject {
  readonly [key: string]: Json;
}

/** Whether the trees vote classes or average values. */
export type TreeKind = 'classifier' | 'regression';

/** A tree compiled to flat arrays; node 0 is the root. */
export interface CompiledTree {
  /** Column of the full feature vector each internal node splits on; -1 at a leaf. */
  readonly feature: Int32Array;
  /** Split value: a row goes left when `row[feature] < threshold`. */
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** At a leaf: the class index voted (classifier) or the mean target (regression). */
  readonly value: Float64Array;
  /** Columns this tree was given (its random feature subset); a column outside it never changes its output. */
  readonly columns: ReadonlySet<number>;
}

/** The tree's output for one row; `override` replaces the value of column `overrideColumn` (-1 for none). */
export function evaluateTree(
  tree: CompiledTree,
  row: readonly number[],
  overrideColumn = -1,
  overrideValue = 0,
): number {
  let node = 0;
  for (;;) {
    const column = tree.feature[node] ?? -1;
    if (column < 0) return tree.value[node] ?? Number.NaN;
    const x = column === overrideColumn ? overrideValue : (row[column] ?? Number.NaN);
    node = x < (tree.threshold[node] ?? Number.NaN) ? (tree.left[node] ?? 0) : (tree.right[node] ?? 0);
  }
}

function field(node: Record<string, unknown>, key: string, where: string): unknown {
  if (!(key in node)) throw new ModelFormatError(`${where}: missing ${key}`);
  return node[key];
}

function finite(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ModelFormatError(`${where}: expected a finite number, got ${String(value)}`);
  }
  return value;
}

/** Keeps only what ml-cart's `setNodeParameters` and prediction read: split, children, leaf distribution. */
function pruneNode(node: unknown, where: string): JsonObject {
  if (!isRecord(node)) throw new ModelFormatError(`${where}: node is not an object`);
  const distribution = node.distribution;
  if (distribution !== undefined && distribution !== null) {
    if (typeof distribution === 'number') return { distribution: finite(distribution, where) };
    if (!Array.isArray(distribution) || !Array.isArray(distribution[0])) {
      throw new ModelFormatError(`${where}: leaf distribution is neither a number nor a row vector`);
    }
    const row: unknown[] = distribution[0];
    return { distribution: [row.map((share) => finite(share, where))] };
  }
  return {
    splitColumn: finite(field(node, 'splitColumn', where), where),
    splitValue: finite(field(node, 'splitValue', where), where),
    left: pruneNode(field(node, 'left', where), `${where}.left`),
    right: pruneNode(field(node, 'right', where), `${where}.right`),
  };
}

/** The ml-random-forest `baseModel` fields of a one-tree forest, and its CART root. */
function parts(
  model: unknown,
  kind: TreeKind,
): { base: Record<string, unknown>; estimator: Record<string, unknown> } {
  const name = kind === 'classifier' ? 'RFClassifier' : 'RFRegression';
  if (!isRecord(model) || model.name !== name) throw new ModelFormatError(`tree: expected an ${name} model`);
  const base = model.baseModel;
  if (!isRecord(base) || !Array.isArray(base.estimators) || base.estimators.length !== 1) {
    throw new ModelFormatError(`tree: expected a baseModel with exactly one estimator`);
  }
  const estimator: unknown = base.estimators[0];
  if (!isRecord(estimator)) throw new ModelFormatError('tree: estimator is not an object');
  return { base, estimator };
}

/**
 * Turns ml-random-forest's `toJSON()` of a one-tree forest into plain JSON with pruned nodes, still
 * loadable by `RandomForestClassifier.load` / `RandomForestRegression.load`.
 */
export function pruneLibraryModel(model: unknown, kind: TreeKind): JsonObject {
  // The library's toJSON holds live ml-matrix and TreeNode objects: a JSON round trip makes it plain.
  const plain: unknown = JSON.parse(JSON.stringify(model));
  const { base, estimator } = parts(plain, kind);
  const indexes = field(base, 'indexes', 'tree');
  const subset: unknown = Array.isArray(indexes) ? indexes[0] : undefined;
  if (!Array.isArray(subset)) throw new ModelFormatError('tree: missing feature indexes');
  const options = estimator.options;
  if (!isRecord(options)) throw new ModelFormatError('tree: estimator has no options');
  const treeOptions: JsonObject = {
    minNumSamples: finite(options.minNumSamples, 'tree.options'),
    maxDepth: finite(options.maxDepth, 'tree.options'),
  };
  const estimatorOptions: JsonObject = {
    ...treeOptions,
    gainFunction: kind === 'classifier' ? 'gini' : 'regression',
    splitFunction: 'mean',
    kind,
    ...(kind === 'classifier' ? { gainThreshold: finite(options.gainThreshold, 'tree.options') } : {}),
  };
  const result: JsonObject = {
    name: kind === 'classifier' ? 'RFClassifier' : 'RFRegression',
    ...(kind === 'regression' ? { selectionMethod: 'mean' } : {}),
    baseModel: {
      indexes: [subset.map((column) => finite(column, 'tree.indexes'))],
      n: finite(base.n, 'tree.n'),
      replacement: false,
      maxFeatures: finite(base.maxFeatures, 'tree.maxFeatures'),
      nEstimators: 1,
      treeOptions,
      isClassifier: kind === 'classifier',
      seed: finite(base.seed, 'tree.seed'),
      useSampleBagging: false,
      estimators: [
        {
          name: kind === 'classifier' ? 'DTClassifier' : 'DTRegression',
          options: estimatorOptions,
          root: pruneNode(estimator.root, 'tree.root'),
        },
      ],
    },
  };
  return result;
}

/**
 * Compiles a (pruned) one-tree ml-random-forest model into flat arrays.
 *
 * @param width - Columns of the full feature vector; every split column must fall inside it.
 * @param classCount - Classes of a classifier (leaf votes must be below it); ignored for regression.
 * @throws ModelFormatError when the model is malformed.
 */
export function compileTree(model: unknown, kind: TreeKind, width: number, classCount: number): CompiledTree {
  const { base, estimator } = parts(model, kind);
  const indexes = base.indexes;
  const subsetRaw: unknown = Array.isArray(indexes) ? indexes[0] : undefined;
  if (!Array.isArray(subsetRaw)) throw new ModelFormatError('tree: missing feature indexes');
  const subset = subsetRaw.map((column: unknown) => {
    const value = finite(column, 'tree.indexes');
    if (!Number.isInteger(value) || value < 0 || value >= width) {
      throw new ModelFormatError(`tree: feature index ${value} outside 0..${width - 1}`);
    }
    return value;
  });
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const visit = (node: unknown, depth: number): number => {
    if (depth > 256) throw new ModelFormatError('tree: deeper than 256 levels');
    if (!isRecord(node)) throw new ModelFormatError('tree: node is not an object');
    const id = feature.length;
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    value.push(0);
    const distribution = node.distribution;
    if (distribution !== undefined && distribution !== null) {
      value[id] = leafValue(distribution, kind, classCount);
      return id;
    }
    const local = finite(node.splitColumn, 'tree.splitColumn');
    const column = subset[local];
    if (column === undefined)
      throw new ModelFormatError(`tree: split column ${local} outside the tree's subset`);
    feature[id] = column;
    threshold[id] = finite(node.splitValue, 'tree.splitValue');
    left[id] = visit(node.left, depth + 1);
    right[id] = visit(node.right, depth + 1);
    return id;
  };
  visit(estimator.root, 0);
  return {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(value),
    columns: new Set(subset),
  };
}

function leafValue(distribution: unknown, kind: TreeKind, classCount: number): number {
  if (kind === 'regression') return finite(distribution, 'tree.leaf');
  const row: unknown = Array.isArray(distribution) ? distribution[0] : undefined;
  if (!Array.isArray(row) || row.length === 0) throw new ModelFormatError('tree: empty leaf distribution');
  // ml-matrix maxRowIndex: the first index holding the largest share.
  let best = 0;
  let bestShare = -Infinity;
  row.forEach((share: unknown, index) => {
    const value = finite(share, 'tree.leaf');
    if (value > bestShare) {
      bestShare = value;
      best = index;
    }
  });
  if (best >= classCount)
    throw new ModelFormatError(`tree: leaf votes class ${best}, model has ${classCount}`);
  return best;
}
