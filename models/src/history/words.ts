import { ModelInputError } from '../errors.js';

/** One variable of a profile centroid: what it is called in words, and its z-score. */
export interface CentroidVariable {
  /** Words for the variable, e.g. "road deaths" ("high road deaths"). */
  readonly label: string;
  /** The centroid's value in standard deviations from the mean of all rows. */
  readonly z: number;
}

/** Options of {@link describeProfile}. */
export interface DescribeOptions {
  /** |z| at or above this is "high" or "low". Default 0.5. */
  readonly threshold: number;
  /** At most this many variables are named, by |z| descending. Default 3. */
  readonly most: number;
}

export const DESCRIBE_DEFAULTS: DescribeOptions = Object.freeze({ threshold: 0.5, most: 3 });

/**
 * A k-means profile in words, from its centroid's z-scores: the variables furthest from the mean (|z| at
 * least `threshold`, at most `most` of them, largest |z| first; ties by input order) as "high X" or
 * "low X", joined by commas; "near the average on every variable" when none is that far.
 *
 * @example describeProfile([{ label: 'road deaths', z: 1.4 }, { label: 'crimes against women', z: -0.8 }])
 *   // "high road deaths, low crimes against women"
 * @throws ModelInputError on a non-finite z or no variables.
 */
export function describeProfile(
  variables: readonly CentroidVariable[],
  options: Partial<DescribeOptions> = {},
): string {
  const { threshold, most } = { ...DESCRIBE_DEFAULTS, ...options };
  if (variables.length === 0) throw new ModelInputError('describeProfile: no variables');
  for (const variable of variables)
    if (!Number.isFinite(variable.z))
      throw new ModelInputError(`describeProfile: the z-score of ${variable.label} is not finite`);
  const named = variables
    .map((variable, i) => ({ ...variable, i }))
    .filter((variable) => Math.abs(variable.z) >= threshold)
    .sort((a, b) => Math.abs(b.z) - Math.abs(a.z) || a.i - b.i)
    .slice(0, most)
    .map((variable) => `${variable.z > 0 ? 'high' : 'low'} ${variable.label}`);
  return named.length === 0 ? 'near the average on every variable' : named.join(', ');
}

/**
 * Z-scores of each column of `rows` (population standard deviation; a constant column gives 0s), so
 * centroids of different variables are comparable.
 */
export function zScores(rows: readonly (readonly number[])[]): {
  readonly z: number[][];
  readonly mean: number[];
  readonly sd: number[];
} {
  const width = rows[0]?.length ?? 0;
  const mean = Array.from(
    { length: width },
    (_, j) => rows.reduce((s, r) => s + (r[j] ?? NaN), 0) / rows.length,
  );
  const sd = mean.map((m, j) =>
    Math.sqrt(rows.reduce((s, r) => s + ((r[j] ?? NaN) - m) ** 2, 0) / rows.length),
  );
  const z = rows.map((r) =>
    r.map((value, j) => ((sd[j] ?? 0) > 0 ? (value - (mean[j] ?? 0)) / (sd[j] ?? 1) : 0)),
  );
  return { z, mean, sd };
}
