/**
 * Minimum-cost assignment (the Hungarian method, Kuhn-Munkres with potentials, O(n² m)) and the
 * silhouette of a clustering: the two pieces of arithmetic the profiles rest on.
 */

/**
 * Assigns each row of a cost matrix to a distinct column so that the total cost is least.
 *
 * @param cost - An n x m matrix of finite costs (any n and m; the smaller side is fully assigned).
 * @returns For each row, its column, or -1 for the rows left over when n > m.
 */
export function hungarian(cost: readonly (readonly number[])[]): number[] {
  const n = cost.length;
  const m = cost[0]?.length ?? 0;
  if (n === 0 || m === 0) return cost.map(() => -1);
  if (n > m) {
    // Solve the transpose (more columns than rows), then invert it.
    const transposed = Array.from({ length: m }, (_, j) => cost.map((row) => row[j] ?? 0));
    const byColumn = hungarian(transposed);
    const byRow = new Array<number>(n).fill(-1);
    byColumn.forEach((row, column) => {
      if (row >= 0) byRow[row] = column;
    });
    return byRow;
  }
  // 1-indexed potentials u (rows) and v (columns); p[j] = row matched to column j (0 = none).
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1);
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(Infinity);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0] ?? 0;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j] === 1) continue;
        const current = (cost[i0 - 1]?.[j - 1] ?? 0) - (u[i0] ?? 0) - (v[j] ?? 0);
        if (current < (minv[j] ?? Infinity)) {
          minv[j] = current;
          way[j] = j0;
        }
        if ((minv[j] ?? Infinity) < delta) {
          delta = minv[j] ?? Infinity;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j] === 1) {
          const row = p[j] ?? 0;
          u[row] = (u[row] ?? 0) + delta;
          v[j] = (v[j] ?? 0) - delta;
        } else {
          minv[j] = (minv[j] ?? Infinity) - delta;
        }
      }
      j0 = j1;
    } while ((p[j0] ?? 0) !== 0);
    do {
      const j1 = way[j0] ?? 0;
      p[j0] = p[j1] ?? 0;
      j0 = j1;
    } while (j0 !== 0);
  }
  const result = new Array<number>(n).fill(-1);
  for (let j = 1; j <= m; j++) {
    const row = p[j] ?? 0;
    if (row > 0) result[row - 1] = j - 1;
  }
  return result;
}

/** Euclidean distance. */
export function euclidean(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let d = 0; d < a.length; d++) sum += ((a[d] ?? 0) - (b[d] ?? 0)) ** 2;
  return Math.sqrt(sum);
}

/**
 * Silhouette of each point (Rousseeuw 1987, Euclidean distance): s = (b - a) / max(a, b), where a is the
 * mean distance to the other members of its cluster and b the least mean distance to the members of
 * another cluster; 0 for a point alone in its cluster (scikit-learn's convention) or when a = b = 0.
 *
 * @param points - The points.
 * @param clusters - Cluster index of each point, 0..k-1; at least two clusters must be non-empty.
 */
export function silhouettes(
  points: readonly (readonly number[])[],
  clusters: readonly number[],
  k: number,
): number[] {
  const n = points.length;
  const sizes = new Array<number>(k).fill(0);
  for (const c of clusters) sizes[c] = (sizes[c] ?? 0) + 1;
  return points.map((point, i) => {
    const own = clusters[i] ?? 0;
    if ((sizes[own] ?? 0) <= 1) return 0;
    const sums = new Array<number>(k).fill(0);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const c = clusters[j] ?? 0;
      sums[c] = (sums[c] ?? 0) + euclidean(point, points[j] ?? []);
    }
    const a = (sums[own] ?? 0) / ((sizes[own] ?? 1) - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) {
      if (c === own || (sizes[c] ?? 0) === 0) continue;
      b = Math.min(b, (sums[c] ?? 0) / (sizes[c] ?? 1));
    }
    const scale = Math.max(a, b);
    return scale === 0 || !Number.isFinite(b) ? 0 : (b - a) / scale;
  });
}
