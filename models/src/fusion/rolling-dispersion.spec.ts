import { describe, expect, it } from 'vitest';
import { ModelInputError } from '../errors.js';
import { coverage80, coverageNegativeBinomialSize, countQuantiles } from './count-distribution.js';
import { createRng } from './rng.js';
import { negativeBinomialDraw } from './synthetic.js';
import { RollingDispersion, type OutOfSampleCount } from './rolling-dispersion.js';

/** 40 series a period; size 50 (little extra dispersion) up to period 20, size 4 after it. */
function regimeChange(): OutOfSampleCount[] {
  const random = createRng(7);
  const records: OutOfSampleCount[] = [];
  for (let time = 0; time < 40; time++)
    for (let s = 0; s < 40; s++) {
      const mean = 20 + s;
      records.push({ time, mean, count: negativeBinomialDraw(random, mean, time < 20 ? 50 : 4) });
    }
  return records;
}

describe('RollingDispersion', () => {
  it('uses only the periods [t - window, t): a record at t or later never moves the size at t', () => {
    const records: OutOfSampleCount[] = [
      { time: 0, count: 10, mean: 10 },
      { time: 1, count: 14, mean: 10 },
      { time: 2, count: 6, mean: 10 },
    ];
    const rolling = new RollingDispersion(records, { window: 2, minRows: 1 });
    expect(rolling.windowOf(2).map((r) => r.time)).toEqual([0, 1]);
    expect(rolling.windowOf(3).map((r) => r.time)).toEqual([1, 2]);
    const altered = new RollingDispersion([...records.slice(0, 2), { time: 2, count: 500, mean: 10 }], {
      window: 2,
      minRows: 1,
    });
    expect(altered.sizeAt(2)).toBe(rolling.sizeAt(2));
    expect(altered.sizeAt(3)).not.toBe(rolling.sizeAt(3));
  });

  it('falls back to the given size when the window holds fewer than minRows forecasts', () => {
    const rolling = new RollingDispersion([{ time: 0, count: 3, mean: 2 }], { minRows: 2, fallback: 7 });
    expect(rolling.sizeAt(1)).toBe(7);
    expect(rolling.sizeAt(0)).toBe(7);
  });

  it('follows a change of dispersion: the size drops after the regime turns from size 50 to size 4', () => {
    const rolling = new RollingDispersion(regimeChange(), { window: 8 });
    const before = rolling.sizeAt(20) ?? Infinity;
    const after = rolling.sizeAt(40) ?? Infinity;
    // Maximum likelihood on 320 draws: within a factor 2 of the true sizes.
    expect(before).toBeGreaterThan(25);
    expect(after).toBeGreaterThan(2);
    expect(after).toBeLessThan(8);
  });

  it('the coverage rule picks the size whose 80% interval covers the window closest to 80%', () => {
    const records = regimeChange().filter((r) => r.time >= 20);
    const rolling = new RollingDispersion(records, { window: 20, rule: 'coverage' });
    const size = rolling.sizeAt(40);
    const window = rolling.windowOf(40);
    const counts = window.map((r) => r.count);
    const means = window.map((r) => r.mean);
    expect(size).toBe(coverageNegativeBinomialSize(counts, means, rolling.sizeAt(40)));
    expect(Math.abs(coverage80(counts, means, size) - 0.8)).toBeLessThan(0.03);
  });

  it('coverage80 counts the outcomes inside [q10, q90] of NB(mean, size)', () => {
    // Poisson(2): [q10, q90] = [0, 4], so 0, 2 and 4 are inside and 5 is not.
    expect(countQuantiles(2, null, [0.1, 0.9])).toEqual([0, 4]);
    expect(coverage80([0, 2, 4, 5], [2, 2, 2, 2], null)).toBe(0.75);
  });

  it('rejects bad options and records with a clear error', () => {
    expect(() => new RollingDispersion([], { window: 0 })).toThrow(ModelInputError);
    expect(() => new RollingDispersion([], { minRows: 0 })).toThrow(/minRows/);
    expect(() => new RollingDispersion([], { fallback: -1 })).toThrow(/fallback/);
    expect(() => new RollingDispersion([{ time: 0, count: -1, mean: 1 }])).toThrow(/record 0/);
    expect(() => new RollingDispersion([{ time: NaN, count: 1, mean: 1 }])).toThrow(/record 0/);
  });
});
