import { describe, expect, it } from 'vitest';
import { FeatureInputError } from './errors.js';
import { HourClock, hourOriginIso } from './hour-clock.js';

const HOUR_MS = 3_600_000;
const ist = new HourClock('Asia/Kolkata');
const chicago = new HourClock('America/Chicago');

/** The buckets whose local start falls on the local date `year-month-day`, in order. */
function bucketsOfLocalDay(clock: HourClock, year: number, month: number, day: number): number[] {
  const near = clock.hourOf(Date.UTC(year, month - 1, day, 12));
  const buckets: number[] = [];
  for (let hour = near - 36; hour <= near + 36; hour++) {
    const parts = clock.localParts(hour);
    if (parts.year === year && parts.month === month && parts.day === day) buckets.push(hour);
  }
  return buckets;
}

describe('HourClock', () => {
  it('shifts Indian buckets by 30 minutes and Chicago buckets by none', () => {
    expect(ist.shiftMs).toBe(30 * 60_000);
    expect(ist.timeZone).toBe('Asia/Kolkata');
    expect(chicago.shiftMs).toBe(0);
    expect(new HourClock('Asia/Kathmandu').shiftMs).toBe(45 * 60_000);
    expect(new HourClock('America/St_Johns').shiftMs).toBe(30 * 60_000);
  });

  it('cuts the same buckets as SQL date_bin from 2000-01-01 plus the shift', () => {
    expect(hourOriginIso(ist)).toBe('2000-01-01T00:30:00.000Z');
    expect(hourOriginIso(chicago)).toBe('2000-01-01T00:00:00.000Z');
    // Bucket numbers count hours from the epoch plus the shift; 2000-01-01 is hour 262,968 after it.
    expect(ist.hourOf(Date.parse('1970-01-01T00:30:00Z'))).toBe(0);
    expect(ist.hourOf(Date.parse('1970-01-01T00:29:59.999Z'))).toBe(-1);
    expect(ist.hourOf(Date.parse('2000-01-01T00:30:00Z'))).toBe(262_968);
    expect(ist.hourOf(Date.parse('2000-01-02T00:29:59.999Z'))).toBe(262_968 + 23);
    for (const clock of [ist, chicago]) {
      const origin = Date.parse(hourOriginIso(clock));
      for (const iso of ['1999-06-30T23:59:59Z', '2025-03-15T10:45:00Z', '2031-12-31T18:29:59.999Z']) {
        const ms = Date.parse(iso);
        const dateBin = origin + Math.floor((ms - origin) / HOUR_MS) * HOUR_MS;
        expect(clock.startOf(clock.hourOf(ms)), `${clock.timeZone} ${iso}`).toBe(dateBin);
      }
    }
  });

  it('round-trips hourOf and startOf', () => {
    for (const hour of [-100_000, -1, 0, 1, 221_530, 400_000]) {
      expect(ist.hourOf(ist.startOf(hour))).toBe(hour);
      expect(ist.hourOf(ist.startOf(hour + 1) - 1)).toBe(hour);
    }
  });

  it('reads the local date, hour and weekday of a bucket in India', () => {
    // 2025-03-15T10:45Z is 16:15 IST on Saturday 15 March 2025; its bucket starts at 16:00 IST.
    const hour = ist.hourOf(Date.parse('2025-03-15T10:45:00Z'));
    expect(new Date(ist.startOf(hour)).toISOString()).toBe('2025-03-15T10:30:00.000Z');
    expect(ist.localParts(hour)).toEqual({ year: 2025, month: 3, day: 15, hourOfDay: 16, dayOfWeek: 6 });
    expect(ist.localParts(hour + 8)).toEqual({ year: 2025, month: 3, day: 16, hourOfDay: 0, dayOfWeek: 0 });
  });

  it('agrees with the platform calendar on every bucket start it is asked about', () => {
    for (const clock of [ist, chicago, new HourClock('America/St_Johns')]) {
      const calendar = new Intl.DateTimeFormat('en-US', {
        timeZone: clock.timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        weekday: 'short',
      });
      const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
      // Every 997 hours from 1960 to 2060: all hours of day, weekdays, leap days and both DST seasons.
      for (
        let hour = clock.hourOf(Date.UTC(1960, 0, 1));
        hour < clock.hourOf(Date.UTC(2060, 0, 1));
        hour += 997
      ) {
        const parts = Object.fromEntries(
          calendar.formatToParts(clock.startOf(hour)).map((part) => [part.type, part.value]),
        );
        expect(clock.localParts(hour), `${clock.timeZone} hour ${hour}`).toEqual({
          year: Number(parts.year),
          month: Number(parts.month),
          day: Number(parts.day),
          hourOfDay: Number(parts.hour) % 24,
          dayOfWeek: weekdays.indexOf(parts.weekday ?? ''),
        });
      }
    }
  });

  it('follows Chicago across the spring-forward day (23 local hours, no 02:00)', () => {
    const buckets = bucketsOfLocalDay(chicago, 2025, 3, 9);
    expect(buckets).toHaveLength(23);
    expect(buckets.map((hour) => chicago.localParts(hour).hourOfDay)).toEqual([
      0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
    ]);
    // 01:00 CST is 07:00Z, 03:00 CDT is 08:00Z: consecutive buckets.
    const one = chicago.hourOf(Date.parse('2025-03-09T07:00:00Z'));
    expect(chicago.localParts(one).hourOfDay).toBe(1);
    expect(chicago.localParts(one + 1).hourOfDay).toBe(3);
    expect(chicago.localParts(one).dayOfWeek).toBe(0);
  });

  it('follows Chicago across the fall-back day (25 local hours, 01:00 twice)', () => {
    const buckets = bucketsOfLocalDay(chicago, 2025, 11, 2);
    expect(buckets).toHaveLength(25);
    expect(buckets.map((hour) => chicago.localParts(hour).hourOfDay).slice(0, 4)).toEqual([0, 1, 1, 2]);
    // 01:00 CDT is 06:00Z and 01:00 CST is 07:00Z.
    expect(chicago.localParts(chicago.hourOf(Date.parse('2025-11-02T06:00:00Z'))).hourOfDay).toBe(1);
    expect(chicago.localParts(chicago.hourOf(Date.parse('2025-11-02T07:00:00Z'))).hourOfDay).toBe(1);
    expect(chicago.localParts(chicago.hourOf(Date.parse('2025-11-02T08:00:00Z'))).hourOfDay).toBe(2);
  });

  it('finds the bucket of local midnight on 1 January', () => {
    expect(ist.localYearStartHour(2025)).toBe(ist.hourOf(Date.parse('2024-12-31T18:30:00Z')));
    expect(chicago.localYearStartHour(2025)).toBe(chicago.hourOf(Date.parse('2025-01-01T06:00:00Z')));
    for (const clock of [ist, chicago]) {
      for (const year of [2000, 2024, 2025, 2040]) {
        const start = clock.localYearStartHour(year);
        expect(clock.localParts(start)).toMatchObject({ year, month: 1, day: 1, hourOfDay: 0 });
        expect(clock.localParts(start - 1)).toMatchObject({
          year: year - 1,
          month: 12,
          day: 31,
          hourOfDay: 23,
        });
      }
    }
    expect(() => ist.localYearStartHour(2025.5)).toThrow(FeatureInputError);
  });

  it('refuses a zone whose sub-hour offset changes, naming it', () => {
    expect(() => new HourClock('Australia/Lord_Howe')).toThrow(FeatureInputError);
    expect(() => new HourClock('Australia/Lord_Howe')).toThrow(/Australia\/Lord_Howe/);
  });

  it('refuses an unknown zone', () => {
    expect(() => new HourClock('Mars/Olympus_Mons')).toThrow(FeatureInputError);
    expect(() => new HourClock('Mars/Olympus_Mons')).toThrow(/Mars\/Olympus_Mons/);
  });

  it('refuses times that are not finite', () => {
    expect(() => ist.hourOf(Number.NaN)).toThrow(FeatureInputError);
    expect(() => ist.startOf(1.5)).toThrow(FeatureInputError);
  });
});
