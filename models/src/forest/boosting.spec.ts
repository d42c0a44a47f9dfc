import { describe, expect, it } from 'vitest';
import { ModelInputError } from '../errors.js';
import { negativeBinomialDraw } from '../fusion/synthetic.js';
import { cutPoints, PoissonBoosting, type BoostingTrainingSet } from './boosting.js';
import { mulberry32 } from './rng.js';

/**
 * Rows of 6 uniform columns; the true log ratio of the mean to the row's baseline is
 * 0.4 × sign(x0 - 0.5) + 0.3 × [x1 > 0.7] (`signal`), or 0; counts are nearly Poisson (NB size 1000).
 */
function counts(rows: number, seed: number, signal: boolean): BoostingTrainingSet & { truth: number[] } {
  const random = mulberry32(seed);
  const X = Array.from({ length: rows }, () => Array.from({ length: 6 }, () => random()));
  const baselines = X.map(() => 20 + 80 * random());
  const truth = X.map(([x0 = 0, x1 = 0]) => (signal ? 0.4 * Math.sign(x0 - 0.5) + (x1 > 0.7 ? 0.3 : 0) : 0));
  return {
    rows: X,
    offsets: baselines.map((b) => Math.log(b)),
    counts: baselines.map((b, i) => negativeBinomialDraw(random, b * Math.exp(truth[i] ?? 0), 1000)),
    times: X.map((_, i) => Math.floor(i / 20)),
    truth,
  };
}

const meanAbs = (a: readonly number[], b: readonly number[]) =>
  a.reduce((sum, v, i) => sum + Math.abs(v - (b[i] ?? NaN)), 0) / a.length;

describe('PoissonBoosting', () => {
  it('learns a log-rate signal on top of the offsets, and stops by the validation deviance', () => {
    const train = counts(1200, 1, true);
    const test = counts(400, 2, true);
    const model = PoissonBoosting.fit(train, { seed: 3 });
    const learnt = model.predictLogRatio(test.rows);
    // The true log ratios have mean absolute value 0.41; what is left of them is a small part.
    expect(meanAbs(learnt, test.truth)).toBeLessThan(0.06);
    expect(
      meanAbs(
        test.truth.map(() => 0),
        test.truth,
      ),
    ).toBeGreaterThan(0.35);
    expect(model.validation.deviance).toBeLessThan(0.5 * model.validation.baselineDeviance);
    expect(model.validation.rounds).toBeGreaterThan(20);
    expect(model.treeCount).toBe(model.validation.rounds);
    const means = model.predict(test.rows, test.offsets);
    means.forEach((mu, i) => {
      expect(mu).toBeCloseTo(Math.exp((test.offsets[i] ?? 0) + (learnt[i] ?? 0)), 9);
    });
  });

  it('falls back to the offsets when the columns are noise', () => {
    const train = counts(1200, 4, false);
    const model = PoissonBoosting.fit(train, { seed: 3 });
    const learnt = model.predictLogRatio(counts(400, 5, false).rows);
    expect(
      meanAbs(
        learnt,
        learnt.map(() => 0),
      ),
    ).toBeLessThan(0.02);
    expect(model.validation.rounds).toBeLessThan(40);
  });

  it('gives the same trees for the same seed, and other trees for another', () => {
    const train = counts(600, 6, true);
    const rows = counts(50, 7, true).rows;
    const a = PoissonBoosting.fit(train, { seed: 11, rounds: 50 }).predictLogRatio(rows);
    const b = PoissonBoosting.fit(train, { seed: 11, rounds: 50 }).predictLogRatio(rows);
    const c = PoissonBoosting.fit(train, { seed: 12, rounds: 50 }).predictLogRatio(rows);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('refuses bad input by name', () => {
    const good = counts(100, 8, true);
    const fit =
      (patch: Partial<BoostingTrainingSet>, options = {}) =>
      () =>
        PoissonBoosting.fit({ ...good, ...patch }, options);
    expect(fit({ counts: good.counts.map((y, i) => (i === 3 ? -1 : y)) })).toThrow(/count 3 is -1/);
    expect(fit({ offsets: good.offsets.map((v, i) => (i === 5 ? NaN : v)) })).toThrow(/offsets: target 5/);
    expect(fit({ rows: good.rows.map((r, i) => (i === 2 ? r.slice(1) : r)) })).toThrow(/row 2 has 5 values/);
    expect(fit({ times: good.times.map(() => 0) })).toThrow(/two distinct values/);
    expect(fit({}, { learningRate: 0 })).toThrow(/learningRate = 0/);
    expect(fit({}, { bins: 300 })).toThrow(ModelInputError);
    const model = PoissonBoosting.fit(good, { rounds: 5 });
    expect(() => model.predictLogRatio([[1, 2, 3]])).toThrow(/expected 6/);
  });
});

describe('cutPoints', () => {
  it('cuts between distinct values only, every gap when there are few', () => {
    // A flag: one cut, whatever share of ones (the quantile positions fall inside the runs of ties).
    for (const ones of [1, 30, 700, 999]) {
      const column = Float64Array.from({ length: 1000 }, (_, i) => (i < 1000 - ones ? 0 : 1));
      expect(Array.from(cutPoints(column, 32))).toEqual([0.5]);
    }
    expect(Array.from(cutPoints(Float64Array.from([1, 1, 2, 2, 2, 3, 5, 5]), 32))).toEqual([1.5, 2.5, 4]);
    expect(cutPoints(Float64Array.from([4, 4, 4]), 32)).toHaveLength(0);
  });

  it('cuts at most bins - 1 times, below the quantiles, never splitting ties', () => {
    const random = mulberry32(4);
    // 2,000 values, half of them one tied value.
    const values = Array.from({ length: 2000 }, (_, i) => (i % 2 === 0 ? 10 : Math.floor(random() * 1000)));
    const sorted = Float64Array.from(values).sort();
    const cuts = Array.from(cutPoints(sorted, 8));
    expect(cuts.length).toBeGreaterThan(3);
    expect(cuts.length).toBeLessThanOrEqual(7);
    cuts.forEach((c, i) => {
      expect(c).toBeGreaterThan(cuts[i - 1] ?? -Infinity);
      expect(values.includes(c)).toBe(false);
    });
    // The tied value is never cut through: a cut lies just below it.
    expect(cuts.some((c) => c > 9 && c < 10)).toBe(true);
  });
});

describe('PoissonBoosting on flags and steps', () => {
  it('learns a flag that doubles the mean, for rare and common flags', () => {
    for (const [rows, share] of [
      [1000, 0.3],
      [2000, 0.05],
      [5000, 0.5],
    ] as const) {
      const random = mulberry32(rows);
      const X = Array.from({ length: rows }, () => [random() < share ? 1 : 0, random()]);
      const offsets = X.map(() => Math.log(50));
      const set = {
        rows: X,
        offsets,
        counts: X.map(([flag = 0]) => negativeBinomialDraw(random, 50 * (flag === 1 ? 2 : 1), 1000)),
        times: X.map((_, i) => Math.floor(i / 20)),
      };
      const [off = NaN, on = NaN] = PoissonBoosting.fit(set, { seed: 1 }).predictLogRatio([
        [0, 0.5],
        [1, 0.5],
      ]);
      expect(Math.abs(on - off - Math.log(2))).toBeLessThan(0.1);
    }
  });

  it('learns the steps of a five-level column exactly where they are', () => {
    const random = mulberry32(9);
    const X = Array.from({ length: 3000 }, () => [Math.floor(random() * 5), random()]);
    const step = (level: number) => (level >= 3 ? 0.6 : level >= 1 ? 0.3 : 0);
    const set = {
      rows: X,
      offsets: X.map(() => Math.log(80)),
      counts: X.map(([level = 0]) => negativeBinomialDraw(random, 80 * Math.exp(step(level)), 1000)),
      times: X.map((_, i) => Math.floor(i / 30)),
    };
    const learnt = PoissonBoosting.fit(set, { seed: 2 }).predictLogRatio(
      [0, 1, 2, 3, 4].map((l) => [l, 0.5]),
    );
    const zero = learnt[0] ?? NaN;
    [0, 1, 2, 3, 4].forEach((level, i) => {
      expect(Math.abs((learnt[i] ?? NaN) - zero - step(level))).toBeLessThan(0.05);
    });
  });

  it('refuses offsets whose exponential does not fit a double', () => {
    const set = counts(100, 12, false);
    expect(() =>
      PoissonBoosting.fit({ ...set, offsets: set.offsets.map((v, i) => (i === 4 ? 800 : v)) }),
    ).toThrow(/offset 4 is 800, outside \[-700, 700\]/);
  });
});

describe('PoissonBoosting saved form', () => {
  const train = counts(400, 9, true);
  const model = PoissonBoosting.fit(train, { seed: 5, rounds: 40 });
  const rows = counts(30, 10, true).rows;

  it('predicts the same after a JSON round trip', () => {
    const loaded = PoissonBoosting.load(JSON.parse(JSON.stringify(model)));
    expect(loaded.predictLogRatio(rows)).toEqual(model.predictLogRatio(rows));
    expect(loaded.treeCount).toBe(model.treeCount);
    expect(loaded.validation.rounds).toBe(model.validation.rounds);
  });

  it('refuses a document that is not one, by name', () => {
    const doc = model.toJSON();
    const tree = doc.trees[0];
    if (tree === undefined) throw new Error('no tree');
    const withTree = (patch: Partial<typeof tree>) => ({ ...doc, trees: [{ ...tree, ...patch }] });
    expect(() => PoissonBoosting.load({ ...doc, format: 'forest@1' })).toThrow(/format forest@1/);
    expect(() => PoissonBoosting.load({ ...doc, width: 0 })).toThrow(/width/);
    expect(() => PoissonBoosting.load({ ...doc, intercept: 'x' })).toThrow(/intercept/);
    // A child before its parent could loop forever; a split on a column the rows lack would read nothing.
    expect(() =>
      PoissonBoosting.load(withTree({ left: tree.left.map((c, i) => (i === 0 ? 0 : c)) })),
    ).toThrow(/node 0 is neither a leaf nor a split/);
    expect(() =>
      PoissonBoosting.load(withTree({ feature: tree.feature.map((f, i) => (i === 0 ? 6 : f)) })),
    ).toThrow(/column < 6/);
    expect(() => PoissonBoosting.load(withTree({ value: tree.value.slice(1) }))).toThrow(/value/);
    expect(() => PoissonBoosting.load({ ...doc, validation: { ...doc.validation, rounds: -3.5 } })).toThrow(
      /validation.rounds is -3.5, but \d+ trees are stored/,
    );
  });
});
