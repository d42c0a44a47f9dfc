import { describe, expect, it } from 'vitest';
import {
  accuracy,
  brier,
  coverage,
  reliability,
  macroF1,
  mase,
  naiveScale,
  oneHot,
  quantile,
  tercileOf,
  terciles,
} from './metrics.js';

describe('evaluation metrics', () => {
  it('accuracy and macro-F1 by hand', () => {
    const truth = [0, 0, 1, 2];
    const predicted = [0, 1, 1, 1];
    expect(accuracy(truth, predicted)).toBe(0.5);
    // class 0: tp 1, fp 0, fn 1 -> 2/3; class 1: tp 1, fp 2, fn 0 -> 0.5; class 2: 0
    expect(macroF1(truth, predicted, 3)).toBeCloseTo((2 / 3 + 0.5 + 0) / 3, 12);
  });

  it('Brier: 0 when certain and right, 2 when certain and wrong, 2/3 for uniform over 3', () => {
    expect(brier([1], [oneHot(1, 3)])).toBe(0);
    expect(brier([1], [oneHot(0, 3)])).toBe(2);
    expect(brier([2], [[1 / 3, 1 / 3, 1 / 3]])).toBeCloseTo(2 / 3, 12);
  });

  it('MASE scales each error by its series naive in-sample change', () => {
    expect(naiveScale([10, 12, 9, 9])).toBeCloseTo(5 / 3, 12);
    expect(mase([10, 20], [12, 17], [2, 3])).toBeCloseTo((1 + 1) / 2, 12);
    expect(() => mase([1], [1], [0])).toThrow(/not positive/);
  });

  it('coverage counts closed intervals', () => {
    expect(
      coverage(
        [1, 5, 9],
        [
          [1, 2],
          [6, 7],
          [0, 9],
        ],
      ),
    ).toBeCloseTo(2 / 3, 12);
  });

  it('quantiles as numpy and terciles of a history', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([3, 1, 2], 1 / 3)).toBeCloseTo(1 + 2 / 3, 12);
    const t = terciles([1, 2, 3, 4, 5, 6, 7]);
    expect(t.t1).toBe(3);
    expect(t.t2).toBe(5);
    expect([3, 3.5, 5, 6].map((x) => tercileOf(x, t))).toEqual([0, 1, 1, 2]);
  });

  it('a reliability table: class probabilities binned one-vs-rest, with the observed frequency per bin', () => {
    // Two predictions of 2 classes: [0.95, 0.05] (truth 0) and [0.15, 0.85] (truth 0).
    const bins = reliability(
      [0, 0],
      [
        [0.95, 0.05],
        [0.15, 0.85],
      ],
      10,
    );
    expect(bins).toHaveLength(10);
    expect(bins.reduce((n, b) => n + b.n, 0)).toBe(4);
    // 0.05 (class 1 of the first, not true) in bin 0; 0.15 (class 0 of the second, true) in bin 1.
    expect(bins[0]).toMatchObject({ n: 1, observed: 0 });
    expect(bins[0]?.predicted).toBeCloseTo(0.05, 12);
    expect(bins[1]).toMatchObject({ n: 1, observed: 1 });
    // 0.85 (not true) in bin 8; 0.95 (true) in bin 9; probability 1 falls in the last bin.
    expect(bins[8]).toMatchObject({ n: 1, observed: 0 });
    expect(bins[9]).toMatchObject({ n: 1, observed: 1 });
    expect(bins[5]).toMatchObject({ n: 0, predicted: null, observed: null });
    expect(reliability([1], [[0, 1]], 10)[9]).toMatchObject({ n: 1, observed: 1 });
  });
});
