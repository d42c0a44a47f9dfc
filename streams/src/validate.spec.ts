import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEventValidator, parseRegion, type MonitorEvent } from './index.js';

const region = parseRegion(
  JSON.parse(readFileSync(new URL('../../data/regions/tamil-nadu.json', import.meta.url), 'utf8')),
  'tamil-nadu.json',
);
const NOW = Date.parse('2024-05-01T12:00:00Z');
const validator = createEventValidator({ region, now: () => NOW });

const incident = {
  eventId: 'cctns-chn-0001',
  schemaVersion: 1,
  kind: 'incident',
  district: 'TN-CHN',
  category: 'crime_property',
  severity: 'medium',
  occurredAt: '2024-05-01T10:15:00+05:30',
  reportedAt: '2024-05-01T06:00:00Z',
} as const;
const accident = {
  ...incident,
  eventId: 'irad-0001',
  kind: 'accident',
  category: 'road_accident',
  killed: 1,
  injured: 2,
  vehicles: 2,
} as const;

const reasonFor = (value: unknown) => {
  const result = validator.check(value);
  return result.ok ? 'ok' : result.reason;
};

describe('event validator', () => {
  it('accepts a valid incident and a valid accident, keeping every field', () => {
    const result = validator.check(accident);
    expect(result.ok).toBe(true);
    expect(result.ok && (result.event as MonitorEvent & { killed: number }).killed).toBe(1);
    expect(reasonFor(incident)).toBe('ok');
  });

  it.each([
    ['a missing field', { ...incident, eventId: undefined }, 'eventId: required'],
    [
      'a mistyped field',
      { ...incident, severity: 3 },
      'severity: expected one of low, medium, high, critical',
    ],
    ['an unknown field', { ...incident, occuredAt: 'x' }, 'event: unknown field(s) occuredAt'],
    ['an unknown kind', { ...incident, kind: 'fire' }, 'kind: expected kind "incident" or "accident"'],
    ['another schema version', { ...incident, schemaVersion: 2 }, 'schemaVersion: expected 1'],
    [
      'a time without zone',
      { ...incident, occurredAt: '2024-05-01 10:15' },
      'occurredAt: expected an ISO 8601',
    ],
    [
      'an unknown district',
      { ...incident, district: 'TN-XYZ' },
      'district: unknown district "TN-XYZ" in region TN',
    ],
    ['a police unit as district', { ...incident, district: 'TN-AVD' }, 'district: unknown district "TN-AVD"'],
    ['a malformed district', { ...incident, district: 'chennai' }, 'district: expected a unit code'],
    [
      'a unit of another district',
      { ...incident, unit: 'TN-AVD' },
      'unit: TN-AVD belongs to district TN-TVL, not TN-CHN',
    ],
    [
      'an accident category on an incident',
      { ...incident, category: 'road_accident' },
      'category: expected one of',
    ],
    ['negative casualties', { ...accident, killed: -1 }, 'killed: Too small'],
    ['fractional casualties', { ...accident, injured: 1.5 }, 'injured: expected a whole number'],
    [
      'an accident without vehicles',
      { ...accident, vehicles: 0 },
      'vehicles: a road accident involves at least one vehicle',
    ],
    [
      'both time forms',
      { ...incident, occurredWindow: { start: incident.reportedAt, end: incident.reportedAt } },
      'give exactly one of occurredAt and occurredWindow',
    ],
    [
      'no time at all',
      { ...incident, occurredAt: undefined },
      'give exactly one of occurredAt and occurredWindow',
    ],
    [
      'a reversed window',
      {
        ...incident,
        occurredAt: undefined,
        occurredWindow: { start: '2024-05-01T05:00:00Z', end: '2024-05-01T04:00:00Z' },
      },
      'occurredWindow: start is after end',
    ],
    [
      'an occurrence after the report',
      { ...incident, occurredAt: '2024-05-01T07:00:00Z' },
      'occurredAt: after reportedAt',
    ],
    [
      'a report from the future',
      { ...incident, reportedAt: '2024-05-01T13:00:00Z' },
      'reportedAt: lies in the future',
    ],
    ['a self-amendment', { ...incident, amends: incident.eventId }, 'amends: an event cannot amend itself'],
    [
      'a NUL in free text',
      { ...incident, source: 'cctns\u0000x' },
      'source: control characters, lone surrogates, bidirectional overrides and noncharacters are not allowed',
    ],
    [
      'a lone surrogate',
      { ...incident, source: 'cctns\ud800' },
      'source: control characters, lone surrogates, bidirectional overrides and noncharacters are not allowed',
    ],
    [
      'year 0',
      { ...incident, occurredAt: '0000-01-01T00:00:00Z' },
      'occurredAt: year must be from 1900 to 9999',
    ],
    ['a latitude out of range', { ...incident, location: { lat: 91, lon: 80 } }, 'location.lat: Too big'],
    ['not an object', 42, 'event: expected a JSON object'],
    ['an array', [incident], 'event: expected a JSON object'],
  ])('rejects %s with a reason naming the field', (_, value, reason) => {
    expect(reasonFor(value)).toContain(reason);
  });

  it('accepts a window instead of an exact time, and an amendment', () => {
    const windowed = {
      ...incident,
      occurredAt: undefined,
      occurredWindow: { start: '2024-04-30T20:00:00Z', end: '2024-05-01T02:00:00Z' },
      amends: 'cctns-chn-0000',
    };
    expect(reasonFor(windowed)).toBe('ok');
  });

  it('rejects encoded messages that are not JSON, empty, oversized or not UTF-8', () => {
    const reason = (raw: string | Uint8Array) => {
      const result = validator.decode(raw);
      return result.ok ? 'ok' : result.reason;
    };
    expect(reason('{"eventId": ')).toMatch(/^invalid JSON: /);
    expect(reason('')).toBe('empty message');
    expect(reason(JSON.stringify({ ...incident, source: 'x'.repeat(17_000) }))).toMatch(
      /^event is \d+ bytes; the limit is 16384$/,
    );
    expect(reason(new Uint8Array([0x7b, 0xff, 0x7d]))).toBe('message is not valid UTF-8');
    expect(reason(Buffer.from(JSON.stringify(incident)))).toBe('ok');
  });

  it('rejects an event on the stream of the other kind', () => {
    const result = validator.decode(JSON.stringify(accident), 'incident');
    expect(result).toEqual({ ok: false, reason: 'kind: "accident" event on the incident stream' });
  });

  it('lists at most three issues and counts the rest', () => {
    expect(reasonFor({ kind: 'incident' })).toMatch(/; .*; .* \(and \d+ more\)$/);
  });
});

describe('region file', () => {
  it('holds the 38 districts of Tamil Nadu and police units with known parents', () => {
    const districts = region.units.filter((unit) => unit.kind === 'district');
    expect(districts).toHaveLength(38);
    expect(region.units.filter((unit) => unit.kind === 'police_unit').map((unit) => unit.code)).toContain(
      'TN-TBM',
    );
  });

  it('refuses a region whose unit names an unknown parent', () => {
    const broken = {
      ...region,
      units: [...region.units, { ...region.units[0], code: 'TN-ZZZ', parent: 'TN-NOPE' }],
    };
    expect(() => parseRegion(broken, 'broken.json')).toThrow('TN-ZZZ has unknown parent TN-NOPE');
  });
});
