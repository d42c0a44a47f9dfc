import type { Migration } from '../migrate.js';

export const eventIdIndexTimescale: Migration = {
  // TimescaleDB only. The unique (event_id, occurred_at) index of each event table: the ledger (event_ids,
  // primary key event_id) already makes an id unique, and the one query that finds rows by id and time (an
  // amendment's SUPERSEDE) is served there by the hypertable's own occurred_at index, equality on the time
  // and a filter on the id. Without it, PGlite's idempotent insert ran a median 1.10 times as fast (docs/ingest.md). On plain
  // PostgreSQL it stays: it is the only index that serves that query.
  version: 13,
  name: 'no event id index on hypertables',
  async up(tx, context) {
    if (!context.timescale) return;
    await tx.query('DROP INDEX IF EXISTS incidents_event_id');
    await tx.query('DROP INDEX IF EXISTS accidents_event_id');
  },
};
