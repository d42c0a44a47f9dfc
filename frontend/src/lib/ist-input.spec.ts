import { utcOffsetMs } from '@district-monitor/streams/time-zone';
import { afterEach, describe, expect, it } from 'vitest';
import { floorToMinute, fromInputValue, inputToIso, isoToInput, IST, toInputValue } from './ist-input';

const originalZone = process.env.TZ;

describe('datetime-local values read as IST', () => {
  afterEach(() => {
    process.env.TZ = originalZone;
  });

  it('IST is UTC + 5 h 30 min', () => {
    expect(utcOffsetMs(Date.parse('2024-01-15T00:00:00Z'), IST)).toBe(5.5 * 3_600_000);
    expect(utcOffsetMs(Date.parse('2024-07-15T00:00:00Z'), IST)).toBe(5.5 * 3_600_000);
  });

  it('reads 14:05 IST as 08:35 UTC', () => {
    expect(inputToIso('2024-05-01T14:05')).toBe('2024-05-01T08:35:00.000Z');
    expect(fromInputValue('2024-05-01T14:05')).toBe(Date.parse('2024-05-01T08:35:00Z'));
  });

  it('crosses midnight: 03:00 IST on 1 May is 21:30 UTC on 30 April', () => {
    expect(inputToIso('2024-05-01T03:00')).toBe('2024-04-30T21:30:00.000Z');
    expect(isoToInput('2024-04-30T21:30:00.000Z')).toBe('2024-05-01T03:00');
  });

  it('writes the IST wall clock, seconds dropped', () => {
    expect(toInputValue(Date.parse('2024-12-31T18:29:59Z'))).toBe('2024-12-31T23:59');
    expect(toInputValue(Date.parse('2024-12-31T18:30:00Z'))).toBe('2025-01-01T00:00');
  });

  it('accepts seconds when the browser sends them', () => {
    expect(inputToIso('2024-05-01T14:05:30')).toBe('2024-05-01T08:35:30.000Z');
  });

  it('round-trips every minute value through an instant', () => {
    for (const value of ['2024-02-29T00:00', '2024-03-10T02:30', '2025-11-02T01:30', '2023-01-01T23:59']) {
      expect(isoToInput(inputToIso(value) ?? '')).toBe(value);
    }
  });

  it('refuses empty, malformed and impossible values', () => {
    expect(inputToIso('')).toBeUndefined();
    expect(inputToIso('2024-05-01')).toBeUndefined();
    expect(inputToIso('2024-05-01 14:05')).toBeUndefined();
    expect(inputToIso('2024-02-30T10:00')).toBeUndefined();
    expect(inputToIso('2024-05-01T24:00')).toBeUndefined();
    expect(isoToInput('not a date')).toBe('');
  });

  it.each(['UTC', 'America/New_York', 'Pacific/Kiritimati', 'Asia/Kolkata'])(
    'gives the same answers whatever the machine zone (%s)',
    (zone) => {
      process.env.TZ = zone;
      expect(inputToIso('2024-03-10T02:30')).toBe('2024-03-09T21:00:00.000Z');
      expect(toInputValue(Date.parse('2024-11-03T06:30:00Z'))).toBe('2024-11-03T12:00');
    },
  );

  it('reads other zones across a daylight-saving change', () => {
    // 01:30 happens twice in New York on 3 November 2024; 02:30 on 10 March does not exist.
    expect(inputToIso('2024-11-03T03:00', 'America/New_York')).toBe('2024-11-03T08:00:00.000Z');
    expect(inputToIso('2024-07-01T12:00', 'America/New_York')).toBe('2024-07-01T16:00:00.000Z');
    expect(toInputValue(Date.parse('2024-01-15T17:00:00Z'), 'America/New_York')).toBe('2024-01-15T12:00');
  });

  it('floors to the minute', () => {
    expect(floorToMinute(Date.parse('2024-05-01T08:35:59.999Z'))).toBe(Date.parse('2024-05-01T08:35:00Z'));
  });
});
