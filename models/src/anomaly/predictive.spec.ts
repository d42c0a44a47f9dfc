import { describe, expect, it } from 'vitest';
import { ModelInputError } from '../errors.js';
import { logNormalTail, normalCdf, SplitNormalStep } from './predictive.js';

describe('normalCdf and logNormalTail', () => {
  it.each([
    [0, 0.5],
    [1, 0.841344746],
    [-1, 0.158655254],
    [1.959963985, 0.975],
    [2.326347874, 0.99],
    [-3, 0.001349898],
  ])('Phi(%f) = %f', (x, p) => {
    expect(normalCdf(x)).toBeCloseTo(p, 6);
    expect(Math.exp(logNormalTail(x))).toBeCloseTo(1 - p, 6);
  });

  it('keeps the far upper tail in log space where Phi rounds to 1', () => {
    expect(normalCdf(9)).toBe(1);
    // Mills' ratio: ln P(Z > x) = -x^2/2 - ln(x sqrt(2 pi)) - 1/x^2 + ..., relative error below 1e-4 at x = 40.
    const x = 40;
    const asymptotic = (-x * x) / 2 - Math.log(x * Math.sqrt(2 * Math.PI)) - 1 / (x * x);
    expect(logNormalTail(x) / asymptotic).toBeCloseTo(1, 4);
    expect(logNormalTail(Number.POSITIVE_INFINITY)).toBe(Number.NEGATIVE_INFINITY);
    expect(logNormalTail(Number.NEGATIVE_INFINITY)).toBe(0);
  });
});

describe('SplitNormalStep', () => {
  it('reads each side with its own spread, on the value scale', () => {
    // Identity scale: median 10, sd 1 below and 2 above.
    const step = new SplitNormalStep(0, 10, 1, 2, 'identity');
    expect(step.point).toBe(10);
    expect(step.quantile(0.5)).toBeCloseTo(10, 9);
    expect(step.quantile(0.975)).toBeCloseTo(10 + 2 * 1.959964, 5);
    expect(step.quantile(0.025)).toBeCloseTo(10 - 1.959964, 5);
    expect(step.cdf(12)).toBeCloseTo(0.841345, 6);
    expect(step.cdf(9)).toBeCloseTo(0.158655, 6);
  });

  it('maps the square-root scale back by squaring, with no mass below 0', () => {
    // sqrt scale: median sqrt(16) = 4, sd 0.5: the 0.975 quantile is (4 + 0.98)^2.
    const step = new SplitNormalStep(0, 4, 0.5, 0.5, 'sqrt');
    expect(step.point).toBe(16);
    expect(step.quantile(0.975)).toBeCloseTo((4 + 0.5 * 1.959964) ** 2, 4);
    expect(step.cdf(16)).toBeCloseTo(0.5, 9);
    expect(step.cdf(-1)).toBe(0);
    expect(new SplitNormalStep(0, 0.2, 0.5, 0.5, 'sqrt').quantile(0.01)).toBe(0);
  });

  it('puts a side without spread at the median', () => {
    const flat = new SplitNormalStep(0, 45, 0, 0, 'identity');
    expect(flat.cdf(45)).toBe(0.5);
    expect(flat.cdf(45.1)).toBe(1);
    expect(flat.cdf(44.9)).toBe(0);
    expect(flat.logTails(45.1).upper).toBe(Number.NEGATIVE_INFINITY);
  });

  it('refuses a probability outside (0, 1)', () => {
    const step = new SplitNormalStep(0, 1, 1, 1, 'identity');
    expect(() => step.quantile(1)).toThrow(ModelInputError);
    expect(() => step.quantile(0)).toThrow(ModelInputError);
    expect(() => step.cdf(Number.NaN)).toThrow(ModelInputError);
  });
});
