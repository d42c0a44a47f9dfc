import { Logger } from '@nestjs/common';
import type { Database, Queryable } from './database.js';
import { timeSeriesTable } from './timescale.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  up(tx: Queryable, capabilities: { timescale: boolean }): Promise<void>;
}

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

/** Versioned, append-only: never edit a released migration, add the next one. */
export const MIGRATIONS: readonly Migration[] = [
  {
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
  },
  {
    version: 2,
    name: 'producer keys',
    async up(tx) {
      // API keys of HTTP producers (`npm run keys`): `id` is the public lookup part of the key, and only
      // sha256 of its secret part is kept. A revoked key stays, so its name keeps meaning one key in logs.
      await tx.query(`CREATE TABLE producer_keys (
        id              text        PRIMARY KEY,
        name            text        NOT NULL UNIQUE,
        secret_hash     text        NOT NULL,
        rate_per_second integer     NOT NULL CHECK (rate_per_second > 0),
        burst           integer     NOT NULL CHECK (burst > 0),
        created_at      timestamptz NOT NULL DEFAULT now(),
        revoked_at      timestamptz,
        last_used_at    timestamptz
      )`);
    },
  },
];

const logger = new Logger('Migrations');

/** Applies pending migrations, one transaction each, under an advisory lock (several replicas may start). */
export async function migrate(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer     PRIMARY KEY,
    name       text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const applied: number[] = [];
  for (const migration of migrations) {
    const done = await db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtext('district-monitor migrations'))");
      const seen = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
      if (seen.rows.length > 0) return false;
      await migration.up(tx, { timescale: db.info.timescaledb !== null });
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (done) {
      applied.push(migration.version);
      logger.log(`applied migration ${migration.version}: ${migration.name}`);
    }
  }
  return applied;
}
