import { RandomForestClassifier, RandomForestRegression } from 'ml-random-forest';
import { describe, expect, it } from 'vitest';
import { ModelFormatError, ModelInputError } from '../errors.js';
import { FOREST_DEFAULTS, ForestClassifier, ForestRegressor, rSquared } from './forest.js';
import { mulberry32 } from './rng.js';
import { evaluateTree } from './tree.js';

/** Uniform [0, 1) rows; the class is the third of [0, 1) that feature 2 falls in. */
function tiers(rows: number, width: number, seed: number): { X: number[][]; y: number[] } {
  const random = mulberry32(seed);
  const X = Array.from({ length: rows }, () => Array.from({ length: width }, () => random()));
  const y = X.map((row) => Math.min(2, Math.floor((row[2] ?? 0) * 3)));
  return { X, y };
}

const SMALL = { nEstimators: 30, seed: 7 } as const;

describe('ForestClassifier', () => {
  const train = tiers(240, 8, 1);
  const test = tiers(120, 8, 2);
  const model = ForestClassifier.fit(train.X, train.y, SMALL);

  it('separates classes that one feature determines', () => {
    const predicted = model.predict(test.X);
    const accuracy = predicted.filter((label, i) => label === test.y[i]).length / test.y.length;
    expect(accuracy).toBeGreaterThan(0.9);
    expect(model.outOfBag.metric).toBe('accuracy');
    expect(model.outOfBag.score).toBeGreaterThan(0.85);
    // 240 rows, 30 bootstraps: a row escapes one draw with probability (1 - 1/240)^240 = 0.37.
    expect(model.outOfBag.rows).toBe(240);
  });

  it('gives vote fractions that sum to 1 and an expected class as risk', () => {
    const probabilities = model.predictProba(test.X.slice(0, 5));
    const risks = model.risk(test.X.slice(0, 5));
    probabilities.forEach((p, i) => {
      expect(p).toHaveLength(3);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      // Each share is a whole number of the 30 trees.
      p.forEach((share) => {
        expect(Math.abs(share * 30 - Math.round(share * 30))).toBeLessThan(1e-9);
      });
      expect(risks[i]).toBeCloseTo((p[1] ?? 0) * 1 + (p[2] ?? 0) * 2, 12);
    });
  });

  it('walks each tree exactly as ml-random-forest predicts it', () => {
    const json = model.toJSON();
    json.trees.forEach((tree, t) => {
      const library = RandomForestClassifier.load(
        tree as unknown as Parameters<typeof RandomForestClassifier.load>[0],
      );
      const compiled = model.trees[t];
      if (!compiled) throw new Error('missing tree');
      expect(test.X.map((row) => evaluateTree(compiled, row))).toEqual(library.predict(test.X));
    });
  });

  it('round-trips through JSON with identical predictions', () => {
    const restored = ForestClassifier.load(JSON.parse(JSON.stringify(model.toJSON())));
    expect(restored.predictProba(test.X)).toEqual(model.predictProba(test.X));
    expect(restored.classes).toEqual([0, 1, 2]);
    expect(restored.options).toEqual({ ...FOREST_DEFAULTS, ...SMALL });
    expect(restored.toJSON()).toEqual(model.toJSON());
  });

  it('is deterministic given the seed, and the seed matters', () => {
    const again = ForestClassifier.fit(train.X, train.y, SMALL);
    expect(JSON.stringify(again.toJSON())).toBe(JSON.stringify(model.toJSON()));
    const other = ForestClassifier.fit(train.X, train.y, { ...SMALL, seed: 8 });
    expect(JSON.stringify(other.toJSON())).not.toBe(JSON.stringify(model.toJSON()));
  });

  it('keeps a declared class the labels never show, with probability 0', () => {
    const two = ForestClassifier.fit(
      train.X,
      train.y.map((label) => Math.min(label, 1)),
      { ...SMALL, classes: [0, 1, 2] },
    );
    two.predictProba(test.X).forEach((p) => {
      expect(p[2]).toBe(0);
    });
  });

  it('gives each tree the requested number of columns', () => {
    const one = ForestClassifier.fit(train.X, train.y, { nEstimators: 5, maxFeatures: 1 / 8 });
    one.trees.forEach((tree) => {
      expect(tree.columns.size).toBe(1);
    });
    const three = ForestClassifier.fit(train.X, train.y, { nEstimators: 5, maxFeatures: 3 });
    three.trees.forEach((tree) => {
      expect(tree.columns.size).toBe(3);
    });
  });

  it('rejects bad input before training', () => {
    const X = train.X.slice(0, 10);
    const y = train.y.slice(0, 10);
    const ragged = X.map((row, i) => (i === 4 ? row.slice(1) : row));
    expect(() => ForestClassifier.fit(ragged, y)).toThrow(/row 4 has 7 values, expected 8/);
    const nan = X.map((row, i) => (i === 3 ? row.map((v, j) => (j === 5 ? Number.NaN : v)) : row));
    expect(() => ForestClassifier.fit(nan, y)).toThrow(/row 3, column 5 is NaN/);
    const inf = X.map((row, i) => (i === 0 ? [Infinity, ...row.slice(1)] : row));
    expect(() => ForestClassifier.fit(inf, y)).toThrow(ModelInputError);
    expect(() => ForestClassifier.fit(X.slice(0, 4), y.slice(0, 4))).toThrow(/4 rows, at least 5/);
    expect(() => ForestClassifier.fit(X, y.slice(1))).toThrow(/9 targets for 10 rows/);
    expect(() =>
      ForestClassifier.fit(
        X,
        y.map((v, i) => (i === 2 ? 7 : v)),
        { classes: [0, 1, 2] },
      ),
    ).toThrow(/label 7 of row 2 is outside the classes \[0, 1, 2\]/);
    expect(() => ForestClassifier.fit(X, y, { nEstimators: 0 })).toThrow(ModelInputError);
    expect(() => ForestClassifier.fit(X, y, { maxFeatures: 9 })).toThrow(/maxFeatures/);
    expect(() => ForestClassifier.fit(X, y, { featureNames: ['a'] })).toThrow(
      /1 feature names for 8 columns/,
    );
    expect(() => model.predict([[1, 2, 3]])).toThrow(/row 0 has 3 values, expected 8/);
  });

  it('refuses JSON of another format', () => {
    expect(() => ForestClassifier.load({ ...model.toJSON(), format: 'forest-classifier@2' })).toThrow(
      ModelFormatError,
    );
    expect(() => ForestRegressor.load(model.toJSON())).toThrow(/expected format forest-regressor@1/);
    expect(() => ForestClassifier.load({ ...model.toJSON(), trees: [{ name: 'RFClassifier' }] })).toThrow(
      ModelFormatError,
    );
  });

  it('names the field it rejects (the shared JSON reader)', () => {
    const saved = model.toJSON();
    expect(() => ForestClassifier.load({ ...saved, featureNames: ['a', 2] })).toThrow(
      'forest: featureNames[1] is not a string',
    );
    expect(() => ForestClassifier.load({ ...saved, options: { ...saved.options, maxDepth: null } })).toThrow(
      'forest: options.maxDepth is not a finite number',
    );
    expect(() => ForestClassifier.load({ ...saved, trees: [saved.trees[0], 3] })).toThrow(
      'forest: trees[1] is not an object',
    );
    expect(() => ForestClassifier.load({ ...saved, classes: [0, 'b'] })).toThrow(
      'forest-classifier@1: classes[1] is not a finite number',
    );
    expect(() => ForestClassifier.load(null)).toThrow('forest-classifier@1: document is not an object');
  });
});

describe('ForestRegressor', () => {
  const random = mulberry32(11);
  const make = (rows: number) => {
    const X = Array.from({ length: rows }, () => Array.from({ length: 6 }, () => random()));
    return { X, y: X.map((row) => 10 * (row[2] ?? 0) + 0.1 * random()) };
  };
  const train = make(200);
  const test = make(100);
  // Every tree sees every column: with one informative column, subsets would leave trees blind to it.
  const model = ForestRegressor.fit(train.X, train.y, { ...SMALL, maxFeatures: 1 });

  it('fits a target that one feature determines', () => {
    expect(rSquared(test.y, model.predict(test.X))).toBeGreaterThan(0.8);
    expect(model.outOfBag.metric).toBe('r2');
    expect(model.outOfBag.score).toBeGreaterThan(0.8);
  });

  it('shrinks towards the mean when half the trees cannot see the informative column', () => {
    const diluted = ForestRegressor.fit(train.X, train.y, SMALL);
    const r2 = rSquared(test.y, diluted.predict(test.X));
    // About half the trees predict the overall mean: R² near 1 - 0.5² = 0.75.
    expect(r2).toBeGreaterThan(0.6);
    expect(r2).toBeLessThan(0.85);
  });

  it('predicts the mean of trees that ml-random-forest agrees with, and round-trips', () => {
    const json = model.toJSON();
    const sums = new Array<number>(test.X.length).fill(0);
    json.trees.forEach((tree) => {
      const library = RandomForestRegression.load(
        tree as unknown as Parameters<typeof RandomForestRegression.load>[0],
      );
      library.predict(test.X).forEach((value, i) => (sums[i] = (sums[i] ?? 0) + value));
    });
    const predicted = model.predict(test.X);
    sums.forEach((sum, i) => {
      expect(predicted[i]).toBeCloseTo(sum / 30, 10);
    });
    const restored = ForestRegressor.load(JSON.parse(JSON.stringify(json)));
    expect(restored.predict(test.X)).toEqual(predicted);
  });
});

describe('rSquared', () => {
  it('is 1 - SSres / SStot', () => {
    // mean 2, SStot = 2, SSres = 0.25 + 0 + 0.25 = 0.5.
    expect(rSquared([1, 2, 3], [1.5, 2, 2.5])).toBeCloseTo(0.75, 12);
    expect(rSquared([4, 4], [4, 4])).toBe(1);
    expect(rSquared([4, 4], [4, 5])).toBe(0);
  });
});
