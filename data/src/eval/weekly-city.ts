import type { WeeklyModel } from './weekly-eval.js';
import { seasonalMean } from './weekly-season.js';
import type { WeeklyTask } from './weekly-task.js';

/**
 * City momentum for T2 (docs/fusion.md, "City momentum"): the seasonal baseline's city-wide error persists
 * from one week to the next, so the baseline of week w is corrected by the errors of the weeks just before.
 *
 * The city error of week v is e_v = ln((Σ_d y_{d,v} + 0.5) / (Σ_d b_{d,v} + 0.5)), summed over every district,
 * b the 8-week mean × the city's seasonal factor (never fitted, so out of sample at every week from the 8th),
 * whatever baseline the caller multiplies by the correction. Week w's
 * correction is exp(φ_1 e_{w-1} + … + φ_p e_{w-p}), the φ by least squares through the origin on the pairs
 * (e_{v-1}, …, e_{v-p}; e_v) of the weeks v < w: it reads nothing of week w or later.
 */

/** Pairs fewer than this give no correction (φ = 0). */
export const CITY_MOMENTUM_MIN_PAIRS = 8;
/** Each φ is clamped to [0, 1]: a momentum, never a reversal or an amplification. */
const PHI_MAX = 1;
/** The first week with an 8-week baseline. */
const FIRST_WEEK = 8;

interface CityErrors {
  /** e_v by week (NaN before the first week with a baseline). */
  readonly errors: readonly number[];
  /** The correction's log by lag count, then week; filled on demand. */
  readonly logs: Map<number, (number | undefined)[]>;
}

const cache = new WeakMap<WeeklyTask, CityErrors>();

function cityErrors(task: WeeklyTask): CityErrors {
  const known = cache.get(task);
  if (known !== undefined) return known;
  const weeks = task.weekStarts.length - 1;
  const errors = Array.from({ length: weeks }, (_, v) => {
    if (v < FIRST_WEEK) return NaN;
    let outcomes = 0;
    let expected = 0;
    task.series.forEach((series, d) => {
      outcomes += series.weekly[v] ?? NaN;
      expected += seasonalMean(task, d, v);
    });
    return Math.log((outcomes + 0.5) / (expected + 0.5));
  });
  const made = { errors, logs: new Map<number, (number | undefined)[]>() };
  cache.set(task, made);
  return made;
}

/**
 * The city's log errors of weeks `from` … `to` - 1 (from week 8 on): their standard deviation and their
 * autocorrelations at lags 1, 2 and 4 (the ceiling ablation prints them).
 */
export function cityErrorSummary(
  task: WeeklyTask,
  from: number,
  to: number,
): { weeks: number; sd: number; autocorrelation: Record<1 | 2 | 4, number> } {
  const errors = cityErrors(task).errors.slice(Math.max(from, FIRST_WEEK), to);
  const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
  const variance = errors.reduce((a, e) => a + (e - mean) ** 2, 0);
  const at = (lag: number) => {
    let c = 0;
    for (let i = lag; i < errors.length; i++)
      c += ((errors[i] ?? NaN) - mean) * ((errors[i - lag] ?? NaN) - mean);
    return c / variance;
  };
  return {
    weeks: errors.length,
    sd: Math.sqrt(variance / errors.length),
    autocorrelation: { 1: at(1), 2: at(2), 4: at(4) },
  };
}

/** The φ of `lags` lags, by least squares through the origin on the weeks before `week`, each in [0, 1]. */
export function cityMomentumWeights(task: WeeklyTask, week: number, lags: number): number[] {
  if (!Number.isInteger(lags) || lags < 1 || lags > 4)
    throw new RangeError(`city momentum lags must be 1 to 4, not ${lags}`);
  const { errors } = cityErrors(task);
  const rows: number[][] = [];
  const targets: number[] = [];
  for (let v = FIRST_WEEK + lags; v < week && v < errors.length; v++) {
    rows.push(Array.from({ length: lags }, (_, k) => errors[v - 1 - k] ?? NaN));
    targets.push(errors[v] ?? NaN);
  }
  if (rows.length < CITY_MOMENTUM_MIN_PAIRS) return new Array<number>(lags).fill(0);
  return solveClamped(rows, targets, lags);
}

/** exp(Σ_k φ_k e_{week-1-k}): the factor on the seasonal baseline of `week`; 1 without enough weeks. */
export function cityMomentum(task: WeeklyTask, week: number, lags: number): number {
  const made = cityErrors(task);
  let logs = made.logs.get(lags);
  if (logs === undefined) {
    logs = [];
    made.logs.set(lags, logs);
  }
  let log = logs[week];
  if (log === undefined) {
    const phi = cityMomentumWeights(task, week, lags);
    log = phi.reduce((sum, p, k) => {
      const e = made.errors[week - 1 - k];
      return sum + (p === 0 || e === undefined || Number.isNaN(e) ? 0 : p * e);
    }, 0);
    logs[week] = log;
  }
  return Math.exp(log);
}

/**
 * Least squares through the origin (normal equations, Gaussian elimination; `lags` ≤ 4), each weight then
 * clamped to [0, PHI_MAX] on its own: with several lags, not the constrained least-squares solution (the
 * others are not refitted when one is clamped). A singular system gives zeros.
 */
function solveClamped(rows: readonly number[][], targets: readonly number[], lags: number): number[] {
  const a = Array.from({ length: lags }, () => new Array<number>(lags + 1).fill(0));
  rows.forEach((x, i) => {
    const y = targets[i] ?? NaN;
    for (let r = 0; r < lags; r++) {
      const ar = a[r] as number[];
      for (let c = 0; c < lags; c++) ar[c] = (ar[c] ?? 0) + (x[r] ?? NaN) * (x[c] ?? NaN);
      ar[lags] = (ar[lags] ?? 0) + (x[r] ?? NaN) * y;
    }
  });
  for (let p = 0; p < lags; p++) {
    const pivot = a[p] as number[];
    const diagonal = pivot[p] ?? 0;
    if (!(Math.abs(diagonal) > 1e-12)) return new Array<number>(lags).fill(0);
    for (let r = 0; r < lags; r++) {
      if (r === p) continue;
      const row = a[r] as number[];
      const f = (row[p] ?? 0) / diagonal;
      for (let c = p; c <= lags; c++) row[c] = (row[c] ?? 0) - f * (pivot[c] ?? 0);
    }
  }
  return a.map((row, r) => {
    const phi = (row[lags] ?? 0) / (row[r] ?? NaN);
    return Number.isFinite(phi) ? Math.min(Math.max(phi, 0), PHI_MAX) : 0;
  });
}

/**
 * The fusion's count baseline with city momentum, the 8-week mean × the city's seasonal factor × the city
 * momentum of `lags` weeks, as a row of its own, so that what the fusion adds to it shows.
 */
export function cityMomentumBaseline(lags = 1): WeeklyModel {
  return {
    name: `mean-8w × seasonal factor × city momentum${lags === 1 ? '' : ` (${lags} lags)`}`,
    kind: 'baseline',
    how: `the 8-week mean × the city's seasonal factor × exp(φ · the city-wide log errors of the last ${lags === 1 ? 'week' : `${lags} weeks`}), φ by least squares on the weeks before; interval and terciles from the ratio calibration`,
    fit: () => Promise.resolve(),
    predict: (task, samples) =>
      Promise.resolve(
        samples.map((s) => ({
          count: seasonalMean(task, s.series, s.week) * cityMomentum(task, s.week, lags),
        })),
      ),
  };
}
