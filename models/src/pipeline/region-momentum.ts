/**
 * Region momentum, the live form of T2's city momentum (docs/fusion.md, "City momentum"). The 4-week-mean
 * baseline's error over the whole region persists from one week to the next, so each district's baseline is
 * multiplied by exp(weight × the region's error of the week just ended). The weight comes from training: least
 * squares through the origin of the region's error in the week after each origin on its error in the week
 * before, clamped to [0, 1].
 */
import type { HourlyCounts } from '../features/counts.js';
import type { HourClock } from '../features/hour-clock.js';
import { incidentsBetween } from './calendar.js';

/** The region's incidents in a week, and the sum of its districts' baselines for that week. */
export interface RegionWeek {
  readonly incidents: number;
  readonly baseline: number;
}

/** Fewer pairs of weeks than this give no momentum (weight 0). */
export const MOMENTUM_MIN_PAIRS = 8;

/** The smallest baseline a district has (`recentWeeklyMean`'s floor). */
const BASELINE_FLOOR = 0.25;
const WEEK_HOURS = 7 * 24;

/** ln((incidents + 0.5) / (baseline + 0.5)): the region's log error of its baseline in that week. */
export function regionError(week: RegionWeek): number {
  if (!(week.incidents >= 0) || !(week.baseline >= 0))
    throw new RangeError(
      `a region week needs incidents and a baseline >= 0, not ${week.incidents} and ${week.baseline}`,
    );
  return Math.log((week.incidents + 0.5) / (week.baseline + 0.5));
}

/**
 * The weight of the week before on the week after: Σ before × after / Σ before², clamped to [0, 1]; 0 with
 * fewer than {@link MOMENTUM_MIN_PAIRS} pairs or no spread.
 */
export function momentumWeight(
  pairs: readonly { readonly before: number; readonly after: number }[],
): number {
  if (pairs.length < MOMENTUM_MIN_PAIRS) return 0;
  let xy = 0;
  let xx = 0;
  for (const { before, after } of pairs) {
    if (!Number.isFinite(before) || !Number.isFinite(after))
      throw new RangeError(`momentum pairs must be finite, not (${before}, ${after})`);
    xy += before * after;
    xx += before * before;
  }
  return xx > 1e-12 ? Math.min(Math.max(xy / xx, 0), 1) : 0;
}

/** exp(weight × the region's error of the week just ended); 1 without that week. */
export function momentumFactor(weight: number, week: RegionWeek | undefined): number {
  return week === undefined || weight === 0 ? 1 : Math.exp(weight * regionError(week));
}

/**
 * The week that ends with the hour of `asOf` (the window of the features at `asOf`) over a region's districts:
 * their incidents in its 168 hours, and the sum of their baselines for it (each the mean weekly count of the
 * 28 days before it, floored as `recentWeeklyMean` floors it). In training, the week before an origin.
 */
export function regionWeek(districts: readonly HourlyCounts[], clock: HourClock, asOf: number): RegionWeek {
  const end = clock.hourOf(asOf) + 1;
  let incidents = 0;
  let baseline = 0;
  for (const counts of districts) {
    incidents += incidentsBetween(counts, end - WEEK_HOURS, end);
    baseline += Math.max(
      BASELINE_FLOOR,
      incidentsBetween(counts, end - 5 * WEEK_HOURS, end - WEEK_HOURS) / 4,
    );
  }
  return { incidents, baseline };
}
