import { timeSeriesTable } from '../timescale.js';
import type { Migration } from '../migrate.js';

const eventColumns = `
  event_id      text        NOT NULL,
  -- The exact time, or the midpoint of occurred_from..occurred_to when only a window is known.
  occurred_at   timestamptz NOT NULL,
  occurred_from timestamptz,
  occurred_to   timestamptz,
  reported_at   timestamptz NOT NULL,
  ingested_at   timestamptz NOT NULL DEFAULT now(),
  district      text        NOT NULL,
  unit          text,
  category      text        NOT NULL,
  severity      text        NOT NULL,
  lat           double precision,
  lon           double precision,
  amends        text,
  source        text`;

export const eventTables: Migration = {
  version: 1,
  name: 'event tables',
  async up(tx, { timescale }) {
    const statements = [
      // Global idempotency ledger: a hypertable's unique keys must include its time column, so the
      // producer's event id is made unique here and the event tables only take ids new to it.
      `CREATE TABLE event_ids (
           event_id    text        PRIMARY KEY,
           kind        text        NOT NULL CHECK (kind IN ('incident', 'accident')),
           ingested_at timestamptz NOT NULL DEFAULT now()
         )`,
      // Ids are claimed in arrival order, so a BRIN index serves the per-minute counts at almost no write cost.
      'CREATE INDEX event_ids_ingested_at ON event_ids USING brin (ingested_at)',
      `CREATE TABLE incidents (${eventColumns})`,
      `CREATE TABLE accidents (${eventColumns},
           killed   integer NOT NULL CHECK (killed >= 0),
           injured  integer NOT NULL CHECK (injured >= 0),
           vehicles integer NOT NULL CHECK (vehicles >= 1))`,
      ...timeSeriesTable('incidents', timescale),
      ...timeSeriesTable('accidents', timescale),
      'CREATE UNIQUE INDEX incidents_event_id ON incidents (event_id, occurred_at)',
      'CREATE UNIQUE INDEX accidents_event_id ON accidents (event_id, occurred_at)',
      'CREATE INDEX incidents_district_time ON incidents (district, occurred_at DESC)',
      'CREATE INDEX accidents_district_time ON accidents (district, occurred_at DESC)',
      // Rejected events of the in-process transport (Kafka deployments use the dead-letter topics).
      `CREATE TABLE dead_letters (
           id          bigserial   PRIMARY KEY,
           received_at timestamptz NOT NULL DEFAULT now(),
           source      text        NOT NULL,
           reason      text        NOT NULL,
           payload     text
         )`,
    ];
    for (const sql of statements) await tx.query(sql);
  },
};
