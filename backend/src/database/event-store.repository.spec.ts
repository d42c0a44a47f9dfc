import { readFileSync } from 'node:fs';
import { parseRegion, type MonitorEvent } from '@district-monitor/streams';
import { createSimulator } from '@district-monitor/streams/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, bucketContext, migrate } from '../database/migrate.js';
import { PgliteDatabase } from '../database/pglite.repository.js';
import { EventStoreRepository } from './event-store.repository.js';

const region = parseRegion(
  JSON.parse(readFileSync(new URL('../../../data/regions/tamil-nadu.json', import.meta.url), 'utf8')),
  'tamil-nadu.json',
);

describe('event store on PGlite with TimescaleDB', () => {
  let db: PgliteDatabase;
  let store: EventStoreRepository;
  const count = async (table: string) =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n ?? NaN;

  beforeAll(async () => {
    db = await PgliteDatabase.open('memory://');
    expect(await migrate(db, bucketContext(region))).toEqual(
      MIGRATIONS.map((migration) => migration.version),
    );
    store = new EventStoreRepository(db);
  });
  afterAll(() => db.close());

  it('creates the event tables and the score history as hypertables, and migrating again does nothing', async () => {
    const { rows } = await db.query<{ hypertable_name: string }>(
      'SELECT hypertable_name FROM timescaledb_information.hypertables ORDER BY 1',
    );
    expect(rows.map((row) => row.hypertable_name)).toEqual(['accidents', 'incidents', 'score_history']);
    expect(await migrate(db, bucketContext(region))).toEqual([]);
  });

  it('stores a batch once: repeats inside the batch and across batches are skipped', async () => {
    const events = createSimulator({ region, ratePerSecond: 1, seed: 21 }).burst(500, Date.now());
    const first = await store.insert([...events, ...events.slice(0, 50)]);
    expect(first.stored).toHaveLength(500);
    expect(first.changes).toHaveLength(500);
    const again = await store.insert(events.slice(100, 300));
    expect(again).toEqual({ stored: [], changes: [] });
    expect((await count('incidents')) + (await count('accidents'))).toBe(500);
    expect(await count('event_ids')).toBe(500);
    expect(await store.totalStored()).toBe(500);
  });

  it('keeps every field of an accident, and places a windowed event at its midpoint', async () => {
    const accident: MonitorEvent = {
      eventId: 'irad-42',
      schemaVersion: 1,
      kind: 'accident',
      district: 'TN-SLM',
      unit: 'TN-SLMC',
      category: 'road_accident',
      severity: 'critical',
      occurredWindow: { start: '2024-05-01T00:00:00Z', end: '2024-05-01T02:00:00Z' },
      reportedAt: '2024-05-01T03:00:00Z',
      location: { lat: 11.65, lon: 78.16 },
      amends: 'irad-41',
      source: 'irad',
      killed: 2,
      injured: 3,
      vehicles: 2,
    };
    const result = await store.insert([accident]);
    expect(result.stored).toEqual([
      {
        eventId: 'irad-42',
        district: 'TN-SLM',
        category: 'road_accident',
        occurredAt: new Date('2024-05-01T01:00:00Z'),
        amends: 'irad-41',
        counts: true,
      },
    ]);
    // Its target is not stored: it counts, with its casualties.
    expect(result.changes).toEqual([
      {
        district: 'TN-SLM',
        category: 'road_accident',
        occurredAt: new Date('2024-05-01T01:00:00Z'),
        events: 1,
        killed: 2,
        injured: 3,
      },
    ]);
    const { rows } = await db.query<Record<string, unknown>>(
      `SELECT occurred_at, occurred_from, unit, killed, injured, vehicles, amends, lat
         FROM accidents WHERE event_id = 'irad-42'`,
    );
    expect(rows[0]).toMatchObject({
      unit: 'TN-SLMC',
      killed: 2,
      injured: 3,
      vehicles: 2,
      amends: 'irad-41',
      lat: 11.65,
    });
    expect(new Date(rows[0]?.occurred_at as string).toISOString()).toBe('2024-05-01T01:00:00.000Z');
  });

  it('counts recent events per district', async () => {
    const counts = await store.countsByDistrict(new Date(Date.now() - 3_600_000));
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(500);
  });

  const incident = (eventId: string, fields: Partial<MonitorEvent> = {}): MonitorEvent =>
    ({
      eventId,
      schemaVersion: 1,
      kind: 'incident',
      district: 'TN-MDU',
      category: 'crime_property',
      severity: 'medium',
      occurredAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
      reportedAt: new Date().toISOString(),
      ...fields,
    }) as MonitorEvent;

  it('moves the count of an amended event to its correction: -1 where it was, +1 where it is now', async () => {
    await store.insert([incident('fir-1')]);
    const moved = await store.insert([
      incident('fir-1.v2', { amends: 'fir-1', district: 'TN-CHN', category: 'crime_women' }),
    ]);
    expect(moved.changes.map(({ district, category, events }) => [district, category, events])).toEqual([
      ['TN-CHN', 'crime_women', 1],
      ['TN-MDU', 'crime_property', -1],
    ]);
    // Delivered again, the correction changes nothing.
    expect((await store.insert([incident('fir-1.v2', { amends: 'fir-1' })])).changes).toEqual([]);
  });

  it('gives the same counts when the correction arrives before the event it corrects', async () => {
    const early = await store.insert([incident('fir-2.v2', { amends: 'fir-2', category: 'crime_body' })]);
    expect(early.changes.map((c) => [c.category, c.events])).toEqual([['crime_body', 1]]);
    const late = await store.insert([incident('fir-2')]);
    expect(late.stored[0]?.counts).toBe(false);
    expect(late.changes).toEqual([]);
  });

  it('applies a correction of an event whose chunk is already compressed', async () => {
    const old = new Date(Date.now() - 120 * 86_400_000).toISOString();
    await store.insert([incident('fir-3', { occurredAt: old, district: 'TN-SLM' })]);
    const compressed = await db.query<{ chunk: string }>(
      `SELECT compress_chunk(c)::text AS chunk FROM show_chunks('incidents', older_than => INTERVAL '100 days') c`,
    );
    expect(compressed.rows.length).toBeGreaterThan(0);
    const result = await store.insert([incident('fir-3.v2', { amends: 'fir-3', district: 'TN-SLM' })]);
    expect(result.changes.map(({ occurredAt, events }) => [occurredAt.toISOString(), events])).toEqual([
      [expect.any(String) as unknown, 1],
      [old, -1],
    ]);
    const { rows } = await db.query<{ superseded_by: string }>(
      "SELECT superseded_by FROM incidents WHERE event_id = 'fir-3'",
    );
    expect(rows).toEqual([{ superseded_by: 'fir-3.v2' }]);
  });

  it('keeps a re-sent id as first stored: a new "amends" on it supersedes nothing', async () => {
    await store.insert([incident('fir-5'), incident('fir-6')]);
    const resent = await store.insert([incident('fir-5', { amends: 'fir-6' })]);
    expect(resent).toEqual({ stored: [], changes: [] });
    const again = await store.insert([incident('fir-5', { amends: 'fir-7' }), incident('fir-7')]);
    expect(again.stored.map((event) => [event.eventId, event.counts])).toEqual([['fir-7', true]]);
  });
});
