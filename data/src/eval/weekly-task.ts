import { INCIDENT_CATEGORIES, type Category, type RegionUnit } from '@district-monitor/streams';
import { CUBE_HOURS, HourClock, HourlyCube } from '@district-monitor/models';
import type { IncidentRow } from '../incidents.js';
import type { RegionRegistry } from '../registry.js';
import { naiveScale, terciles, type Terciles } from '../tier/metrics.js';

/** How the weekly task (T2) is cut, with the defaults of ../shared/BRIEF.md. */
export interface WeeklyTaskOptions {
  /** Complete weeks at the end of the data that are predicted and scored (default 13). */
  readonly testWeeks?: number;
  /** A district is evaluated when its mean weekly count over the training weeks is at least this (default 5). */
  readonly minWeeklyMean?: number;
}

/** One evaluated district: its weekly counts and what is derived from its training weeks only. */
export interface WeeklySeries {
  readonly unit: RegionUnit;
  /** Incidents (every category but road accidents) per week, index = week. */
  readonly weekly: readonly number[];
  /** Incidents per local day, index = day (see `WeeklyTask.dayStarts`), for the forecasters. */
  readonly daily: readonly number[];
  /** Tercile bounds of the training weeks' counts. */
  readonly terciles: Terciles;
  /** MASE scale: mean absolute week-to-week change over the training weeks. */
  readonly scale: number;
  /** All events of the district by local hour, for the crime-statistics features. */
  readonly cube: HourlyCube;
}

/**
 * T2 of ../shared/BRIEF.md on an incident stream: weeks are local Monday 00:00 to Sunday 24:00 (ISO weeks),
 * only weeks the data covers completely count; the last `testWeeks` are predicted one week ahead each,
 * everything before them is training. A prediction for week w may read only events before its start.
 */
export interface WeeklyTask {
  readonly clock: HourClock;
  /** Epoch ms of each complete week's start (local Monday midnight), ascending, plus the end of the last one. */
  readonly weekStarts: readonly number[];
  /** Epoch ms of each local day's start from the first complete week, plus the end of the last day. */
  readonly dayStarts: readonly number[];
  /** Index of the first test week. */
  readonly testStart: number;
  readonly series: readonly WeeklySeries[];
  /** Districts left out, with the reason. */
  readonly excluded: readonly { readonly code: string; readonly reason: string }[];
}

const INCIDENTS = new Set<Category>(INCIDENT_CATEGORIES);

/** Builds T2 from incident rows (any order; an ID seen twice counts once). */
export function buildWeeklyTask(
  rows: Iterable<IncidentRow>,
  registry: RegionRegistry,
  options: WeeklyTaskOptions = {},
): WeeklyTask {
  const testWeeks = options.testWeeks ?? 13;
  const minWeeklyMean = options.minWeeklyMean ?? 5;
  const clock = new HourClock(registry.region.timeZone);
  const seen = new Set<string>();
  const hoursByDistrict = new Map<string, { hour: number; category: Category }[]>();
  let firstHour = Infinity;
  let lastHour = -Infinity;
  for (const row of rows) {
    if (seen.has(row.id)) continue;
    seen.add(row.id);
    const hour = clock.hourOf(Date.parse(row.timestamp));
    firstHour = Math.min(firstHour, hour);
    lastHour = Math.max(lastHour, hour);
    const list = hoursByDistrict.get(row.district) ?? [];
    list.push({ hour, category: row.category });
    hoursByDistrict.set(row.district, list);
  }
  if (!Number.isFinite(firstHour)) throw new RangeError('the incident data holds no rows');

  // Day and week boundaries: local midnights from the first Monday after (or at) the first event's day.
  const dayStartHours: number[] = [];
  for (let hour = firstHour; hour <= lastHour + 1; hour++) {
    const parts = clock.localParts(hour);
    if (parts.hourOfDay !== 0) continue;
    if (dayStartHours.length === 0 && parts.dayOfWeek !== 1) continue;
    dayStartHours.push(hour);
  }
  // Whole weeks only: drop days after the last complete week (the last entry is an end boundary).
  const wholeDays = Math.floor((dayStartHours.length - 1) / 7) * 7;
  dayStartHours.length = wholeDays + 1;
  const weekCount = wholeDays / 7;
  if (weekCount < testWeeks + 9)
    throw new RangeError(
      `the data covers ${weekCount} complete weeks; T2 needs at least ${testWeeks + 9} (8 of history, training, ${testWeeks} of test)`,
    );
  const dayStarts = dayStartHours.map((hour) => clock.startOf(hour));
  const weekStarts = dayStarts.filter((_, i) => i % 7 === 0);
  const testStart = weekCount - testWeeks;
  const firstDayHour = dayStartHours[0] ?? 0;
  const endHour = dayStartHours[wholeDays] ?? 0;
  const dayIndexOfHour = new Int32Array(endHour - firstDayHour);
  for (let d = 0; d < wholeDays; d++)
    dayIndexOfHour.fill(
      d,
      (dayStartHours[d] ?? 0) - firstDayHour,
      (dayStartHours[d + 1] ?? 0) - firstDayHour,
    );

  // The features read back to local 1 January of the year before; hours before the data count as empty.
  const historyStart = clock.localYearStartHour(clock.localParts(firstHour).year - 1);
  const series: WeeklySeries[] = [];
  const excluded: { code: string; reason: string }[] = [];
  for (const unit of registry.region.units) {
    if (unit.kind !== 'district') continue;
    const events = hoursByDistrict.get(unit.code) ?? [];
    const daily = new Array<number>(wholeDays).fill(0);
    const cube = new HourlyCube({ endHour, capacityHours: Math.max(CUBE_HOURS, endHour - historyStart) });
    for (const { hour, category } of events) {
      cube.add(category, hour, 1, 0, 0);
      if (hour < firstDayHour || hour >= endHour || !INCIDENTS.has(category)) continue;
      const day = dayIndexOfHour[hour - firstDayHour] ?? 0;
      daily[day] = (daily[day] ?? 0) + 1;
    }
    const weekly = Array.from({ length: weekCount }, (_, w) =>
      daily.slice(w * 7, w * 7 + 7).reduce((a, b) => a + b, 0),
    );
    const training = weekly.slice(0, testStart);
    const mean = training.reduce((a, b) => a + b, 0) / training.length;
    if (mean < minWeeklyMean) {
      excluded.push({
        code: unit.code,
        reason: `mean ${mean.toFixed(1)} incidents a training week (< ${minWeeklyMean})`,
      });
      continue;
    }
    series.push({ unit, weekly, daily, terciles: terciles(training), scale: naiveScale(training), cube });
  }
  return { clock, weekStarts, dayStarts, testStart, series, excluded };
}
