import { describe, expect, it } from 'vitest';
import { formatDateTime, formatMinute, zoneName } from './format';

describe('formatDateTime', () => {
  const at = Date.parse('2024-03-11T19:05:00Z');

  it('writes the wall clock of the region, whatever the machine zone', () => {
    expect(formatDateTime(at, 'Asia/Kolkata')).toBe('12 Mar, 00:35');
    expect(formatDateTime(Date.parse('2024-05-01T08:35:00Z'), 'Asia/Kolkata')).toBe('01 May, 14:05');
  });

  it('adds the year and the zone name when asked', () => {
    expect(formatDateTime(at, 'Asia/Kolkata', { year: true })).toBe('12 Mar 2024, 00:35');
    expect(formatDateTime(at, 'Asia/Kolkata', { zone: true })).toBe('12 Mar, 00:35 IST');
    expect(
      formatDateTime(Date.parse('2024-12-31T18:30:00Z'), 'Asia/Kolkata', { year: true, zone: true }),
    ).toBe('01 Jan 2025, 00:00 IST');
  });

  it('answers a dash for an unreadable instant instead of throwing', () => {
    expect(formatDateTime(Number.NaN, 'Asia/Kolkata')).toBe('—');
  });
});

describe('formatMinute and zoneName', () => {
  it('read the region zone', () => {
    expect(formatMinute(Date.parse('2024-05-01T08:35:00Z'), 'Asia/Kolkata')).toBe('14:05');
    expect(formatMinute(Number.NaN, 'Asia/Kolkata')).toBe('');
    expect(zoneName('Asia/Kolkata', Date.parse('2024-05-01T08:35:00Z'))).toBe('IST');
  });
});
