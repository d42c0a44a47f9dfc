/** Up-front checks of model inputs: every failure is a ModelInputError naming the offending row and column. */
import { ModelInputError } from '../errors.js';

/** A feature matrix: one row per sample, every row the same width. */
export type FeatureMatrix = readonly (readonly number[])[];

/**
 * Checks that `X` is a non-ragged matrix of finite numbers with at least `minRows` rows (and exactly
 * `width` columns when given).
 *
 * @returns The width of the rows.
 * @throws ModelInputError on a ragged row, a non-finite value, too few rows or the wrong width.
 */
export function checkMatrix(X: FeatureMatrix, what: string, minRows: number, width?: number): number {
  // Checked as unknown: callers outside TypeScript (JSON, eval scripts) can pass anything.
  const rows: unknown = X;
  if (!isArray(rows)) throw new ModelInputError(`${what}: expected an array of rows`);
  if (rows.length < minRows) {
    throw new ModelInputError(`${what}: ${rows.length} rows, at least ${minRows} needed`);
  }
  const first = rows[0];
  const expected = width ?? (isArray(first) ? first.length : 0);
  if (expected < 1) throw new ModelInputError(`${what}: rows have no columns`);
  rows.forEach((row, i) => {
    if (!isArray(row)) throw new ModelInputError(`${what}: row ${i} is not an array`);
    if (row.length !== expected) {
      throw new ModelInputError(`${what}: row ${i} has ${row.length} values, expected ${expected}`);
    }
    row.forEach((value, j) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new ModelInputError(`${what}: row ${i}, column ${j} is ${String(value)}, not a finite number`);
      }
    });
  });
  return expected;
}

/** `Array.isArray` without widening to `any[]`. */
export function isArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

/** Checks that `y` has one finite number per row. */
export function checkTargets(y: readonly number[], rows: number, what: string): void {
  const targets: unknown = y;
  if (!isArray(targets)) throw new ModelInputError(`${what}: expected an array of targets`);
  if (targets.length !== rows)
    throw new ModelInputError(`${what}: ${targets.length} targets for ${rows} rows`);
  targets.forEach((value, i) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ModelInputError(`${what}: target ${i} is ${String(value)}, not a finite number`);
    }
  });
}

/** Checks feature names: one non-empty, unique string per column. */
export function checkNames(names: readonly string[], width: number, what: string): void {
  if (names.length !== width) {
    throw new ModelInputError(`${what}: ${names.length} feature names for ${width} columns`);
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (typeof name !== 'string' || name.length === 0) {
      throw new ModelInputError(`${what}: feature names must be non-empty strings`);
    }
    if (seen.has(name)) throw new ModelInputError(`${what}: feature name ${name} appears twice`);
    seen.add(name);
  }
}

/** Checks that an option is an integer within [min, max]. */
export function checkInteger(value: number, name: string, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ModelInputError(`option ${name} = ${String(value)}: expected an integer in [${min}, ${max}]`);
  }
}
