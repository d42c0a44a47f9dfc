import { describe, expect, it } from 'vitest';
import { FeatureInputError } from './errors.js';
import { MIN_TAIL_PROBABILITY, poissonUpperTail, surprise } from './poisson.js';

/** P(X >= observed) by summing the probability mass function directly (means up to about 700). */
function directUpperTail(observed: number, mean: number): number {
  let mass = Math.exp(-mean);
  let below = 0;
  for (let k = 0; k < observed; k++) {
    below += mass;
    mass *= mean / (k + 1);
  }
  if (observed <= mean) return 1 - below;
  // Far in the tail, sum it upward instead of subtracting from 1.
  let tail = 0;
  for (let k = observed; mass > tail * 1e-18; k++) {
    tail += mass;
    mass *= mean / (k + 1);
  }
  return tail;
}

describe('poissonUpperTail', () => {
  it('matches values checkable by hand', () => {
    expect(poissonUpperTail(1, 1)).toBeCloseTo(1 - Math.exp(-1), 14);
    expect(poissonUpperTail(3, 2)).toBeCloseTo(1 - 5 * Math.exp(-2), 14);
    expect(poissonUpperTail(2, 0.5)).toBeCloseTo(1 - 1.5 * Math.exp(-0.5), 14);
    expect(poissonUpperTail(1, 0.25)).toBeCloseTo(1 - Math.exp(-0.25), 14);
  });

  it('is 1 for nothing observed and 0 for something observed against a zero mean', () => {
    expect(poissonUpperTail(0, 0)).toBe(1);
    expect(poissonUpperTail(0, 12.5)).toBe(1);
    expect(poissonUpperTail(1, 0)).toBe(0);
    expect(poissonUpperTail(40, 0)).toBe(0);
  });

  it.each([0.01, 0.3, 1, 5, 37.5, 120, 600])('matches a direct sum for mean %d', (mean) => {
    const spread = Math.ceil(12 * Math.sqrt(mean) + 10);
    for (let observed = 1; observed <= mean + spread; observed += Math.max(1, Math.floor(spread / 15))) {
      const expected = directUpperTail(observed, mean);
      const actual = poissonUpperTail(observed, mean);
      expect(Math.abs(actual - expected), `observed ${observed}`).toBeLessThanOrEqual(
        1e-9 * expected + 1e-15,
      );
    }
  });

  it('stays accurate at a mean of 100,000', () => {
    // Ramanujan: P(X >= n) = 1/2 + theta_n * P(X = n) for X ~ Poisson(n), theta_n = 1/3 + 4/(135 (n + k)),
    // k in [2/21, 8/45]; P(X = n) = exp(-stirlingError(n)) / sqrt(2 pi n), stirlingError(n) ~ 1/(12 n).
    const n = 100_000;
    const massAtN = Math.exp(-1 / (12 * n)) / Math.sqrt(2 * Math.PI * n);
    const expected = 0.5 + (1 / 3 + 4 / (135 * n)) * massAtN;
    expect(poissonUpperTail(n, n)).toBeCloseTo(expected, 10);
    // Successive differences are point masses, whose ratio is mean / (k + 1).
    for (const k of [n - 1500, n + 40, n + 1500]) {
      const massK = poissonUpperTail(k, n) - poissonUpperTail(k + 1, n);
      const massNext = poissonUpperTail(k + 1, n) - poissonUpperTail(k + 2, n);
      expect(massNext / massK).toBeCloseTo(n / (k + 1), 6);
    }
    // Far tails stay tiny and positive rather than rounding to 0 or 1 early.
    expect(poissonUpperTail(n + 3000, n)).toBeGreaterThan(0);
    expect(poissonUpperTail(n + 3000, n)).toBeLessThan(1e-15);
  });

  it('refuses a non-integer or negative count and a bad mean', () => {
    expect(() => poissonUpperTail(-1, 1)).toThrow(FeatureInputError);
    expect(() => poissonUpperTail(1.5, 1)).toThrow(FeatureInputError);
    expect(() => poissonUpperTail(1, Number.NaN)).toThrow(FeatureInputError);
    expect(() => poissonUpperTail(1, -0.1)).toThrow(FeatureInputError);
    expect(() => poissonUpperTail(1, Number.POSITIVE_INFINITY)).toThrow(FeatureInputError);
  });
});

describe('surprise', () => {
  it('is -log10 of the tail probability, floored at 1e-12', () => {
    expect(surprise(1)).toBe(0);
    expect(Object.is(surprise(1), 0)).toBe(true);
    expect(surprise(0.01)).toBeCloseTo(2, 14);
    expect(surprise(MIN_TAIL_PROBABILITY)).toBeCloseTo(12, 14);
    expect(surprise(0)).toBeCloseTo(12, 14);
    expect(surprise(1e-30)).toBeCloseTo(12, 14);
    expect(() => surprise(Number.NaN)).toThrow(FeatureInputError);
    expect(() => surprise(1.5)).toThrow(FeatureInputError);
  });
});
