import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../forest/rng.js';
import { hungarian, silhouettes } from './assignment.js';

/** Least total cost by trying every injective assignment of the smaller side. */
function bruteForce(cost: number[][]): number {
  const n = cost.length;
  const m = cost[0]?.length ?? 0;
  let best = Infinity;
  const visit = (i: number, used: Set<number>, total: number, assigned: number): void => {
    if (i === n) {
      if (assigned === Math.min(n, m)) best = Math.min(best, total);
      return;
    }
    if (n - i > Math.min(n, m) - assigned) visit(i + 1, used, total, assigned);
    for (let j = 0; j < m; j++) {
      if (used.has(j)) continue;
      used.add(j);
      visit(i + 1, used, total + (cost[i]?.[j] ?? 0), assigned + 1);
      used.delete(j);
    }
  };
  visit(0, new Set(), 0, 0);
  return best;
}

function total(cost: number[][], assignment: number[]): number {
  return assignment.reduce((sum, j, i) => sum + (j >= 0 ? (cost[i]?.[j] ?? 0) : 0), 0);
}

describe('hungarian', () => {
  it('solves a hand-checked 3 x 3 case', () => {
    // Row 0 -> column 1 (1), row 1 -> column 0 (2), row 2 -> column 2 (2): total 5, the least of the 6.
    expect(
      hungarian([
        [4, 1, 3],
        [2, 0, 5],
        [3, 2, 2],
      ]),
    ).toEqual([1, 0, 2]);
  });

  it('leaves the extra rows of a tall matrix unassigned', () => {
    // Columns: 0 is cheapest for row 2 (0), 1 for row 0 (1); row 1 is left over.
    expect(
      hungarian([
        [5, 1],
        [6, 7],
        [0, 9],
      ]),
    ).toEqual([1, -1, 0]);
  });

  it('matches brute force on random square and rectangular matrices', () => {
    const random = mulberry32(5);
    for (const [n, m] of [
      [5, 5],
      [3, 6],
      [6, 3],
      [1, 4],
      [8, 8],
    ] as const) {
      for (let trial = 0; trial < 5; trial++) {
        const cost = Array.from({ length: n }, () =>
          Array.from({ length: m }, () => Math.round(random() * 20)),
        );
        const assignment = hungarian(cost);
        const columns = assignment.filter((j) => j >= 0);
        expect(new Set(columns).size).toBe(Math.min(n, m));
        expect(total(cost, assignment)).toBe(bruteForce(cost));
      }
    }
  });
});

describe('silhouettes', () => {
  it('follows (b - a) / max(a, b) on a hand-checked line', () => {
    // Point 0: a = |0 - 1| = 1, b = (10 + 11) / 2 = 10.5, s = 9.5 / 10.5; point 1: a = 1, b = 9.5, s = 8.5 / 9.5.
    const s = silhouettes([[0], [1], [10], [11]], [0, 0, 1, 1], 2);
    expect(s[0]).toBeCloseTo(9.5 / 10.5, 12);
    expect(s[1]).toBeCloseTo(8.5 / 9.5, 12);
    expect(s[2]).toBeCloseTo(8.5 / 9.5, 12);
    expect(s[3]).toBeCloseTo(9.5 / 10.5, 12);
  });

  it('gives 0 to a point alone in its cluster', () => {
    expect(silhouettes([[0], [1], [10]], [0, 0, 1], 2)[2]).toBe(0);
  });
});
