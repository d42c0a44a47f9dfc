import { readFileSync } from 'node:fs';
import { parseRegion, type MonitorEvent, type Region } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import { EventStoreRepository } from './event-store.repository.js';
import { MIGRATIONS, bucketContext, migrate } from './migrate.js';
import { PgliteDatabase } from './pglite.repository.js';
import {
  CONTINUOUS_AGGREGATES,
  aggregateWatermarks,
  hourlyBucketsByZone,
  refreshQueuedAggregates,
} from './timescale.js';

const regionOf = (file: string): Region =>
  parseRegion(
    JSON.parse(readFileSync(new URL(`../../../data/regions/${file}`, import.meta.url), 'utf8')),
    file,
  );

const HOUR_MS = 3_600_000;
const ALL = CONTINUOUS_AGGREGATES.map(({ view }) => view);

/** The counts the two views show, and the same counts recounted from the stored events. */
const SHOWN = `
  SELECT 'h' AS width, bucket, district, category, events, killed, injured FROM event_counts_hourly
  UNION ALL
  SELECT 'd', day, district, category, events, killed, injured FROM event_counts_daily
  ORDER BY 1, 2, 3, 4`;
const RECOUNTED = `
  WITH e AS (
    SELECT occurred_at, district, category, 0 AS killed, 0 AS injured FROM incidents WHERE superseded_by IS NULL
    UNION ALL
    SELECT occurred_at, district, category, killed, injured FROM accidents WHERE superseded_by IS NULL)
  SELECT 'h' AS width, time_bucket(INTERVAL '1 hour', occurred_at, origin => (SELECT hour_origin FROM time_buckets)) AS bucket,
         district, category, count(*)::int AS events, sum(killed)::int AS killed, sum(injured)::int AS injured
    FROM e GROUP BY 1, 2, 3, 4
  UNION ALL
  SELECT 'd', time_bucket(INTERVAL '1 day', occurred_at, (SELECT time_zone FROM time_buckets)),
         district, category, count(*)::int, sum(killed)::int, sum(injured)::int
    FROM e GROUP BY 1, 2, 3, 4
  ORDER BY 1, 2, 3, 4`;

/**
 * A local day D and the one before it: events stream into D while it is open, late events and amendments
 * reach back into D - 1, then D ends. The views must equal a recount of the events after every refresh,
 * D must not be materialised while it is open, and it must be once it has ended.
 */
async function checkDay(
  file: string,
  district: string,
  dayStartIso: string,
  hours: number,
  /** The aggregates that leave an open day to real-time aggregation (the others refresh it at every drain). */
  realTime: readonly string[],
  migrations = MIGRATIONS,
): Promise<void> {
  const region = regionOf(file);
  const db = await PgliteDatabase.open('memory://');
  try {
    expect(db.info.timescaledb).not.toBeNull();
    await migrate(db, bucketContext(region), migrations);
    const store = new EventStoreRepository(db);
    const dayStart = Date.parse(dayStartIso);
    const dayEnd = dayStart + hours * HOUR_MS;
    const before = dayStart - 24 * HOUR_MS;
    const event = (id: string, occurredMs: number, fields: Partial<MonitorEvent> = {}): MonitorEvent =>
      ({
        eventId: id,
        schemaVersion: 1,
        kind: 'incident',
        district,
        category: 'crime_property',
        severity: 'medium',
        occurredAt: new Date(occurredMs).toISOString(),
        reportedAt: new Date(Math.max(occurredMs, dayStart)).toISOString(),
        ...fields,
      }) as MonitorEvent;
    const accident = (id: string, occurredMs: number): MonitorEvent =>
      event(id, occurredMs, {
        kind: 'accident',
        category: 'road_accident',
        killed: 1,
        injured: 2,
        vehicles: 2,
      });
    const exact = async (when: string) => {
      const shown = (await db.query(SHOWN)).rows;
      expect(shown.length, when).toBeGreaterThan(0);
      expect(shown, when).toEqual((await db.query(RECOUNTED)).rows);
    };
    const queuedDays = async () =>
      (
        await db.query<{ day: Date | string }>('SELECT day FROM aggregate_refresh_queue ORDER BY id')
      ).rows.map((row) => new Date(row.day).getTime());
    // Each aggregate's watermark is the end of its last materialised bucket: none that leaves the open day
    // to real-time aggregation may pass D's start while D is open, and each passes it once D has ended
    // (every aggregate has events in D).
    const watermarks = async (views: readonly string[] = realTime): Promise<number[]> => {
      const marks = await aggregateWatermarks(db);
      return views.map((view) => marks.get(view) ?? Number.NaN);
    };
    const materialisedUpTo = async (limit: number, when: string) => {
      for (const mark of await watermarks()) expect(mark, when).toBeLessThanOrEqual(limit);
    };

    // D is open (its first and last minutes, and its middle); D - 1 has ended.
    const open = dayStart + 12 * HOUR_MS;
    await store.insert([
      event('a', before + 30_000),
      event('b', dayStart - 60_000),
      accident('c', before + 5 * HOUR_MS),
      accident('d', dayStart + 60_000),
      event('e', dayStart),
      event('f', dayEnd - 1_000),
    ]);
    expect(await refreshQueuedAggregates(db, region.timeZone, open)).toBe(1);
    await exact('D - 1 refreshed, D open');
    await materialisedUpTo(dayStart, 'D - 1 refreshed, D open');
    expect(Math.max(...(await watermarks()))).toBe(dayStart);
    expect(await queuedDays()).toEqual([dayStart]);

    // More of D, a late event and corrections that move counts between the two days.
    await store.insert([
      event('g', dayStart + 2 * HOUR_MS),
      event('h', before + 20 * HOUR_MS),
      event('b.2', dayStart + HOUR_MS, { amends: 'b', category: 'crime_women' }),
      event('e.2', before + 23 * HOUR_MS, { amends: 'e' }),
      accident('i', dayStart - 1),
    ]);
    await store.insert([event('g', dayStart + 2 * HOUR_MS), event('j', dayStart + 3 * HOUR_MS)]);
    expect(await refreshQueuedAggregates(db, region.timeZone, open)).toBe(1);
    await exact('D - 1 changed, D open');
    await materialisedUpTo(dayStart, 'D - 1 changed, D open');
    // One entry of the open day stays, however many batches touched it.
    expect(await queuedDays()).toEqual([dayStart]);

    // D has ended: the next drain materialises it, exactly up to its end.
    const ended = dayEnd + 60_000;
    expect(await refreshQueuedAggregates(db, region.timeZone, ended)).toBe(1);
    await exact('D ended');
    for (const mark of await watermarks(ALL)) {
      expect(mark, 'D ended').toBeGreaterThan(dayStart);
      expect(mark, 'D ended').toBeLessThanOrEqual(dayEnd);
    }
    expect(Math.max(...(await watermarks(ALL)))).toBe(dayEnd);
    expect(await queuedDays()).toEqual([]);

    // A correction into the materialised D, and an event of D + 1 (open).
    await store.insert([event('f.2', dayStart + 30 * 60_000, { amends: 'f' }), event('k', dayEnd + 1_000)]);
    await refreshQueuedAggregates(db, region.timeZone, ended);
    await exact('D changed after it was materialised');
    await materialisedUpTo(dayEnd, 'D changed after it was materialised');
    expect(await queuedDays()).toEqual([dayEnd]);
  } finally {
    await db.close();
  }
}

describe('refreshQueuedAggregates on PGlite with TimescaleDB', () => {
  it('an IST day (hour buckets at hh:30 UTC, by time zone): the open day stays real-time, an ended day is refreshed exactly', async () => {
    await checkDay('tamil-nadu.json', 'TN-MDU', '2026-12-03T18:30:00Z', 24, [
      'incidents_daily',
      'accidents_daily',
    ]);
  });

  it('an IST day on hour buckets from the hh:30 origin (before migration 12): the hourly aggregates refresh every queued day, with an hour of margin', async () => {
    await checkDay(
      'tamil-nadu.json',
      'TN-MDU',
      '2026-12-03T18:30:00Z',
      24,
      ['incidents_daily', 'accidents_daily'],
      MIGRATIONS.filter((migration) => migration.version < 12),
    );
  });

  it("Chicago's 25-hour day (daylight saving ends): the open day stays real-time in all four", async () => {
    await checkDay('chicago.json', 'CHI-001', '2026-11-01T05:00:00Z', 25, ALL);
  });

  it("Chicago's 23-hour day (daylight saving starts)", async () => {
    await checkDay('chicago.json', 'CHI-001', '2026-03-08T06:00:00Z', 23, ALL);
  });
});

describe('migration 12: hourly aggregates by local hour', () => {
  it('applies to zones at hh:30 without daylight saving only', () => {
    const context = (timeZone: string, hourOrigin: string) => ({ timeZone, hourOrigin });
    expect(hourlyBucketsByZone(context('Asia/Kolkata', '2000-01-01T00:30:00.000Z'))).toBe(true);
    expect(hourlyBucketsByZone(context('America/Chicago', '2000-01-01T00:00:00.000Z'))).toBe(false);
    expect(hourlyBucketsByZone(context('Asia/Kathmandu', '2000-01-01T00:45:00.000Z'))).toBe(false);
    // +09:30 / +10:30: the repeated local hour would merge two buckets.
    expect(hourlyBucketsByZone(context('Australia/Adelaide', '2000-01-01T00:30:00.000Z'))).toBe(false);
  });

  it('rebuilds the hourly aggregates of a database with events, with the same buckets and counts', async () => {
    const region = regionOf('tamil-nadu.json');
    const db = await PgliteDatabase.open('memory://');
    try {
      const before = MIGRATIONS.filter((migration) => migration.version < 12);
      await migrate(db, bucketContext(region), before);
      const store = new EventStoreRepository(db);
      const start = Date.parse('2026-12-01T18:30:00Z');
      await store.insert(
        Array.from({ length: 200 }, (_, i) => ({
          eventId: `m-${i}`,
          schemaVersion: 1,
          kind: 'incident',
          district: i % 2 === 0 ? 'TN-MDU' : 'TN-CHN',
          category: 'crime_body',
          severity: 'low',
          occurredAt: new Date(start + i * 17 * 60_000).toISOString(),
          reportedAt: new Date(start + i * 17 * 60_000 + 60_000).toISOString(),
        })),
      );
      const now = start + 4 * 24 * HOUR_MS;
      await refreshQueuedAggregates(db, region.timeZone, now);
      const shownBefore = (await db.query(SHOWN)).rows;
      expect(shownBefore).toEqual((await db.query(RECOUNTED)).rows);

      expect(await migrate(db, bucketContext(region))).toEqual(
        MIGRATIONS.filter((migration) => migration.version >= 12).map((migration) => migration.version),
      );
      const { rows } = await db.query<{ bucket_timezone: string | null }>(
        `SELECT f.bucket_timezone FROM _timescaledb_catalog.continuous_aggs_bucket_function f
           JOIN _timescaledb_catalog.continuous_agg c ON c.mat_hypertable_id = f.mat_hypertable_id
          WHERE c.user_view_name = 'incidents_hourly'`,
      );
      expect(rows).toEqual([{ bucket_timezone: 'Asia/Kolkata' }]);
      // Every stored day is queued again; once refreshed, the views show what they showed before.
      expect(await refreshQueuedAggregates(db, region.timeZone, now)).toBe(3);
      expect((await db.query(SHOWN)).rows).toEqual(shownBefore);
      const marks = await aggregateWatermarks(db);
      // Materialised up to the end of the last event's local hour (03:03 UTC, in the hour from 02:30).
      expect(marks.get('incidents_hourly')).toBe(Date.parse('2026-12-04T03:30:00Z'));
    } finally {
      await db.close();
    }
  });
});

describe('migration 13: no event id index on hypertables', () => {
  it('leaves the event tables of TimescaleDB with the time and district indexes only', async () => {
    const db = await PgliteDatabase.open('memory://');
    try {
      await migrate(db, bucketContext(regionOf('tamil-nadu.json')));
      const { rows } = await db.query<{ indexname: string }>(
        "SELECT indexname FROM pg_indexes WHERE tablename IN ('incidents', 'accidents') ORDER BY 1",
      );
      expect(rows.map((row) => row.indexname)).toEqual([
        'accidents_district_time',
        'accidents_occurred_at_idx',
        'incidents_district_time',
        'incidents_occurred_at_idx',
      ]);
    } finally {
      await db.close();
    }
  });
});
