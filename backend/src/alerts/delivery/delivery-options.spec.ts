import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_DELIVERY_OPTIONS, leaseMs } from './delivery-options.js';

const options = { backoffMs: 1000, backoffCapMs: 60_000 };

describe('backoffDelay', () => {
  it('doubles from the base after each failure, drawn from the upper half of the step', () => {
    // [lowest, highest] after 1..7 failures: 1 s, 2 s, 4 s ... 64 s capped at 60 s.
    const expected = [
      [500, 1000],
      [1000, 2000],
      [2000, 4000],
      [4000, 8000],
      [8000, 16_000],
      [16_000, 32_000],
      [30_000, 60_000],
    ];
    expected.forEach(([low, high], i) => {
      expect(backoffDelay(i + 1, options, () => 0)).toBe(low);
      expect(backoffDelay(i + 1, options, () => 1)).toBe(high);
      expect(backoffDelay(i + 1, options, () => 0.5)).toBe(((low ?? 0) + (high ?? 0)) / 2);
    });
  });

  it('stays at the cap however many failures', () => {
    expect(backoffDelay(60, options, () => 1)).toBe(60_000);
    expect(backoffDelay(1000, options, () => 0)).toBe(30_000);
  });

  it('spreads retries with Math.random by default', () => {
    const draws = new Set(Array.from({ length: 50 }, () => backoffDelay(3, options)));
    expect(draws.size).toBeGreaterThan(10);
    for (const delay of draws) {
      expect(delay).toBeGreaterThanOrEqual(2000);
      expect(delay).toBeLessThanOrEqual(4000);
    }
  });

  it('refuses a failure count below 1', () => {
    expect(() => backoffDelay(0, options)).toThrow(RangeError);
    expect(() => backoffDelay(1.5, options)).toThrow(RangeError);
  });

  it('gives up within about two minutes with the defaults (8 attempts from 1 s)', () => {
    const total = Array.from({ length: DEFAULT_DELIVERY_OPTIONS.maxAttempts - 1 }, (_, i) =>
      backoffDelay(i + 1, DEFAULT_DELIVERY_OPTIONS, () => 1),
    ).reduce((sum, ms) => sum + ms, 0);
    expect(total).toBe(127_000);
  });
});

describe('leaseMs', () => {
  it('outlasts an attempt that runs to its timeout', () => {
    expect(leaseMs({ timeoutMs: 5000 })).toBeGreaterThan(5000);
  });
});
