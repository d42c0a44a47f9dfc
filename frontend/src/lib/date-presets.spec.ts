import { describe, expect, it } from 'vitest';
import { matchPreset, presetWindow, PRESET_KEYS } from './date-presets';

const IST = 'Asia/Kolkata';
/** 2024-03-15 10:07:45 IST, a Friday. */
const NOW = Date.parse('2024-03-15T04:37:45.500Z');

describe('date presets on the region wall clock', () => {
  it('yesterday runs from midnight to midnight IST', () => {
    expect(presetWindow('yesterday', NOW, IST)).toEqual({
      from: '2024-03-13T18:30:00.000Z',
      to: '2024-03-14T18:30:00.000Z',
    });
  });

  it('last 7 and 28 days end at the current minute', () => {
    expect(presetWindow('last7', NOW, IST)).toEqual({
      from: '2024-03-08T04:37:00.000Z',
      to: '2024-03-15T04:37:00.000Z',
    });
    expect(presetWindow('last28', NOW, IST)).toEqual({
      from: '2024-02-16T04:37:00.000Z',
      to: '2024-03-15T04:37:00.000Z',
    });
  });

  it('this month starts on the 1st at midnight IST; last month is the whole month before, 29 days in a leap February', () => {
    expect(presetWindow('thisMonth', NOW, IST)).toEqual({
      from: '2024-02-29T18:30:00.000Z',
      to: '2024-03-15T04:37:00.000Z',
    });
    const last = presetWindow('lastMonth', NOW, IST);
    expect(last).toEqual({ from: '2024-01-31T18:30:00.000Z', to: '2024-02-29T18:30:00.000Z' });
    expect((Date.parse(last.to) - Date.parse(last.from)) / 86_400_000).toBe(29);
  });

  it('year to date starts on 1 January at midnight IST', () => {
    expect(presetWindow('yearToDate', NOW, IST)).toEqual({
      from: '2023-12-31T18:30:00.000Z',
      to: '2024-03-15T04:37:00.000Z',
    });
  });

  it('uses the region date, not the UTC one: 02:00 IST on 1 January is still 31 December in UTC', () => {
    const earlyNewYear = Date.parse('2024-12-31T20:30:00Z'); // 02:00 IST, 1 January 2025
    expect(presetWindow('yesterday', earlyNewYear, IST)).toEqual({
      from: '2024-12-30T18:30:00.000Z',
      to: '2024-12-31T18:30:00.000Z',
    });
    expect(presetWindow('lastMonth', earlyNewYear, IST)).toEqual({
      from: '2024-11-30T18:30:00.000Z',
      to: '2024-12-31T18:30:00.000Z',
    });
    expect(presetWindow('yearToDate', earlyNewYear, IST).from).toBe('2024-12-31T18:30:00.000Z');
  });

  it('follows another region zone, across its daylight-saving change', () => {
    // 2024-03-31 12:00 in Berlin (CEST, UTC+2): yesterday (30 March) was on CET, UTC+1.
    const berlin = Date.parse('2024-03-31T10:00:00Z');
    expect(presetWindow('yesterday', berlin, 'Europe/Berlin')).toEqual({
      from: '2024-03-29T23:00:00.000Z',
      to: '2024-03-30T23:00:00.000Z',
    });
    expect(presetWindow('thisMonth', berlin, 'Europe/Berlin').from).toBe('2024-02-29T23:00:00.000Z');
  });

  it('every window starts before it ends, and matchPreset finds the preset back', () => {
    for (const key of PRESET_KEYS) {
      const range = presetWindow(key, NOW, IST);
      expect(Date.parse(range.from)).toBeLessThan(Date.parse(range.to));
      expect(matchPreset(range, NOW + 5_000, IST)).toBe(key);
    }
    expect(
      matchPreset({ from: '2024-03-01T00:00:00Z', to: '2024-03-02T00:00:00Z' }, NOW, IST),
    ).toBeUndefined();
  });

  it('refuses a time that is not one', () => {
    expect(() => presetWindow('last7', Number.NaN, IST)).toThrow(RangeError);
  });
});
