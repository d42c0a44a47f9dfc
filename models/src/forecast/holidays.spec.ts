import { describe, expect, it } from 'vitest';
import { ModelInputError } from '../errors.js';
import {
  easterSunday,
  holidayOccurrences,
  localMidnight,
  parseDate,
  TAMIL_NADU_HOLIDAYS,
} from './holidays.js';

describe('Tamil Nadu holidays', () => {
  it('lists the fixed dates for every year 2016-2027', () => {
    const republic = TAMIL_NADU_HOLIDAYS.find((h) => h.name === 'republic_day');
    expect(republic?.dates).toHaveLength(12);
    expect(republic?.dates[0]).toBe('2016-01-26');
    expect(TAMIL_NADU_HOLIDAYS.find((h) => h.name === 'tamil_new_year_ambedkar_jayanthi')?.dates).toContain(
      '2027-04-14',
    );
    expect(TAMIL_NADU_HOLIDAYS.find((h) => h.name === 'pongal')?.dates).toContain('2025-01-14');
    expect(TAMIL_NADU_HOLIDAYS.find((h) => h.name === 'thiruvalluvar_day')?.dates).toContain('2020-01-16');
    for (const holiday of TAMIL_NADU_HOLIDAYS)
      for (const date of holiday.dates) expect(() => parseDate(date)).not.toThrow();
  });

  it('puts Good Friday two days before the Gregorian Easter', () => {
    expect(easterSunday(2024)).toBe('2024-03-31');
    expect(easterSunday(2025)).toBe('2025-04-20');
    expect(easterSunday(2019)).toBe('2019-04-21');
    const goodFriday = TAMIL_NADU_HOLIDAYS.find((h) => h.name === 'good_friday')?.dates;
    expect(goodFriday).toContain('2024-03-29');
    expect(goodFriday).toContain('2025-04-18');
  });

  it('turns local dates into whole local days in epoch seconds', () => {
    // Midnight IST (+05:30) is 18:30 UTC the day before.
    expect(localMidnight('2024-01-26', 'Asia/Kolkata')).toBe(Date.UTC(2024, 0, 25, 18, 30));
    const occurrences = holidayOccurrences([{ name: 'republic_day', dates: ['2024-01-26'] }], 'Asia/Kolkata');
    expect(occurrences.get('republic_day')?.occurrences).toEqual([
      { start: Date.UTC(2024, 0, 25, 18, 30) / 1000, end: Date.UTC(2024, 0, 26, 18, 30) / 1000 },
    ]);
    // A day across a DST change lasts 23 hours.
    const chicago = holidayOccurrences([{ name: 'x', dates: ['2024-03-10'] }], 'America/Chicago').get('x')
      ?.occurrences[0];
    expect(chicago !== undefined && chicago.end - chicago.start).toBe(23 * 3600);
  });

  it('rejects malformed dates and duplicate names', () => {
    expect(() => parseDate('2024-02-30')).toThrow(ModelInputError);
    expect(() => parseDate('26/01/2024')).toThrow(ModelInputError);
    expect(() =>
      holidayOccurrences(
        [
          { name: 'a', dates: [] },
          { name: 'a', dates: [] },
        ],
        'UTC',
      ),
    ).toThrow(ModelInputError);
  });
});
