import { describe, expect, it } from 'vitest';
import { ModelInputError } from '../errors.js';
import { describeProfile, zScores } from './words.js';

describe('describeProfile', () => {
  it('names the variables furthest from the mean, largest |z| first', () => {
    expect(
      describeProfile([
        { label: 'crimes against women', z: -0.8 },
        { label: 'road deaths', z: 1.4 },
        { label: 'literacy', z: 0.2 },
      ]),
    ).toBe('high road deaths, low crimes against women');
  });

  it('names at most `most` variables and keeps input order on ties', () => {
    const variables = [
      { label: 'a', z: 1 },
      { label: 'b', z: -1 },
      { label: 'c', z: 2 },
    ];
    expect(describeProfile(variables, { most: 2 })).toBe('high c, high a');
  });

  it('says so when no variable is far from the mean', () => {
    expect(
      describeProfile([
        { label: 'a', z: 0.49 },
        { label: 'b', z: -0.3 },
      ]),
    ).toBe('near the average on every variable');
    expect(describeProfile([{ label: 'a', z: 0.3 }], { threshold: 0.25 })).toBe('high a');
  });

  it('refuses no variables and a non-finite z', () => {
    expect(() => describeProfile([])).toThrow(ModelInputError);
    expect(() => describeProfile([{ label: 'a', z: Number.NaN }])).toThrow(/z-score of a is not finite/);
  });
});

describe('zScores', () => {
  it('standardises each column with the population sd; a constant column is all 0', () => {
    // Column 0: mean 2, sd sqrt(2/3); column 1 constant.
    const { z, mean, sd } = zScores([
      [1, 5],
      [2, 5],
      [3, 5],
    ]);
    expect(mean).toEqual([2, 5]);
    expect(sd[0]).toBeCloseTo(Math.sqrt(2 / 3), 12);
    expect(sd[1]).toBe(0);
    const unit = 1 / Math.sqrt(2 / 3);
    expect(z[0]?.[0]).toBeCloseTo(-unit, 12);
    expect(z[1]?.[0]).toBe(0);
    expect(z[2]?.[0]).toBeCloseTo(unit, 12);
    expect(z.map((row) => row[1])).toEqual([0, 0, 0]);
  });
});
