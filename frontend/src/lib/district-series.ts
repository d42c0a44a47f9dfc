/**
 * The district view's observed + forecast series: local days of the region's zone, aligned on one
 * axis. Pure functions (no Vue), so they are specced in node.
 */

import { utcOffsetMs } from '@district-monitor/streams/time-zone';

/** A local calendar day, `YYYY-MM-DD`. */
export type LocalDay = string;

const DAY_MS = 86_400_000;
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The local day of `epochMs` in `timeZone` (`en-CA` formats dates as `YYYY-MM-DD`). */
export function localDay(epochMs: number, timeZone: string): LocalDay {
  let format = dayFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormats.set(timeZone, format);
  }
  return format.format(epochMs);
}

/**
 * The local day a `DistrictScore.forecast` entry covers. The models send the instant of the local
 * midnight (`2026-11-23T18:30:00.000Z` is 24 Nov in IST); a plain `YYYY-MM-DD` is taken as it is.
 */
export function forecastLocalDay(day: string, timeZone: string): LocalDay {
  return DAY_PATTERN.test(day) ? day : localDay(Date.parse(day), timeZone);
}

/** Midnight UTC of `day` (epoch ms): a zone-free number per local day, for sorting and chart axes. */
export function dayToUtcMs(day: LocalDay): number {
  const match = DAY_PATTERN.exec(day);
  if (match === null) return Number.NaN;
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

/** `day` moved by `days` calendar days. */
export function addDays(day: LocalDay, days: number): LocalDay {
  return new Date(dayToUtcMs(day) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Every day from `from` to `to`, both included; empty when `to` is before `from`. */
export function daySpan(from: LocalDay, to: LocalDay): LocalDay[] {
  const days: LocalDay[] = [];
  const end = dayToUtcMs(to);
  for (let at = dayToUtcMs(from); at <= end; at += DAY_MS) days.push(new Date(at).toISOString().slice(0, 10));
  return days;
}

/** The instant local `day` starts in `timeZone` (epoch ms). */
export function startOfLocalDay(day: LocalDay, timeZone: string): number {
  const utcMidnight = dayToUtcMs(day);
  // The offset at the guess, corrected once more in case midnight falls on the other side of a change.
  const first = utcMidnight - utcOffsetMs(utcMidnight, timeZone);
  return utcMidnight - utcOffsetMs(first, timeZone);
}

/** The observed span to ask `GET /api/stats/daily` for: the last `days` local days, today included. */
export interface ObservedRange {
  readonly fromDay: LocalDay;
  readonly toDay: LocalDay;
  /** ISO instants: local midnight of `fromDay`, and `now`. */
  readonly from: string;
  readonly to: string;
}

export function observedRange(nowMs: number, timeZone: string, days = 28): ObservedRange {
  const toDay = localDay(nowMs, timeZone);
  const fromDay = addDays(toDay, -(days - 1));
  const start = startOfLocalDay(fromDay, timeZone);
  return {
    fromDay,
    toDay,
    from: new Date(start).toISOString(),
    // The query needs from < to, even in the first millisecond of the window.
    to: new Date(Math.max(nowMs, start + 1)).toISOString(),
  };
}

export interface ObservedDay {
  readonly day: LocalDay;
  readonly total: number;
}

export interface ForecastDay {
  readonly day: LocalDay;
  readonly point: number;
  readonly lower: number;
  readonly upper: number;
}

/** One day of the aligned series; `null` where the day has no observed value or no forecast. */
export interface SeriesDay {
  readonly day: LocalDay;
  readonly observed: number | null;
  readonly point: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
}

export interface DistrictSeries {
  /** Every day from the first observed day to the last forecast day, oldest first. */
  readonly days: readonly SeriesDay[];
  /** The observed part (missing days filled with 0). */
  readonly observed: readonly ObservedDay[];
  /** The forecast part, from its first day on, ordered and one entry per day. */
  readonly forecast: readonly ForecastDay[];
  /** The last observed (local) day: today, still filling. */
  readonly today: LocalDay;
}

/**
 * Aligns the stored daily totals of `fromDay`..`toDay` (days without events are absent from the
 * answer: they count 0) with the score's forecast, which starts at the score's local day and may
 * overlap today. Observed days outside the range are dropped; forecast days with a non-finite value
 * are dropped; a later duplicate day replaces an earlier one.
 */
export function buildDistrictSeries(input: {
  readonly fromDay: LocalDay;
  readonly toDay: LocalDay;
  readonly observed: readonly ObservedDay[];
  readonly forecast: readonly ForecastDay[];
}): DistrictSeries {
  const totals = new Map<LocalDay, number>();
  for (const { day, total } of input.observed) if (Number.isFinite(total)) totals.set(day, total);
  const observed = daySpan(input.fromDay, input.toDay).map((day) => ({ day, total: totals.get(day) ?? 0 }));

  const byDay = new Map<LocalDay, ForecastDay>();
  for (const entry of input.forecast) {
    const finite = [entry.point, entry.lower, entry.upper].every(Number.isFinite);
    if (finite && DAY_PATTERN.test(entry.day)) byDay.set(entry.day, entry);
  }
  const forecast = [...byDay.values()].sort((a, b) => dayToUtcMs(a.day) - dayToUtcMs(b.day));

  const first = observed[0]?.day ?? forecast[0]?.day;
  const lastObserved = observed.at(-1)?.day;
  const lastForecast = forecast.at(-1)?.day;
  const last =
    lastForecast !== undefined && (lastObserved === undefined || lastForecast > lastObserved)
      ? lastForecast
      : lastObserved;
  const observedByDay = new Map(observed.map(({ day, total }) => [day, total]));
  const days =
    first === undefined || last === undefined
      ? []
      : daySpan(first, last).map((day) => {
          const f = byDay.get(day);
          return {
            day,
            observed: observedByDay.get(day) ?? null,
            point: f?.point ?? null,
            lower: f?.lower ?? null,
            upper: f?.upper ?? null,
          };
        });
  return { days, observed, forecast, today: input.toDay };
}

const dayLabels = new Map<string, Intl.DateTimeFormat>();

/** "Tue 12 Mar" for a local day (formatted in UTC: the day is already local). */
export function formatDay(day: LocalDay, weekday = true): string {
  const key = String(weekday);
  let format = dayLabels.get(key);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-IN', {
      timeZone: 'UTC',
      day: 'numeric',
      month: 'short',
      ...(weekday ? { weekday: 'short' } : {}),
    });
    dayLabels.set(key, format);
  }
  const at = dayToUtcMs(day);
  return Number.isFinite(at) ? format.format(at) : day;
}
