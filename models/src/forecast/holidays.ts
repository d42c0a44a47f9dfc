import { utcOffsetMs } from '@district-monitor/streams';
import { ModelInputError } from '../errors.js';

/** One holiday and the local calendar dates (`YYYY-MM-DD`) it falls on; each date is one whole local day. */
export interface HolidayTable {
  readonly name: string;
  readonly dates: readonly string[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** First and last years the Tamil Nadu table covers. */
export const TAMIL_NADU_HOLIDAY_YEARS = { from: 2016, to: 2027 } as const;

/**
 * Tamil Nadu public holidays, 2016-2027: only the dates known for certain.
 *
 * Source: the Tamil Nadu government's yearly public-holiday notifications (Public (Misc.) Department
 * G.O.s under the Negotiable Instruments Act, 1881), which every year list the fixed dates below. Good
 * Friday is computed: the Friday before Western Easter (Gregorian computus). Pongal (Thai 1) moves between
 * 14 and 15 January with the solar calendar; its dates for 2016-2025 are those of the notified lists (2020:
 * 15 January, 2023: 15 January, a Sunday, and 2025: 14 January were cross-checked here against press reports
 * of the G.O.s). Thiruvalluvar Day and Uzhavar Thirunal are the two days after Pongal.
 *
 * Left out, because their dates follow lunar calendars and were not verified here: Thai Poosam, Telugu New
 * Year, Mahaveer Jayanthi, Ramzan, Bakrid, Muharram, Krishna Jayanthi, Vinayakar Chathurthi, Ayutha Pooja,
 * Vijaya Dasami, Milad-un-Nabi, Deepavali; and Pongal for 2026-2027.
 */
export const TAMIL_NADU_HOLIDAYS: readonly HolidayTable[] = Object.freeze(buildTamilNaduHolidays());

function buildTamilNaduHolidays(): HolidayTable[] {
  const { from, to } = TAMIL_NADU_HOLIDAY_YEARS;
  const years = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const fixed = (name: string, monthDay: string): HolidayTable => ({
    name,
    dates: years.map((y) => `${y}-${monthDay}`),
  });
  // Thai 1 as notified by the state for each year.
  const pongal = [
    '2016-01-15',
    '2017-01-14',
    '2018-01-14',
    '2019-01-15',
    '2020-01-15',
    '2021-01-14',
    '2022-01-14',
    '2023-01-15',
    '2024-01-15',
    '2025-01-14',
  ];
  return [
    fixed('new_year', '01-01'),
    { name: 'pongal', dates: pongal },
    { name: 'thiruvalluvar_day', dates: pongal.map((d) => addDays(d, 1)) },
    { name: 'uzhavar_thirunal', dates: pongal.map((d) => addDays(d, 2)) },
    fixed('republic_day', '01-26'),
    { name: 'good_friday', dates: years.map((y) => addDays(easterSunday(y), -2)) },
    // 14 April is both Tamil New Year's Day (Chithirai 1) and Dr. B. R. Ambedkar's birthday: one day off.
    fixed('tamil_new_year_ambedkar_jayanthi', '04-14'),
    fixed('may_day', '05-01'),
    fixed('independence_day', '08-15'),
    fixed('gandhi_jayanthi', '10-02'),
    fixed('christmas', '12-25'),
  ];
}

/** Western Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return formatDate(Date.UTC(year, month - 1, day));
}

/** Milliseconds of midnight UTC of a `YYYY-MM-DD` date. @throws ModelInputError when it is not a real date. */
export function parseDate(date: string): number {
  const match = DATE.exec(date);
  if (match === null) throw new ModelInputError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  const [, y, m, d] = match as unknown as [string, string, string, string];
  const ms = Date.UTC(Number(y), Number(m) - 1, Number(d));
  if (formatDate(ms) !== date) throw new ModelInputError(`not a calendar date: ${date}`);
  return ms;
}

function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function addDays(date: string, days: number): string {
  return formatDate(parseDate(date) + days * 86_400_000);
}

/** The instant local midnight starts `date` in `timeZone` (epoch milliseconds). */
export function localMidnight(date: string, timeZone: string): number {
  const utcMidnight = parseDate(date);
  // The offset at the guess, then at the corrected instant (they differ only across a DST change).
  const first = utcMidnight - utcOffsetMs(utcMidnight, timeZone);
  const offset = utcOffsetMs(first, timeZone);
  return utcMidnight - offset;
}

/**
 * The occurrences of each holiday as `[start, end)` instants in epoch seconds (augurs' form): local midnight
 * of the date to local midnight of the next day.
 */
export function holidayOccurrences(
  holidays: readonly HolidayTable[],
  timeZone: string,
): Map<string, { occurrences: { start: number; end: number }[] }> {
  const out = new Map<string, { occurrences: { start: number; end: number }[] }>();
  const names = new Set<string>();
  for (const holiday of holidays) {
    if (typeof holiday.name !== 'string' || holiday.name === '') {
      throw new ModelInputError('a holiday needs a non-empty name');
    }
    if (names.has(holiday.name)) throw new ModelInputError(`holiday ${holiday.name} is listed twice`);
    names.add(holiday.name);
    if (holiday.dates.length === 0) continue;
    out.set(holiday.name, {
      occurrences: holiday.dates.map((date) => ({
        start: localMidnight(date, timeZone) / 1000,
        end: localMidnight(addDays(date, 1), timeZone) / 1000,
      })),
    });
  }
  return out;
}
