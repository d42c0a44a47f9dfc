import { INCIDENT_CATEGORIES } from '@district-monitor/streams';
import type { HourlyCounts } from '../features/counts.js';
import type { HourClock } from '../features/hour-clock.js';

/**
 * The hour buckets starting at a local midnight in [fromMs, toMs), ascending: local day boundaries,
 * DST-safe (a day is 23, 24 or 25 buckets).
 */
export function localMidnightHours(clock: HourClock, fromMs: number, toMs: number): number[] {
  const hours: number[] = [];
  for (let hour = clock.hourOf(fromMs); clock.startOf(hour) < toMs; hour++) {
    if (clock.startOf(hour) >= fromMs && clock.localParts(hour).hourOfDay === 0) hours.push(hour);
  }
  return hours;
}

/** Incident events (every category but road accidents) in buckets [fromHour, toHour). */
export function incidentsBetween(counts: HourlyCounts, fromHour: number, toHour: number): number {
  let sum = 0;
  for (const category of INCIDENT_CATEGORIES) sum += counts.sum(category, 'events', fromHour, toHour);
  return sum;
}

/** Incidents per local day, for consecutive day boundaries `midnights` (n boundaries give n - 1 days). */
export function dailyIncidents(counts: HourlyCounts, midnights: readonly number[]): number[] {
  const days: number[] = [];
  for (let i = 0; i + 1 < midnights.length; i++)
    days.push(incidentsBetween(counts, midnights[i] ?? 0, midnights[i + 1] ?? 0));
  return days;
}
