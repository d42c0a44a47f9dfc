import { readFileSync } from 'node:fs';
import { parseRegion, type MonitorEvent } from '@district-monitor/streams';
import { createSimulator } from '@district-monitor/streams/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyText } from './database.js';
import { bucketContext, migrate } from './migrate.js';
import { PgliteDatabase } from './pglite.repository.js';
import { EventStoreRepository, WRITE_METHODS, type InsertResult } from './event-store.repository.js';

const region = parseRegion(
  JSON.parse(readFileSync(new URL('../../../data/regions/tamil-nadu.json', import.meta.url), 'utf8')),
  'tamil-nadu.json',
);

/**
 * Batches with everything the store must get right: repeats inside and across batches, corrections
 * before and after the event they correct, a correction of a correction, windowed events, accidents.
 */
function batches(): MonitorEvent[][] {
  const events = createSimulator({ region, ratePerSecond: 1, seed: 31 }).burst(
    600,
    Date.parse('2026-03-01T00:00:00Z'),
  );
  const amend = (target: MonitorEvent, suffix: string): MonitorEvent => ({
    ...target,
    eventId: `${target.eventId}-${suffix}`,
    amends: target.eventId,
    district: 'TN-CHN',
  });
  const [a, b, c] = [events[10], events[20], events[30]].map((event) => {
    if (event === undefined) throw new Error('simulator gave fewer events');
    return event;
  }) as [MonitorEvent, MonitorEvent, MonitorEvent];
  const early = amend(b, 'early'); // arrives before b
  const first = amend(a, 'fix');
  const second = amend(first, 'fix'); // corrects the correction
  const windowed: MonitorEvent = {
    ...c,
    eventId: 'windowed-1',
    occurredAt: undefined,
    occurredWindow: { start: '2026-02-27T22:00:00+05:30', end: '2026-02-28T01:30:00+05:30' },
  };
  return [
    [...events.slice(0, 200), early, ...events.slice(0, 20)],
    [...events.slice(200, 400), first, windowed],
    [...events.slice(150, 450), second, first],
    [...events.slice(450), early],
  ];
}

const sorted = (result: InsertResult) => ({
  stored: [...result.stored].sort((x, y) => x.eventId.localeCompare(y.eventId)),
  changes: [...result.changes].sort((x, y) =>
    `${x.district}${x.category}${x.occurredAt.toISOString()}${x.events}`.localeCompare(
      `${y.district}${y.category}${y.occurredAt.toISOString()}${y.events}`,
    ),
  ),
});

describe('the write methods (copy, unnest, json) on PGlite with TimescaleDB', () => {
  const dbs = new Map<string, PgliteDatabase>();
  beforeAll(async () => {
    for (const method of WRITE_METHODS) {
      const db = await PgliteDatabase.open('memory://');
      await migrate(db, bucketContext(region));
      dbs.set(method, db);
    }
  });
  afterAll(async () => {
    for (const db of dbs.values()) await db.close();
  });

  it('store the same rows and report the same events and count changes', async () => {
    const results = new Map<string, unknown[]>();
    const tables = new Map<string, unknown>();
    for (const method of WRITE_METHODS) {
      const db = dbs.get(method);
      if (db === undefined) throw new Error(`no database for ${method}`);
      const store = new EventStoreRepository(db);
      store.method = method;
      results.set(method, []);
      for (const batch of batches()) results.get(method)?.push(sorted(await store.insert(batch)));
      const rows = async (sql: string) => (await db.query(sql)).rows;
      tables.set(method, {
        ledger: await rows(
          'SELECT event_id, kind, occurred_at, amends, superseded_by FROM event_ids ORDER BY 1',
        ),
        incidents: await rows(
          `SELECT event_id, occurred_at, occurred_from, occurred_to, reported_at, district, unit, category,
                  severity, lat, lon, amends, source, superseded_by FROM incidents ORDER BY 1`,
        ),
        accidents: await rows(
          `SELECT event_id, occurred_at, occurred_from, occurred_to, reported_at, district, unit, category,
                  severity, lat, lon, amends, source, superseded_by, killed, injured, vehicles
             FROM accidents ORDER BY 1`,
        ),
      });
    }
    const [reference, ...others] = WRITE_METHODS;
    if (reference === undefined) throw new Error('no write method');
    for (const method of others) {
      expect(results.get(method)).toEqual(results.get(reference));
      expect(tables.get(method)).toEqual(tables.get(reference));
    }
    const first = results.get(reference)?.[0] as ReturnType<typeof sorted>;
    expect(first.stored).toHaveLength(201);
    // The early correction arrived first: b is stored superseded; the correction of a's correction wins.
    const ledger = (tables.get(reference) as { ledger: { event_id: string; superseded_by: string | null }[] })
      .ledger;
    expect(ledger.filter((row) => row.superseded_by !== null)).toHaveLength(3);
    expect(ledger).toHaveLength(600 + 4);
  });
});

describe('COPY text format', () => {
  let db: PgliteDatabase;
  beforeAll(async () => {
    db = await PgliteDatabase.open('memory://');
  });
  afterAll(() => db.close());

  it('carries tabs, newlines, backslashes, "\\N" and "\\." as text and null as null', async () => {
    const values = ['tab\there', 'line\nbreak\r', 'back\\slash', '\\N', '\\.', 'plain', ''];
    const read = await db.transaction(async (tx) => {
      await tx.query('CREATE TEMPORARY TABLE copy_check (i integer, v text, n float8) ON COMMIT DROP');
      await tx.copyFrom(
        { table: 'copy_check', columns: ['i', 'v', 'n'] },
        copyText([...values.map((v, i) => [i, v, i / 3]), [values.length, null, null]]),
      );
      return (
        await tx.query<{ v: string | null; n: number | null }>('SELECT v, n FROM copy_check ORDER BY i')
      ).rows;
    });
    expect(read.map((row) => row.v)).toEqual([...values, null]);
    expect(read.map((row) => row.n)).toEqual([...values.map((_, i) => i / 3), null]);
  });

  it('refuses a value the column cannot hold with the database data exception', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query('CREATE TEMPORARY TABLE copy_bad (t timestamptz) ON COMMIT DROP');
        await tx.copyFrom({ table: 'copy_bad', columns: ['t'] }, copyText([['99999-13-45T00:00:00Z']]));
      }),
    ).rejects.toMatchObject({ code: '22008' });
  });
});
