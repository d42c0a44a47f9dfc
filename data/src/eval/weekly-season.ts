import { recentMean, type WeeklyModel } from './weekly-eval.js';
import type { WeeklyTask } from './weekly-task.js';

/**
 * Seasonality from the previous year for T2 (docs/fusion.md): how last year's weeks around the target week
 * compared with last year's weeks matching the origin's 8-week window. Everything read lies more than 44
 * weeks before the target week, so before the origin.
 */

/** Weeks in a year of ISO weeks, near enough: week w - 52 is the same ISO week of the year before. */
export const SEASON_LAG_WEEKS = 52;
/** The window the ratio's denominator matches: the 8 weeks before the origin, a year earlier. */
export const SEASON_WINDOW_WEEKS = 8;

/**
 * ln(last year's mean over weeks w-52-half .. w-52+half / last year's mean over weeks w-60 .. w-53), for one
 * district (`series` an index) or the sum of all districts (`'city'`); null when last year is not in the data.
 */
export function lastYearLogRatio(
  task: WeeklyTask,
  series: number | 'city',
  week: number,
  half: number,
): number | null {
  const from = week - SEASON_LAG_WEEKS - SEASON_WINDOW_WEEKS;
  if (from < 0 || half < 0 || half >= SEASON_LAG_WEEKS - 1) return null;
  const list = series === 'city' ? task.series : [task.series[series]];
  let target = 0;
  let window = 0;
  for (const s of list) {
    if (s === undefined) throw new RangeError(`no series ${String(series)}`);
    for (let w = week - SEASON_LAG_WEEKS - half; w <= week - SEASON_LAG_WEEKS + half; w++)
      target += (s.weekly[w] ?? NaN) / (2 * half + 1);
    for (let w = from; w < week - SEASON_LAG_WEEKS; w++) window += (s.weekly[w] ?? NaN) / SEASON_WINDOW_WEEKS;
  }
  return Math.log((target + 0.5) / (window + 0.5));
}

/**
 * The multiplicative seasonal factor on an 8-week-mean baseline: the city's last-year ratio (target week
 * ± 2 weeks against the origin's window), shrunk by the square root; 1 when last year is not in the data.
 * The choice (city, ± 2 weeks, square root) was made on 2017's training weeks (docs/fusion.md).
 */
export function seasonalFactor(task: WeeklyTask, week: number): number {
  const ratio = lastYearLogRatio(task, 'city', week, 2);
  return ratio === null ? 1 : Math.exp(0.5 * ratio);
}

/** A public holiday's kind: winter ones (Thanksgiving to New Year) and the others. */
export type HolidayKind = 'winter' | 'other';

/** US federal holidays of a year as [month, day, kind] (the Chicago task's calendar). */
export function usFederalHolidays(year: number): [number, number, HolidayKind][] {
  // Day of week of a civil date (0 = Sunday), Sakamoto's method.
  const dow = (y: number, m: number, d: number): number => {
    const t = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    const yy = m < 3 ? y - 1 : y;
    return (yy + Math.floor(yy / 4) - Math.floor(yy / 100) + Math.floor(yy / 400) + (t[m - 1] ?? 0) + d) % 7;
  };
  const nth = (m: number, weekday: number, n: number): number =>
    1 + ((weekday - dow(year, m, 1) + 7) % 7) + 7 * (n - 1);
  const lastMonday = (): number => {
    const d = 31;
    return d - ((dow(year, 5, d) - 1 + 7) % 7);
  };
  return [
    [1, 1, 'winter'],
    [1, nth(1, 1, 3), 'other'],
    [2, nth(2, 1, 3), 'other'],
    [5, lastMonday(), 'other'],
    [7, 4, 'other'],
    [9, nth(9, 1, 1), 'other'],
    [10, nth(10, 1, 2), 'other'],
    [11, 11, 'other'],
    [11, nth(11, 4, 4), 'winter'],
    [12, 24, 'winter'],
    [12, 25, 'winter'],
    [12, 31, 'winter'],
  ];
}

/** Whether week `week` of the task (its 7 local days) holds a winter or another public holiday. */
export function holidayWeek(task: WeeklyTask, week: number): { winter: boolean; other: boolean } {
  const start = task.weekStarts[week];
  if (start === undefined) throw new RangeError(`no week ${week}`);
  const flags = { winter: false, other: false };
  for (let d = 0; d < 7; d++) {
    // Noon of each local day: clear of the daylight-saving changes at 02:00.
    const parts = task.clock.localParts(task.clock.hourOf(start + d * 86_400_000 + 12 * 3_600_000));
    for (const [month, day, kind] of usFederalHolidays(parts.year))
      if (parts.month === month && parts.day === day) flags[kind] = true;
  }
  return flags;
}

/** The 8-week mean × the city's seasonal factor of a district's week (`seasonalMeanBaseline`'s count). */
export function seasonalMean(task: WeeklyTask, series: number, week: number): number {
  return recentMean(task, { series, week, asOf: 0, truth: 0, tercile: 0 }, 8) * seasonalFactor(task, week);
}

/**
 * The 8-week mean × the city's seasonal factor: the fusion's count baseline (its count when the boosted
 * trees keep no round) as a row of its own, so that what the fusion adds to it shows.
 */
export function seasonalMeanBaseline(): WeeklyModel {
  return {
    name: 'mean-8w × seasonal factor',
    kind: 'baseline',
    how: "the 8-week mean × the city's seasonal factor from last year (exp(0.5 × the city's log ratio of last year's target week ± 2 to last year's window; 1 without last year)); interval and terciles from the ratio calibration",
    fit: () => Promise.resolve(),
    predict: (task, samples) =>
      Promise.resolve(samples.map((s) => ({ count: seasonalMean(task, s.series, s.week) }))),
  };
}
