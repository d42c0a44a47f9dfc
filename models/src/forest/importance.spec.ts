import { describe, expect, it } from 'vitest';
import { ModelInputError } from '../errors.js';
import { ForestClassifier, ForestRegressor } from './forest.js';
import { districtImportance, permutationImportance } from './importance.js';
import { mulberry32 } from './rng.js';

/** Uniform [0, 1) rows; the class is the third of [0, 1) that feature 2 falls in. */
function tiers(rows: number, width: number, seed: number): { X: number[][]; y: number[] } {
  const random = mulberry32(seed);
  const X = Array.from({ length: rows }, () => Array.from({ length: width }, () => random()));
  const y = X.map((row) => Math.min(2, Math.floor((row[2] ?? 0) * 3)));
  return { X, y };
}

describe('permutationImportance', () => {
  const train = tiers(240, 8, 1);
  const test = tiers(120, 8, 2);
  const model = ForestClassifier.fit(train.X, train.y, { nEstimators: 30, seed: 7 });
  const groups = test.X.map((row) => ((row[2] ?? 0) > 0.8 ? 'high' : (row[2] ?? 0) < 0.2 ? 'low' : 'mid'));
  const result = permutationImportance(model, test.X, test.y, { repeats: 5, seed: 3, groups });

  it('ranks the only feature that determines the class first, with a small spread', () => {
    expect(result.metric).toBe('accuracy');
    expect(result.baseline).toBeGreaterThan(0.9);
    const top = result.ranked[0];
    expect(top?.index).toBe(2);
    expect(top?.name).toBe('f2');
    // Permuting the column leaves about a third of the rows in their class by chance.
    expect(top?.mean).toBeGreaterThan(0.4);
    expect(top?.std).toBeLessThan(0.05);
    for (const feature of result.features) {
      if (feature.index !== 2) expect(Math.abs(feature.mean)).toBeLessThan(0.05);
    }
  });

  it('reports each drop, their mean and population standard deviation', () => {
    for (const feature of result.features) {
      expect(feature.drops).toHaveLength(5);
      const mean = feature.drops.reduce((a, b) => a + b, 0) / 5;
      const std = Math.sqrt(feature.drops.reduce((a, b) => a + (b - mean) ** 2, 0) / 5);
      expect(feature.mean).toBeCloseTo(mean, 12);
      expect(feature.std).toBeCloseTo(std, 12);
    }
  });

  it('states its cost: rows x features x repeats, and only the trees that see a column re-walked', () => {
    expect(result.cost.rowPredictions).toBe(120 * 8 * 5);
    // 30 trees of 4 columns each: the unpermuted pass, then 120 tree-columns x 120 rows x 5 repeats.
    expect(result.cost.treeEvaluations).toBe(120 * 30 + 30 * 4 * 120 * 5);
    expect(() =>
      permutationImportance(model, test.X, test.y, { repeats: 5, maxRowPredictions: 4799 }),
    ).toThrow(/4800 row predictions, above maxRowPredictions = 4799/);
  });

  it('is deterministic, and a feature gets the same numbers alone as among all', () => {
    const alone = permutationImportance(model, test.X, test.y, { repeats: 5, seed: 3, features: [2] });
    expect(alone.features[0]).toEqual(result.features[2]);
    const other = permutationImportance(model, test.X, test.y, { repeats: 5, seed: 4, features: [2] });
    expect(other.features[0]?.drops).not.toEqual(result.features[2]?.drops);
  });

  it('per district: a high district owes its risk to feature 2, a low one is held down by it', () => {
    const byName = new Map(result.districts.map((d) => [d.district, d]));
    const high = byName.get('high');
    const low = byName.get('low');
    if (!high || !low) throw new Error('missing district');
    expect(high.rows + low.rows + (byName.get('mid')?.rows ?? 0)).toBe(120);
    expect(high.risk).toBeGreaterThan(1.5);
    expect(low.risk).toBeLessThan(0.5);
    expect(high.ranked[0]?.index).toBe(2);
    expect(high.features[2]?.contribution).toBeGreaterThan(0.4);
    expect(low.features[2]?.contribution).toBeLessThan(-0.4);
    for (const district of [high, low]) {
      expect(district.features[2]?.meanAbsChange).toBeGreaterThanOrEqual(
        Math.abs(district.features[2]?.contribution ?? 0),
      );
      expect(Math.abs(district.features[0]?.contribution ?? 1)).toBeLessThan(0.1);
    }
  });

  it('gives the same per-district numbers without labels', () => {
    const unlabelled = districtImportance(model, test.X, groups, { repeats: 5, seed: 3 });
    expect(unlabelled.districts).toEqual(result.districts);
    expect(unlabelled.cost).toEqual(result.cost);
  });

  it('scores a regressor by R² (or negative MSE)', () => {
    const y = train.X.map((row) => 10 * (row[2] ?? 0));
    const regressor = ForestRegressor.fit(train.X, y, { nEstimators: 20, seed: 1 });
    const yTest = test.X.map((row) => 10 * (row[2] ?? 0));
    const r2 = permutationImportance(regressor, test.X, yTest, { repeats: 3 });
    expect(r2.metric).toBe('r2');
    expect(r2.ranked[0]?.index).toBe(2);
    const mse = permutationImportance(regressor, test.X, yTest, { repeats: 3, metric: 'neg_mse' });
    expect(mse.baseline).toBeLessThan(0);
    expect(mse.ranked[0]?.index).toBe(2);
  });

  it('rejects bad input', () => {
    expect(() => permutationImportance(model, test.X, test.y.slice(1))).toThrow(ModelInputError);
    expect(() => permutationImportance(model, test.X, test.y, { metric: 'r2' })).toThrow(/does not apply/);
    expect(() => permutationImportance(model, test.X, test.y, { features: [8] })).toThrow(ModelInputError);
    expect(() => permutationImportance(model, test.X, test.y, { groups: ['a'] })).toThrow(
      /120 district codes/,
    );
    expect(() => districtImportance(model, [[1, 2]], ['a'])).toThrow(ModelInputError);
  });
});
