import { utcOffsetMs } from '@district-monitor/streams';
import { FeatureInputError } from './errors.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The SQL `date_bin` origin before the shift; a whole number of hours after the epoch, so buckets agree. */
const ORIGIN_MS = Date.UTC(2000, 0, 1);
/** The span over which a zone's sub-hour offset must not change. */
const CHECK_FROM_YEAR = 2000;
const CHECK_TO_YEAR = 2040;
/** Offsets remembered per hour bucket; a 28-day window needs 672, a live service a few more a day. */
const OFFSET_CACHE_SIZE = 50_000;

/** The local calendar position of an hour bucket's start. */
export interface LocalHourParts {
  readonly year: number;
  /** 1-12. */
  readonly month: number;
  /** 1-31. */
  readonly day: number;
  /** 0-23. */
  readonly hourOfDay: number;
  /** 0 = Sunday ... 6 = Saturday. */
  readonly dayOfWeek: number;
}

/**
 * Hour buckets aligned to a time zone's local hour boundaries. Bucket `h` covers
 * `[h * 1h + shiftMs, (h + 1) * 1h + shiftMs)` in epoch milliseconds, where `shiftMs` is the zone's UTC
 * offset modulo one hour (Asia/Kolkata, +05:30: 30 minutes; America/Chicago: 0). This is the bucket of
 * SQL `date_bin('1 hour', t, TIMESTAMPTZ '2000-01-01 00:00+00' + shift)` (see {@link hourOriginIso}).
 *
 * A zone whose sub-hour offset changes between 2000 and 2040 (Australia/Lord_Howe switches between
 * +10:30 and +11:00) has no such buckets and is refused.
 */
export class HourClock {
  /** The zone's UTC offset modulo one hour, in milliseconds, 0 <= shiftMs < 3,600,000. */
  readonly shiftMs: number;
  readonly timeZone: string;
  private readonly offsets = new Map<number, number>();
  private readonly yearStarts = new Map<number, number>();

  /** @throws FeatureInputError when the zone is unknown or its sub-hour offset varies. */
  constructor(timeZone: string) {
    try {
      utcOffsetMs(ORIGIN_MS, timeZone);
    } catch (error) {
      throw new FeatureInputError(`unknown time zone ${JSON.stringify(timeZone)}`, { cause: error });
    }
    this.timeZone = timeZone;
    this.shiftMs = subHour(this.offsetAt(ORIGIN_MS));
    for (let year = CHECK_FROM_YEAR; year <= CHECK_TO_YEAR; year++) {
      for (let month = 0; month < 12; month++) {
        const offset = this.offsetAt(Date.UTC(year, month, 1));
        if (subHour(offset) !== this.shiftMs) {
          throw new FeatureInputError(
            `time zone ${timeZone} cannot be cut into local hour buckets: its UTC offset is ` +
              `${formatOffset(offset)} on ${year}-${String(month + 1).padStart(2, '0')}-01 but ` +
              `${formatOffset(this.offsetAt(ORIGIN_MS))} on 2000-01-01, so the sub-hour part changes`,
          );
        }
      }
    }
  }

  /** The bucket holding the instant `ms` (epoch milliseconds). */
  hourOf(ms: number): number {
    if (!Number.isFinite(ms)) throw new FeatureInputError(`not a time: ${ms}`);
    return Math.floor((ms - this.shiftMs) / HOUR_MS);
  }

  /** The first millisecond of bucket `hour`. */
  startOf(hour: number): number {
    assertHour(hour);
    return hour * HOUR_MS + this.shiftMs;
  }

  /** Local date, hour of day and weekday of the start of bucket `hour`. */
  localParts(hour: number): LocalHourParts {
    // Wall-clock milliseconds since 1970-01-01T00:00 local, split by integer arithmetic: a 28-day window
    // asks for 672 buckets per district, and building a Date for each costs more than the counting.
    const local = this.startOf(hour) + this.offsetOfHour(hour);
    const days = Math.floor(local / DAY_MS);
    const { year, month, day } = civilFromDays(days);
    return {
      year,
      month,
      day,
      hourOfDay: Math.floor((local - days * DAY_MS) / HOUR_MS),
      // 1970-01-01 was a Thursday.
      dayOfWeek: (((days + 4) % 7) + 7) % 7,
    };
  }

  /** The bucket starting at local midnight of 1 January of `year` (the first bucket of that local year). */
  localYearStartHour(year: number): number {
    if (!Number.isSafeInteger(year) || year < 1000 || year > 9999) {
      throw new FeatureInputError(`not a year: ${year}`);
    }
    const cached = this.yearStarts.get(year);
    if (cached !== undefined) return cached;
    const midnightUtc = Date.UTC(year, 0, 1);
    // A first guess from the offset at UTC midnight, then walk to the first bucket of the local year.
    let hour = this.hourOf(midnightUtc - this.offsetAt(midnightUtc));
    while (this.localParts(hour).year >= year) hour--;
    while (this.localParts(hour).year < year) hour++;
    this.yearStarts.set(year, hour);
    return hour;
  }

  /** UTC offset at the start of bucket `hour`; offsets change only on bucket boundaries, so it holds for the bucket. */
  private offsetOfHour(hour: number): number {
    const cached = this.offsets.get(hour);
    if (cached !== undefined) return cached;
    const offset = this.offsetAt(this.startOf(hour));
    if (this.offsets.size >= OFFSET_CACHE_SIZE) {
      const oldest = this.offsets.keys().next();
      if (oldest.done !== true) this.offsets.delete(oldest.value);
    }
    this.offsets.set(hour, offset);
    return offset;
  }

  /** Local wall-clock time minus UTC at the instant `ms`, in milliseconds (to the second). */
  private offsetAt(ms: number): number {
    const offset = utcOffsetMs(ms, this.timeZone);
    if (!Number.isFinite(offset)) {
      throw new FeatureInputError(`cannot read the local time of ${ms} in ${this.timeZone}`);
    }
    return offset;
  }
}

/**
 * The `date_bin` origin matching `clock`'s buckets: 2000-01-01T00:00Z plus the zone's sub-hour shift,
 * e.g. `2000-01-01T00:30:00.000Z` for Asia/Kolkata. The backend passes it to SQL as a `timestamptz`.
 */
export function hourOriginIso(clock: HourClock): string {
  return new Date(ORIGIN_MS + clock.shiftMs).toISOString();
}

/**
 * The proleptic Gregorian date `days` days after 1970-01-01 (Howard Hinnant's `civil_from_days`,
 * https://howardhinnant.github.io/date_algorithms.html), counting years from 1 March so that leap days
 * fall at the end of the year.
 */
function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  return {
    year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0),
    month,
    day: dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1,
  };
}

function subHour(offsetMs: number): number {
  return ((offsetMs % HOUR_MS) + HOUR_MS) % HOUR_MS;
}

function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  return `${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function assertHour(hour: number): void {
  // Dates stay representable: about 100 million days either side of 1970.
  if (!Number.isSafeInteger(hour) || Math.abs(hour) > (1e8 * DAY_MS) / HOUR_MS) {
    throw new FeatureInputError(`not an hour bucket: ${hour}`);
  }
}
