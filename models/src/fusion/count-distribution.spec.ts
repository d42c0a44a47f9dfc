import { describe, expect, it } from 'vitest';
import { countLogPmf, countQuantiles, fitNegativeBinomialSize, logGamma } from './count-distribution.js';
import { decodeFloat32, encodeFloat32 } from './base64.js';
import { createRng, deriveSeed, shuffleInPlace } from './rng.js';
import { ModelFormatError } from '../errors.js';

describe('logGamma', () => {
  it.each([
    [1, 0],
    [2, 0],
    [5, Math.log(24)],
    [0.5, Math.log(Math.sqrt(Math.PI))],
    [101, 363.73937555556347], // ln(100!)
  ])('ln Γ(%d)', (x, expected) => {
    expect(logGamma(x)).toBeCloseTo(expected, 9);
  });
});

describe('countLogPmf', () => {
  it('is the Poisson pmf when size is null: P(Y = 2 | mean 3) = 4.5 e^-3', () => {
    expect(Math.exp(countLogPmf(2, 3, null))).toBeCloseTo(4.5 * Math.exp(-3), 12);
  });
  it('is the negative binomial pmf: NB(mean 2, size 1) is geometric, P(Y = k) = (1/3)(2/3)^k', () => {
    expect(Math.exp(countLogPmf(0, 2, 1))).toBeCloseTo(1 / 3, 12);
    expect(Math.exp(countLogPmf(3, 2, 1))).toBeCloseTo((1 / 3) * (2 / 3) ** 3, 12);
  });
});

describe('countQuantiles', () => {
  it('Poisson(2): cdf(0) = 0.135, cdf(3) = 0.857, cdf(4) = 0.947, so q10 = 0 and q90 = 4', () => {
    expect(countQuantiles(2, null, [0.1, 0.9])).toEqual([0, 4]);
  });
  it('geometric NB(mean 2, size 1): cdf(k) = 1 - (2/3)^(k+1), so q10 = 0, q50 = 1, q90 = 5', () => {
    // 1 - (2/3)^2 = 0.556 ≥ 0.5; 1 - (2/3)^6 = 0.912 ≥ 0.9 and 1 - (2/3)^5 = 0.868 < 0.9.
    expect(countQuantiles(2, 1, [0.1, 0.5, 0.9])).toEqual([0, 1, 5]);
  });
  it('approaches the Poisson as the size grows, and widens as it shrinks', () => {
    expect(countQuantiles(100, 1e7, [0.1, 0.9])).toEqual(countQuantiles(100, null, [0.1, 0.9]));
    const [lo = 0, hi = 0] = countQuantiles(100, 5, [0.1, 0.9]);
    const [plo = 0, phi = 0] = countQuantiles(100, null, [0.1, 0.9]);
    expect(hi - lo).toBeGreaterThan(3 * (phi - plo));
  });
  it.each<[number, number | null, number[]]>([
    [1000, null, [960, 1041]],
    [10000, null, [9872, 10128]],
    [500, 3, [183, 888]],
  ])(
    'mean %d, size %s: [q10, q90] = %j (summed from 0 in float64 by a reference script)',
    (mean, size, expected) => {
      expect(countQuantiles(mean, size, [0.1, 0.9])).toEqual(expected);
    },
  );
  it('handles a mean of 0 and a mean past the normal-approximation threshold', () => {
    expect(countQuantiles(0, null, [0.1, 0.9])).toEqual([0, 0]);
    // Poisson(1e6): sd 1000, z90 = 1.2816.
    const [lo = 0, hi = 0] = countQuantiles(1e6, null, [0.1, 0.9]);
    expect(lo).toBeCloseTo(1e6 - 1281.6, -1);
    expect(hi).toBeCloseTo(1e6 + 1281.6, -1);
  });
});

describe('fitNegativeBinomialSize', () => {
  function sample(size: number | null, n: number): { counts: number[]; means: number[] } {
    const random = createRng(7);
    const counts: number[] = [];
    const means: number[] = [];
    for (let i = 0; i < n; i++) {
      const mean = 5 + 45 * random();
      // Inversion of the cdf through the quantile function.
      const [k = 0] = countQuantiles(mean, size, [random()]);
      counts.push(k);
      means.push(mean);
    }
    return { counts, means };
  }
  it('recovers a size of 4 within 25% from 4,000 draws', () => {
    const { counts, means } = sample(4, 4000);
    const size = fitNegativeBinomialSize(counts, means);
    expect(size).not.toBeNull();
    expect(size ?? 0).toBeGreaterThan(3);
    expect(size ?? 0).toBeLessThan(5);
  });
  it('reports Poisson counts as a very large size or null', () => {
    const { counts, means } = sample(null, 4000);
    const size = fitNegativeBinomialSize(counts, means);
    expect(size === null || size > 200).toBe(true);
  });
});

describe('float32 base64', () => {
  it('encodes 1.0 as its little-endian bytes 00 00 80 3f', () => {
    expect(encodeFloat32(Float32Array.of(1))).toBe('AACAPw==');
  });
  it('round-trips every value bit for bit, whatever the padding', () => {
    for (const length of [0, 1, 2, 3, 7]) {
      const values = Float32Array.from({ length }, (_, i) => (i - 3) * 1.1e-3 + i * 1e20);
      expect(decodeFloat32(encodeFloat32(values))).toEqual(values);
    }
  });
  it('rejects text that is not base64 of float32 values', () => {
    expect(() => decodeFloat32('AAC*Pw==')).toThrow(ModelFormatError);
    expect(() => decodeFloat32('AACA')).toThrow(ModelFormatError);
  });
});

describe('seeded randomness', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const a = createRng(3);
    const b = createRng(3);
    const c = createRng(4);
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
    expect([c(), c(), c()]).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
  it('shuffles to a permutation, reproducibly', () => {
    const a = Int32Array.from({ length: 50 }, (_, i) => i);
    const b = Int32Array.from({ length: 50 }, (_, i) => i);
    shuffleInPlace(a, createRng(9));
    shuffleInPlace(b, createRng(9));
    expect(a).toEqual(b);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(deriveSeed(1, 2)).not.toBe(deriveSeed(1, 3));
  });
});
