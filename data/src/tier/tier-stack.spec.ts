import { describe, expect, it } from 'vitest';
import type { TierSample } from './tier-eval.js';
import { balanceShares, ordinalProbabilities } from './tier-stack.js';

const sample = (unit: number): TierSample => ({ unit, target: 5, last: 4, truth: 0 });

describe('ordinalProbabilities (the T1 ordinal head)', () => {
  it('turns P(tier ≥ middle) and P(high) into the three tiers: [1 - a, a - b, b]', () => {
    const above = (k: 1 | 2) => (k === 1 ? [0.9, 0.5, 0.2] : [0.6, 0.1, 0]);
    const p = ordinalProbabilities(above, () => () => [0.5, 0.5]);
    const expected = [
      [0.1, 0.3, 0.6],
      [0.5, 0.4, 0.1],
      [0.8, 0.2, 0],
    ];
    p.forEach((row, i) => {
      row.forEach((v, k) => {
        expect(v).toBeCloseTo(expected[i]?.[k] ?? NaN, 12);
      });
    });
  });

  it('replaces a crossing pair (P(high) above P(≥ middle)) by its mean, so no tier is negative', () => {
    const p = ordinalProbabilities(
      (k) => (k === 1 ? [0.3] : [0.5]),
      () => () => [0.5, 0.5],
    );
    expect(p[0]?.[0]).toBeCloseTo(0.6, 12);
    expect(p[0]?.[1]).toBeCloseTo(0, 12);
    expect(p[0]?.[2]).toBeCloseTo(0.4, 12);
  });

  it("hands each binary model its cumulative prior: k = 1 for 'at least middle', k = 2 for 'high'", () => {
    const seen: [number, number[]][] = [];
    const prior = (k: 1 | 2) => (s: TierSample) => [1 - 0.1 * k - s.unit, 0.1 * k + s.unit];
    ordinalProbabilities((k, priorOfK) => {
      seen.push([k, priorOfK(sample(0))]);
      return [0.5];
    }, prior);
    expect(seen.map(([k]) => k)).toEqual([1, 2]);
    expect(seen[0]?.[1][1]).toBeCloseTo(0.1, 12);
    expect(seen[1]?.[1][1]).toBeCloseTo(0.2, 12);
  });

  it('rows sum to one, and balancing keeps them so while moving each tier to a third of the rows', () => {
    const p = ordinalProbabilities(
      (k) => (k === 1 ? [0.9, 0.8, 0.7, 0.6, 0.5, 0.4] : [0.5, 0.4, 0.3, 0.2, 0.1, 0.05]),
      () => () => [0.5, 0.5],
    );
    for (const row of p) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const balanced = balanceShares(p);
    for (let k = 0; k < 3; k++) expect(balanced.reduce((a, row) => a + (row[k] ?? 0), 0)).toBeCloseTo(2, 3);
  });
});
