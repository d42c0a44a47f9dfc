import { describe, expect, it } from 'vitest';
import { centralInterval, normalQuantile, quantileInPlace, Random } from './random.js';

/** numpy's default (linear) quantile of a sorted copy. */
function reference(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(low + 1, sorted.length - 1);
  return (sorted[low] as number) + (position - low) * ((sorted[high] as number) - (sorted[low] as number));
}

describe('Random', () => {
  it('repeats its sequence for a seed', () => {
    const a = new Random(7);
    const b = new Random(7);
    for (let i = 0; i < 100; i++) expect(a.normal()).toBe(b.normal());
    expect(new Random(8).next()).not.toBe(new Random(7).next());
  });

  it('draws normals with mean 0 and sd 1, and Poisson and Laplace with their means', () => {
    const random = new Random(1);
    const n = 40_000;
    let sum = 0;
    let squares = 0;
    let poisson = 0;
    let laplace = 0;
    for (let i = 0; i < n; i++) {
      const z = random.normal();
      sum += z;
      squares += z * z;
      poisson += random.poisson(3);
      laplace += Math.abs(random.laplace(2));
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(Math.sqrt(squares / n)).toBeCloseTo(1, 1);
    expect(poisson / n).toBeCloseTo(3, 1);
    // E|Laplace(0, b)| = b.
    expect(laplace / n).toBeCloseTo(2, 1);
  });
});

describe('quantiles', () => {
  it('normalQuantile matches tabulated values', () => {
    expect(normalQuantile(0.9)).toBeCloseTo(1.2815515655, 8);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.975)).toBeCloseTo(1.9599639845, 8);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.0902323062, 7);
  });

  it('selection gives the same quantiles as sorting', () => {
    const random = new Random(3);
    for (const n of [1, 2, 5, 10, 999, 1000]) {
      const values = Array.from({ length: n }, () => Math.round(random.normal() * 5));
      for (const q of [0, 0.1, 0.5, 0.9, 1])
        expect(quantileInPlace(Float64Array.from(values), q)).toBeCloseTo(reference(values, q), 12);
      const [low, high] = centralInterval(Float64Array.from(values), 0.8);
      expect(low).toBeCloseTo(reference(values, 0.1), 12);
      expect(high).toBeCloseTo(reference(values, 0.9), 12);
    }
  });
});
