import { readFileSync } from 'node:fs';
import { parseRegion, type Category, type MonitorEvent } from '@district-monitor/streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketContext, migrate } from '../database/migrate.js';
import { PgliteDatabase } from '../database/pglite.repository.js';
import { EventStoreRepository } from '../database/event-store.repository.js';
import { BlackSpotRepository } from '../region/black-spots.repository.js';
import { BlackSpotService } from '../region/black-spots.service.js';
import { RecentEventsRepository } from './recent-events.repository.js';

const region = parseRegion(
  JSON.parse(readFileSync(new URL('../../../data/regions/tamil-nadu.json', import.meta.url), 'utf8')),
  'tamil-nadu.json',
);

function event(
  eventId: string,
  district: string,
  category: Category,
  occurredAt: string,
  extra: Partial<MonitorEvent> = {},
): MonitorEvent {
  const common = {
    eventId,
    schemaVersion: 1,
    district,
    severity: 'medium',
    occurredAt,
    reportedAt: '2025-06-01T12:00:00Z',
  } as const;
  return (
    category === 'road_accident'
      ? { ...common, kind: 'accident', category, killed: 1, injured: 2, vehicles: 2, ...extra }
      : { ...common, kind: 'incident', category, ...extra }
  ) as MonitorEvent;
}

describe('recent events and black-spot reads on PGlite', () => {
  let db: PgliteDatabase;
  let events: RecentEventsRepository;
  let spots: BlackSpotRepository;

  beforeAll(async () => {
    db = await PgliteDatabase.open('memory://');
    await migrate(db, bucketContext(region));
    events = new RecentEventsRepository(db);
    spots = new BlackSpotRepository(db);
    await new EventStoreRepository(db).insert([
      event('i1', 'TN-CHN', 'crime_body', '2025-06-01T01:00:00Z', {
        unit: 'TN-CHNC',
        source: 'cctns-chennai',
      }),
      event('a1', 'TN-CHN', 'road_accident', '2025-06-01T02:00:00Z', {
        location: { lat: 13.05, lon: 80.25 },
      }),
      // Only a window known: stored at its middle, 03:00.
      event('i2', 'TN-CHN', 'suicide', '2025-06-01T00:00:00Z', {
        occurredAt: undefined,
        occurredWindow: { start: '2025-06-01T02:00:00Z', end: '2025-06-01T04:00:00Z' },
      }),
      // a2 corrected by a3: only a3 is listed.
      event('a2', 'TN-CHN', 'road_accident', '2025-06-01T00:30:00Z', {
        location: { lat: 13.06, lon: 80.26 },
      }),
      event('a3', 'TN-CHN', 'road_accident', '2025-06-01T00:30:00Z', {
        amends: 'a2',
        killed: 0,
        injured: 4,
        location: { lat: 13.07, lon: 80.27 },
      }),
      // Unlocated: listed, but no black spot reads it.
      event('a4', 'TN-CHN', 'road_accident', '2025-06-01T00:10:00Z', { severity: 'critical' }),
      event('i3', 'TN-MDU', 'crime_body', '2025-06-01T05:00:00Z'),
      event('a5', 'TN-MDU', 'road_accident', '2025-06-01T05:00:00Z', { location: { lat: 9.9, lon: 78.1 } }),
    ]);
  });

  afterAll(async () => {
    await db.close();
  });

  it("lists a district's events newest first by occurrence, incidents and accidents together", async () => {
    const listed = await events.newest('TN-CHN', 50);
    expect(listed.map((e) => [e.eventId, e.occurredAt])).toEqual([
      ['i2', '2025-06-01T03:00:00.000Z'],
      ['a1', '2025-06-01T02:00:00.000Z'],
      ['i1', '2025-06-01T01:00:00.000Z'],
      ['a3', '2025-06-01T00:30:00.000Z'],
      ['a4', '2025-06-01T00:10:00.000Z'],
    ]);
    expect(listed[2]).toEqual({
      eventId: 'i1',
      kind: 'incident',
      category: 'crime_body',
      severity: 'medium',
      district: 'TN-CHN',
      unit: 'TN-CHNC',
      occurredAt: '2025-06-01T01:00:00.000Z',
      reportedAt: '2025-06-01T12:00:00.000Z',
      lat: null,
      lon: null,
      killed: null,
      injured: null,
      source: 'cctns-chennai',
    });
    expect(listed[3]).toMatchObject({ kind: 'accident', killed: 0, injured: 4, lat: 13.07, lon: 80.27 });
  });

  it("counts a district's road accidents per severity since an instant, corrections applied", async () => {
    // a1 and a3 (a2's correction; a2 not counted) are medium, a4 critical at 00:10; Madurai's a5 is not Chennai's.
    expect(await events.accidentSeverity('TN-CHN', new Date('2025-06-01T00:00:00Z'))).toEqual({
      low: 0,
      medium: 2,
      high: 0,
      critical: 1,
    });
    expect(await events.accidentSeverity('TN-CHN', new Date('2025-06-01T00:20:00Z'))).toEqual({
      low: 0,
      medium: 2,
      high: 0,
      critical: 0,
    });
    expect(await events.accidentSeverity('TN-SLM', new Date('2025-06-01T00:00:00Z'))).toEqual({
      low: 0,
      medium: 0,
      high: 0,
      critical: 0,
    });
  });

  it('keeps to the limit', async () => {
    expect((await events.newest('TN-CHN', 2)).map((e) => e.eventId)).toEqual(['i2', 'a1']);
    expect(await events.newest('TN-SLM', 50)).toEqual([]);
  });

  it('reads located, uncorrected accidents of [from, to), newest first, at most the limit', async () => {
    const from = new Date('2025-06-01T00:30:00Z');
    const to = new Date('2025-06-01T05:00:00Z');
    const located = await spots.locatedAccidents(from, to, 10, null);
    expect(located.map((a) => [a.district, a.lat, a.occurredAt.toISOString(), a.killed, a.injured])).toEqual([
      ['TN-CHN', 13.05, '2025-06-01T02:00:00.000Z', 1, 2],
      ['TN-CHN', 13.07, '2025-06-01T00:30:00.000Z', 0, 4],
    ]);
    expect(await spots.locatedAccidents(from, to, 1, null)).toHaveLength(1);
  });

  it("reads only the districts of a user's scope, before the limit applies", async () => {
    const from = new Date('2025-06-01T00:00:00Z');
    const to = new Date('2025-06-02T00:00:00Z');
    expect((await spots.locatedAccidents(from, to, 10, null)).map((a) => a.district)).toEqual([
      'TN-MDU',
      'TN-CHN',
      'TN-CHN',
    ]);
    // Madurai's accident is the newest: a limit of one still gives Chennai's when Chennai is the scope.
    expect(
      (await spots.locatedAccidents(from, to, 1, ['TN-CHN'])).map((a) => a.occurredAt.toISOString()),
    ).toEqual(['2025-06-01T02:00:00.000Z']);
    expect(await spots.locatedAccidents(from, to, 10, [])).toEqual([]);
  });

  it('says from when the black spots were clustered when a window holds more accidents than one reading', async () => {
    const service = new BlackSpotService(region, spots);
    const from = new Date('2025-06-01T00:00:00Z');
    const to = new Date('2025-06-02T00:00:00Z');
    const whole = await service.find(from, to, null);
    expect(whole.truncatedBefore).toBeNull();
    expect(whole).toMatchObject({ minAccidents: 3, radiusKm: 1, spots: [] });
    const cut = await service.find(from, to, null, 2);
    expect(cut.truncatedBefore).toBe('2025-06-01T02:00:00.000Z');
    expect((await service.find(from, to, ['TN-CHN'], 2)).truncatedBefore).toBeNull();
  });

  it("takes the region's first enabled black_spot rule, if any", async () => {
    const rule = (id: string, enabled: boolean, condition: object) =>
      db.query(
        "INSERT INTO alert_rules (id, region, rule, updated_by) VALUES ($1, 'TN', $2::jsonb, 'spec')",
        [id, JSON.stringify({ id, region: 'TN', enabled, condition })],
      );
    expect(await spots.ruleParameters('TN')).toBeUndefined();
    await rule('a-risk', true, { kind: 'risk', threshold: 0.8, clear: 0.7 });
    await rule('b-off', false, { kind: 'black_spot', minAccidents: 9, radiusKm: 9, hours: 24 });
    await rule('c-on', true, { kind: 'black_spot', minAccidents: 4, radiusKm: 0.5, hours: 24 });
    expect(await spots.ruleParameters('TN')).toEqual({ minAccidents: 4, radiusKm: 0.5 });
    expect(await spots.ruleParameters('XX')).toBeUndefined();
  });
});
