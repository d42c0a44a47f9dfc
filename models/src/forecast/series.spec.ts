import { describe, expect, it } from 'vitest';
import { ModelInputError } from '../errors.js';
import { checkSeries, DAY_MS, forwardTransform, HOUR_MS, inverseTransform } from './series.js';

const days = (n: number) => ({
  timestamps: Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * DAY_MS),
  values: Array.from({ length: n }, (_, i) => i % 3),
});

describe('checkSeries', () => {
  it('accepts a regular series and reports its step and span', () => {
    const checked = checkSeries(days(20), 14);
    expect(checked.stepMs).toBe(DAY_MS);
    expect(checked.startMs).toBe(Date.UTC(2024, 0, 1));
    expect(checked.endMs).toBe(Date.UTC(2024, 0, 21));
  });

  it.each([
    [
      'a NaN value',
      { ...days(20), values: days(20).values.map((v, i) => (i === 5 ? Number.NaN : v)) },
      /values\[5\]/,
    ],
    [
      'a negative count',
      { ...days(20), values: days(20).values.map((v, i) => (i === 3 ? -1 : v)) },
      /values\[3\]/,
    ],
    [
      'unsorted timestamps',
      { ...days(20), timestamps: days(20).timestamps.map((t, i) => (i === 7 ? t - 2 * DAY_MS : t)) },
      /must increase/,
    ],
    [
      'an irregular step',
      { ...days(20), timestamps: days(20).timestamps.map((t, i) => (i >= 10 ? t + HOUR_MS : t)) },
      /not regular/,
    ],
    ['too short a history', days(10), /too short: 10.00 days/],
    ['mismatched lengths', { ...days(20), values: [1, 2] }, /differ in length/],
    ['a single step', days(1), /at least 2 steps/],
  ])('throws ModelInputError on %s', (_, series, message) => {
    expect(() => checkSeries(series, 14)).toThrow(ModelInputError);
    expect(() => checkSeries(series, 14)).toThrow(message);
  });
});

describe('transforms', () => {
  it('round-trip counts and clamp negatives to 0', () => {
    for (const transform of ['none', 'sqrt', 'log1p'] as const) {
      for (const v of [0, 1, 2.5, 40])
        expect(inverseTransform(transform, forwardTransform(transform, v))).toBeCloseTo(v, 12);
      expect(inverseTransform(transform, -0.5)).toBe(0);
    }
    expect(forwardTransform('sqrt', 9)).toBe(3);
    expect(forwardTransform('log1p', Math.E - 1)).toBeCloseTo(1, 15);
  });
});
