import { readFileSync } from 'node:fs';
import { parseRegion } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import { chicagoRowMapper } from './chicago-format.js';
import { zonedWallTimeToUtc } from './zoned-time.js';

const region = parseRegion(
  JSON.parse(readFileSync(new URL('../../regions/chicago.json', import.meta.url), 'utf8')),
  'chicago.json',
);
const map = chicagoRowMapper(region);
const row = (overrides: Record<string, string>) => ({
  ID: '11227508',
  Date: '01/01/2017 12:01:00 AM',
  'Primary Type': 'OFFENSE INVOLVING CHILDREN',
  District: '010',
  Latitude: '41.84',
  Longitude: '-87.70',
  ...overrides,
});

describe('Chicago export rows', () => {
  it('become incident events in the right district, category and UTC instant', () => {
    expect(map(row({}))).toEqual({
      ok: true,
      event: {
        eventId: 'chicago-11227508',
        schemaVersion: 1,
        kind: 'incident',
        district: 'CHI-010',
        category: 'crime_children',
        severity: 'high',
        occurredAt: '2017-01-01T06:01:00.000Z', // CST, UTC-6
        reportedAt: '2017-01-01T06:01:00.000Z',
        location: { lat: 41.84, lon: -87.7 },
        source: 'chicago-replay',
      },
    });
  });

  it.each([
    ['12:00:00 PM is noon', '07/04/2017 12:00:00 PM', '2017-07-04T17:00:00.000Z'],
    ['summer time is UTC-5', '07/04/2017 03:15:00 PM', '2017-07-04T20:15:00.000Z'],
    ['the repeated hour takes its first instant', '11/05/2017 01:30:00 AM', '2017-11-05T06:30:00.000Z'],
    ['the skipped hour reads with the winter offset', '03/12/2017 02:30:00 AM', '2017-03-12T08:30:00.000Z'],
  ])('convert local times: %s', (_, date, utc) => {
    const result = map(row({ Date: date }));
    expect(result.ok && result.event.occurredAt).toBe(utc);
  });

  it.each([
    [{ District: '' }, 'District is empty'],
    [{ District: '013' }, 'District "013" is not a district of Chicago'],
    [{ ID: ' ' }, 'ID is empty'],
    [{ Date: '2017-01-01 00:01' }, 'Date "2017-01-01 00:01" is not MM/DD/YYYY hh:mm:ss AM/PM'],
  ])('are refused with a reason: %o', (overrides, reason) => {
    expect(map(row(overrides))).toEqual({ ok: false, reason });
  });

  it('leave out a location the row lacks', () => {
    const result = map(row({ Latitude: '', Longitude: '' }));
    expect(result.ok && 'location' in result.event).toBe(false);
  });
});

describe('zonedWallTimeToUtc', () => {
  it('agrees with fixed offsets far from a DST change', () => {
    const wall = { year: 2024, month: 5, day: 1, hour: 10, minute: 15, second: 0 };
    expect(new Date(zonedWallTimeToUtc(wall, 'Asia/Kolkata')).toISOString()).toBe('2024-05-01T04:45:00.000Z');
    expect(new Date(zonedWallTimeToUtc(wall, 'UTC')).toISOString()).toBe('2024-05-01T10:15:00.000Z');
  });
});

describe('zonedWallTimeToUtc east of Greenwich', () => {
  it('takes the first instant of a repeated hour and the winter offset in a skipped hour', () => {
    const at = (month: number, day: number, hour: number) =>
      new Date(
        zonedWallTimeToUtc({ year: 2017, month, day, hour, minute: 30, second: 0 }, 'Europe/Berlin'),
      ).toISOString();
    expect(at(10, 29, 2)).toBe('2017-10-29T00:30:00.000Z'); // 02:30 CEST, not 02:30 CET
    expect(at(3, 26, 2)).toBe('2017-03-26T01:30:00.000Z'); // 02:30 does not exist; read as CET
  });
});
