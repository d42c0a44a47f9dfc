import { ModelInputError } from '../errors.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/**
 * A regular series of counts: `values[i]` is the count of step `[timestamps[i], timestamps[i] + step)`.
 * Timestamps are epoch milliseconds, strictly increasing by one constant step (an hour, a day, or any
 * whole number of milliseconds); a step without events is a 0, never a gap.
 */
export interface RegularSeries {
  readonly timestamps: readonly number[];
  readonly values: readonly number[];
}

/**
 * The scale a model is fitted on. Counts are heteroscedastic (a Poisson count's variance is its mean), so
 * fitting on `sqrt` (variance-stabilising for Poisson) or `log1p` keeps the intervals honest on quiet and busy
 * series alike; `none` fits the counts themselves. Forecasts are transformed back quantile by quantile (the
 * transforms are increasing), so the point is the back-transformed median, and clamped at 0.
 */
export type CountTransform = 'none' | 'sqrt' | 'log1p';

export const COUNT_TRANSFORMS: readonly CountTransform[] = ['none', 'sqrt', 'log1p'];

/** Counts to the fitting scale. */
export function forwardTransform(transform: CountTransform, value: number): number {
  switch (transform) {
    case 'none':
      return value;
    case 'sqrt':
      return Math.sqrt(value);
    case 'log1p':
      return Math.log1p(value);
  }
}

/** The fitting scale back to counts, clamped at 0 (a count is never negative). */
export function inverseTransform(transform: CountTransform, value: number): number {
  switch (transform) {
    case 'none':
      return Math.max(0, value);
    case 'sqrt':
      return value > 0 ? value * value : 0;
    case 'log1p':
      return Math.max(0, Math.expm1(value));
  }
}

/** A validated regular series and its step. */
export interface CheckedSeries {
  readonly timestamps: readonly number[];
  readonly values: readonly number[];
  readonly stepMs: number;
  /** First timestamp. */
  readonly startMs: number;
  /** End of the last step (last timestamp + step): the first instant the series says nothing about. */
  readonly endMs: number;
}

/**
 * Checks a series before any computation.
 * @throws ModelInputError on mismatched lengths, fewer than `minDays` days of steps, a non-finite or
 *   negative value, non-integer or unsorted timestamps, or an irregular step.
 */
export function checkSeries(series: RegularSeries, minDays: number): CheckedSeries {
  const { timestamps, values } = series;
  if (!Array.isArray(timestamps) || !Array.isArray(values)) {
    throw new ModelInputError('a series needs `timestamps` and `values` arrays');
  }
  if (timestamps.length !== values.length) {
    throw new ModelInputError(
      `timestamps and values differ in length: ${timestamps.length} and ${values.length}`,
    );
  }
  if (timestamps.length < 2) {
    throw new ModelInputError(`a series needs at least 2 steps, got ${timestamps.length}`);
  }
  const first = timestamps[0] as number;
  const stepMs = (timestamps[1] as number) - first;
  for (let i = 0; i < timestamps.length; i++) {
    const t = timestamps[i] as number;
    if (!Number.isSafeInteger(t)) {
      throw new ModelInputError(`timestamps[${i}] is not an integer epoch millisecond: ${t}`);
    }
    if (i > 0) {
      const delta = t - (timestamps[i - 1] as number);
      if (delta <= 0) {
        throw new ModelInputError(
          `timestamps must increase: timestamps[${i}] = ${t} follows ${timestamps[i - 1]}`,
        );
      }
      if (delta !== stepMs) {
        throw new ModelInputError(
          `the series is not regular: step ${delta} ms at index ${i}, ${stepMs} ms at index 1 (fill empty steps with 0)`,
        );
      }
    }
    const v = values[i] as number;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new ModelInputError(`values[${i}] is not a finite count >= 0: ${String(v)}`);
    }
  }
  const endMs = (timestamps[timestamps.length - 1] as number) + stepMs;
  const days = (endMs - first) / DAY_MS;
  if (days < minDays) {
    throw new ModelInputError(
      `the series is too short: ${days.toFixed(2)} days of history, at least ${minDays} needed`,
    );
  }
  return { timestamps, values, stepMs, startMs: first, endMs };
}

/** Steps per day of a step (24 for hourly, 1 for daily, below 1 for multi-day steps). */
export function stepsPerDay(stepMs: number): number {
  return DAY_MS / stepMs;
}

/** Rejects an option that is none of `allowed` before any computation. */
export function requireOneOf(name: string, value: unknown, allowed: readonly unknown[]): void {
  if (!allowed.includes(value)) {
    throw new ModelInputError(
      `option ${name} must be one of ${JSON.stringify(allowed)}, got ${JSON.stringify(value)}`,
    );
  }
}

/** Rejects an option outside its range before any computation. */
export function requireNumber(name: string, value: number, min: number, max: number, integer = false): void {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    throw new ModelInputError(
      `option ${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${String(value)}`,
    );
  }
}
