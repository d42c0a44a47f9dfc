import { readFileSync } from 'node:fs';
import { parseRegion, type MonitorEvent } from '@district-monitor/streams';
import { createSimulator } from '@district-monitor/streams/simulator';
import type { Queryable } from '../database/database.js';
import { EventStoreRepository } from '../database/event-store.repository.js';
import { bucketContext, migrate } from '../database/migrate.js';
import { PgliteDatabase } from '../database/pglite.repository.js';
import { refreshQueuedAggregates } from '../database/timescale.js';

/**
 * `node backend/dist/bench/pglite-write-costs.js [events]`: two costs of the PGlite write path, in one
 * connection, without Kafka (docs/ingest.md):
 * - the continuous aggregates' drains: the ingest bench's events (seed 77, reported in the last second)
 *   stored in batches of 5,000 with a drain after each; prints the stores' and the drains' seconds and the
 *   refresh calls made;
 * - the unique (event_id, occurred_at) index: the same inserts with the index put back and without it,
 *   alternated three times.
 */
const BATCH = 5_000;
const count = Number(process.argv[2] ?? 100_000);
if (!Number.isInteger(count) || count < BATCH) throw new Error(`events must be a whole number >= ${BATCH}`);

const region = parseRegion(
  JSON.parse(readFileSync(new URL('../../../data/regions/tamil-nadu.json', import.meta.url), 'utf8')),
  'tamil-nadu.json',
);
const events: MonitorEvent[] = createSimulator({ region, ratePerSecond: 1, seed: 77, source: 'bench' }).burst(
  count,
  Date.now() - 60_000,
);

async function fresh(): Promise<PgliteDatabase> {
  const db = await PgliteDatabase.open('memory://');
  await migrate(db, bucketContext(region));
  return db;
}

async function drains(): Promise<void> {
  const db = await fresh();
  let calls = 0;
  const counted: Queryable = {
    query: <Row = Record<string, unknown>>(sql: string, params?: unknown[]) => {
      if (sql.startsWith('CALL refresh_continuous_aggregate')) calls++;
      return db.query<Row>(sql, params);
    },
  };
  const store = new EventStoreRepository(db);
  let storeMs = 0;
  let drainMs = 0;
  for (let i = 0; i < events.length; i += BATCH) {
    let started = performance.now();
    await store.insert(events.slice(i, i + BATCH));
    storeMs += performance.now() - started;
    started = performance.now();
    await refreshQueuedAggregates(counted, region.timeZone);
    drainMs += performance.now() - started;
  }
  await db.close();
  console.log(
    `drains: ${count} events in ${count / BATCH} batches, stores ${(storeMs / 1000).toFixed(2)} s, ` +
      `drains ${(drainMs / 1000).toFixed(2)} s, ${calls} refresh calls`,
  );
}

async function insertSeconds(withIndex: boolean): Promise<number> {
  const db = await fresh();
  if (withIndex) {
    await db.query(
      'CREATE UNIQUE INDEX IF NOT EXISTS incidents_event_id ON incidents (event_id, occurred_at)',
    );
    await db.query(
      'CREATE UNIQUE INDEX IF NOT EXISTS accidents_event_id ON accidents (event_id, occurred_at)',
    );
  }
  const store = new EventStoreRepository(db);
  const started = performance.now();
  for (let i = 0; i < events.length; i += BATCH) await store.insert(events.slice(i, i + BATCH));
  const seconds = (performance.now() - started) / 1000;
  await db.close();
  return seconds;
}

await drains();
for (let pair = 1; pair <= 3; pair++) {
  const withIndex = await insertSeconds(true);
  const without = await insertSeconds(false);
  console.log(
    `index pair ${pair}: with the unique event id index ${withIndex.toFixed(2)} s, without ${without.toFixed(2)} s, ` +
      `${(withIndex / without).toFixed(2)} times as fast without`,
  );
}
