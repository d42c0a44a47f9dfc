import { describe, expect, it } from 'vitest';
import { ModelInputError } from '../errors.js';
import {
  checkTrainingSet,
  fitStandardisation,
  fusionBranches,
  standardiseInto,
  timeOrderedSplit,
  type FusionTrainingSet,
} from './data.js';

describe('timeOrderedSplit', () => {
  it('holds out the latest keys, never splitting a key: 10 rows, 5 keys, 20% → the last key', () => {
    const times = [2020, 2021, 2022, 2023, 2024, 2024, 2023, 2022, 2021, 2020];
    const split = timeOrderedSplit(times, 0.2);
    expect([...split.validation]).toEqual([4, 5]);
    expect([...split.training]).toEqual([0, 1, 2, 3, 6, 7, 8, 9]);
    expect(split).toMatchObject({ cutoff: 2024, trainingFrom: 2020, trainingTo: 2023, validationTo: 2024 });
  });
  it('puts the whole key of the cut row in validation: 30% of 10 rows cuts inside key 2023', () => {
    const times = [2020, 2020, 2021, 2021, 2022, 2022, 2023, 2023, 2024, 2024];
    // sorted[floor(0.7 × 10)] = sorted[7] = 2023: both 2023 rows go to validation (40% of the rows).
    expect([...timeOrderedSplit(times, 0.3).validation]).toEqual([6, 7, 8, 9]);
  });
  it('keeps the earliest key in training even when the fraction would take it', () => {
    const split = timeOrderedSplit([1, 1, 1, 2], 0.9);
    expect([...split.training]).toEqual([0, 1, 2]);
    expect([...split.validation]).toEqual([3]);
  });
  it('needs two distinct keys', () => {
    expect(() => timeOrderedSplit([5, 5, 5], 0.2)).toThrow(ModelInputError);
  });
});

describe('standardisation', () => {
  it('centres and scales by the training rows only, mapping a constant column to 0', () => {
    const rows = [
      [1, 7, 10],
      [3, 7, 20],
      [100, 7, 1000], // not in the training indices
    ];
    const s = fitStandardisation(rows, Int32Array.of(0, 1), 3);
    expect([...s.means]).toEqual([2, 7, 15]);
    expect([...s.sds]).toEqual([1, 0, 5]);
    const out = new Float32Array(3);
    standardiseInto([4, 9, 0], s, out, 0);
    // (4 - 2) / 1 = 2; constant column → 0 even though 9 ≠ 7; (0 - 15) / 5 = -3.
    expect([...out]).toEqual([2, 0, -3]);
  });
});

describe('checkTrainingSet', () => {
  const good: FusionTrainingSet = {
    rows: [
      [0, 1],
      [1, 0],
    ],
    classes: [0, 2],
    counts: [3, 0],
    times: [1, 2],
  };
  it('returns the width of a good set', () => {
    expect(checkTrainingSet(good, 3)).toBe(2);
  });
  it.each<[string, Partial<FusionTrainingSet>]>([
    [
      'a NaN feature',
      {
        rows: [
          [0, NaN],
          [1, 0],
        ],
      },
    ],
    [
      'an infinite feature',
      {
        rows: [
          [0, Infinity],
          [1, 0],
        ],
      },
    ],
    ['a short row', { rows: [[0], [1, 0]] }],
    ['a class out of range', { classes: [0, 3] }],
    ['a fractional class', { classes: [0, 0.5] }],
    ['a negative count', { counts: [-1, 0] }],
    ['a missing time', { times: [1] }],
    ['a zero baseline', { baselines: [1, 0] }],
  ])('rejects %s with ModelInputError', (_, change) => {
    expect(() => checkTrainingSet({ ...good, ...change }, 3)).toThrow(ModelInputError);
  });
});

describe('fusionBranches', () => {
  it('lists a sizes record in key order', () => {
    expect(fusionBranches({ crimeStatistics: 128, trend: 64, profile: 32 })).toEqual([
      { name: 'crimeStatistics', width: 128 },
      { name: 'trend', width: 64 },
      { name: 'profile', width: 32 },
    ]);
  });
});
