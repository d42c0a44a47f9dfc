import { describe, expect, it } from 'vitest';
import { DurationStats } from './duration-stats.js';

describe('DurationStats', () => {
  it('is empty before the first run', () => {
    expect(new DurationStats().summary()).toEqual({
      count: 0,
      lastMs: null,
      meanMs: null,
      p99Ms: null,
      maxMs: null,
    });
  });

  it('gives count, last, mean and max over all runs, and the p99 of the recent window', () => {
    const stats = new DurationStats(100);
    // 1..100 ms: the p99 of 100 values is the 99th smallest.
    for (let ms = 1; ms <= 100; ms++) stats.add(ms);
    expect(stats.summary()).toEqual({ count: 100, lastMs: 100, meanMs: 50.5, p99Ms: 99, maxMs: 100 });
    // Ten more fast runs push out the first ten: the window holds 11..100 and ten 0.5s.
    for (let i = 0; i < 10; i++) stats.add(0.5);
    const summary = stats.summary();
    expect(summary.count).toBe(110);
    expect(summary.lastMs).toBe(0.5);
    expect(summary.maxMs).toBe(100);
    expect(summary.p99Ms).toBe(99);
    expect(summary.meanMs).toBeCloseTo((5050 + 5) / 110, 3);
  });
});
