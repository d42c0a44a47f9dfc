import { readFileSync } from 'node:fs';
import { parseRegion } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import { columnRowMapper, parseColumnMapping } from './column-format.js';

const region = parseRegion(
  JSON.parse(readFileSync(new URL('../../regions/tamil-nadu.json', import.meta.url), 'utf8')),
  'tamil-nadu.json',
);
const columns = parseColumnMapping('id=fir,time=when,district=dist,category=head,lat=y,lon=x');
const map = columnRowMapper(region, columns, { 'HOUSE BREAKING': 'crime_property' });
const row = (overrides: Record<string, string>) => ({
  fir: '42/2024',
  when: '2024-05-01 10:15',
  dist: 'Tuticorin',
  head: 'HOUSE BREAKING',
  y: '8.8',
  x: '78.1',
  ...overrides,
});

describe('column-mapped CSV rows', () => {
  it('become events: local time in the region zone, district by any spelling, category by the map', () => {
    expect(map(row({}))).toEqual({
      ok: true,
      event: expect.objectContaining({
        eventId: 'csv-replay-42/2024',
        district: 'TN-TUT',
        category: 'crime_property',
        occurredAt: '2024-05-01T04:45:00.000Z',
        location: { lat: 8.8, lon: 78.1 },
      }) as unknown,
    });
  });

  it('accept ISO times with a zone and product categories as they are', () => {
    const result = map(row({ when: '2024-05-01T10:15:00+05:30', head: 'crime_women', dist: 'TN-MDU' }));
    expect(result.ok && [result.event.occurredAt, result.event.category, result.event.district]).toEqual([
      '2024-05-01T04:45:00.000Z',
      'crime_women',
      'TN-MDU',
    ]);
  });

  it.each([
    [{ dist: 'Gotham' }, 'dist "Gotham" is not a district of Tamil Nadu'],
    [{ head: 'JAYWALKING' }, 'head "JAYWALKING" has no category mapping'],
    [{ when: '01/05/2024' }, 'when "01/05/2024" is not an ISO 8601 time or YYYY-MM-DD hh:mm[:ss]'],
    [{ when: '2024-05-01' }, 'when "2024-05-01" is not an ISO 8601 time or YYYY-MM-DD hh:mm[:ss]'],
    [{ fir: '' }, 'fir is empty'],
  ])('are refused with a reason: %o', (overrides, reason) => {
    expect(map(row(overrides))).toEqual({ ok: false, reason });
  });

  it('refuse an incomplete or unknown mapping', () => {
    expect(() => parseColumnMapping('id=a,time=b')).toThrow('--columns: missing district, category');
    expect(() => parseColumnMapping('id=a,time=b,district=c,category=d,colour=e')).toThrow(
      'unknown field "colour"',
    );
  });
});
