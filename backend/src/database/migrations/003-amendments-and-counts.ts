import { countAggregates, compressionSettings } from '../timescale.js';
import type { Migration } from '../migrate.js';

export const amendmentsAndCounts: Migration = {
  version: 3,
  name: 'amendments and hourly / daily counts',
  async up(tx, context) {
    const statements = [
      // The ledger learns where each event lies and what it amends, so amendments are resolved with one
      // index probe. Rule: an event counts unless a stored event amends it (see event-store.repository.ts).
      `ALTER TABLE event_ids ADD COLUMN occurred_at timestamptz,
           ADD COLUMN amends text, ADD COLUMN superseded_by text`,
      `UPDATE event_ids l SET occurred_at = e.occurred_at, amends = e.amends
           FROM (SELECT event_id, occurred_at, amends FROM incidents
                 UNION ALL SELECT event_id, occurred_at, amends FROM accidents) e
          WHERE e.event_id = l.event_id`,
      'ALTER TABLE event_ids ALTER COLUMN occurred_at SET NOT NULL',
      // (amends, event_id): "the first event amending X" is one index probe. On (amends) alone the
      // planner turns min(event_id) into a walk of the primary key, which grows with the ledger.
      'CREATE INDEX event_ids_amends ON event_ids (amends, event_id) WHERE amends IS NOT NULL',
      `UPDATE event_ids l SET superseded_by = a.by
           FROM (SELECT amends AS target, min(event_id) AS by FROM event_ids
                  WHERE amends IS NOT NULL GROUP BY amends) a
          WHERE l.event_id = a.target`,
      'ALTER TABLE incidents ADD COLUMN superseded_by text',
      'ALTER TABLE accidents ADD COLUMN superseded_by text',
      `UPDATE incidents e SET superseded_by = l.superseded_by FROM event_ids l
          WHERE l.event_id = e.event_id AND l.superseded_by IS NOT NULL`,
      `UPDATE accidents e SET superseded_by = l.superseded_by FROM event_ids l
          WHERE l.event_id = e.event_id AND l.superseded_by IS NOT NULL`,
      // The bucket geometry the aggregates were built with; a region in another time zone is refused.
      `CREATE TABLE time_buckets (
           time_zone   text        NOT NULL,
           hour_origin timestamptz NOT NULL,
           singleton   boolean     PRIMARY KEY DEFAULT true CHECK (singleton)
         )`,
      // Local days whose continuous aggregates must be refreshed (TimescaleDB only; filled in the
      // batch's transaction, drained after commit and at start-up, so no back-dated change is missed).
      `CREATE TABLE aggregate_refresh_queue (
           id  bigserial   PRIMARY KEY,
           day timestamptz NOT NULL
         )`,
      ...countAggregates(context),
      ...compressionSettings(context.timescale),
    ];
    for (const sql of statements) await tx.query(sql);
    await tx.query('INSERT INTO time_buckets (time_zone, hour_origin) VALUES ($1, $2)', [
      context.timeZone,
      context.hourOrigin,
    ]);
  },
};
