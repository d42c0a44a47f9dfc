import { Logger } from '@nestjs/common';
import { HourClock, hourOriginIso } from '@district-monitor/models';
import type { Region } from '@district-monitor/streams';
import type { Database, Queryable } from './database.js';
import { countAggregates, compressionSettings, timeSeriesTable } from './timescale.js';

/** What a migration may depend on besides the schema before it. */
export interface MigrationContext {
  /** Whether TimescaleDB is installed (hypertables, continuous aggregates) or this is plain PostgreSQL. */
  readonly timescale: boolean;
  /** The region's IANA time zone: hourly buckets follow its local hours, daily buckets its local days. */
  readonly timeZone: string;
  /** Start of one local hour (e.g. 2000-01-01T00:30:00Z for Asia/Kolkata): the origin of hourly buckets. */
  readonly hourOrigin: string;
}

/** What the migrations need to know of the region: its time zone and where its local hours start. */
export function bucketContext(region: Pick<Region, 'timeZone'>): Omit<MigrationContext, 'timescale'> {
  return { timeZone: region.timeZone, hourOrigin: hourOriginIso(new HourClock(region.timeZone)) };
}

export interface Migration {
  readonly version: number;
  readonly name: string;
  up(tx: Queryable, context: MigrationContext): Promise<void>;
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
  {
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
  },
  {
    version: 4,
    name: 'model registry',
    async up(tx) {
      // Plain SQL: the same on TimescaleDB and on PostgreSQL 15 (see backend/src/models/).
      const statements = [
        'CREATE SEQUENCE model_version_seq',
        `CREATE TABLE model_versions (
           id            text        PRIMARY KEY DEFAULT ('v' || nextval('model_version_seq')),
           created_at    timestamptz NOT NULL DEFAULT now(),
           finished_at   timestamptz,
           trained_until timestamptz NOT NULL,
           status        text        NOT NULL CHECK (status IN ('training', 'ready', 'failed')),
           requested_by  text        NOT NULL CHECK (requested_by IN ('schedule', 'startup', 'api')),
           card          jsonb,
           bundle        jsonb,
           error         text,
           CHECK (status <> 'ready' OR (card IS NOT NULL AND bundle IS NOT NULL AND finished_at IS NOT NULL)),
           CHECK (status <> 'failed' OR (error IS NOT NULL AND finished_at IS NOT NULL)),
           -- The target of model_active's foreign key, which pins the active version's status.
           UNIQUE (id, status)
         )`,
        // One training at a time, across every instance sharing the database.
        `CREATE UNIQUE INDEX model_versions_one_training ON model_versions (status) WHERE status = 'training'`,
        'CREATE INDEX model_versions_created_at ON model_versions (created_at DESC)',
        // The active version: one row once a first version is ready. The foreign key on (id, 'ready')
        // means only a ready version can be activated, and the active one can never be marked failed.
        `CREATE TABLE model_active (
           singleton    boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
           version_id   text        NOT NULL,
           status       text        NOT NULL DEFAULT 'ready' CHECK (status = 'ready'),
           activated_at timestamptz NOT NULL DEFAULT now(),
           FOREIGN KEY (version_id, status) REFERENCES model_versions (id, status)
         )`,
      ];
      for (const sql of statements) await tx.query(sql);
    },
  },
  {
    version: 5,
    name: 'alerts, silences, notifications and the audit log',
    async up(tx) {
      const statements = [
        // Rules are data, edited by admins through the API; the engine seeds the region's defaults once.
        `CREATE TABLE alert_rules (
           id          text        PRIMARY KEY,
           region      text        NOT NULL,
           rule        jsonb       NOT NULL,
           updated_at  timestamptz NOT NULL DEFAULT now(),
           updated_by  text        NOT NULL
         )`,
        // One row per alert episode (pending .. resolved); `version` guards every update, so two writers
        // racing over one alert cannot both win.
        `CREATE TABLE alerts (
           id               text        PRIMARY KEY,
           fingerprint      text        NOT NULL,
           rule_id          text        NOT NULL,
           district         text        NOT NULL,
           state            text        NOT NULL CHECK (state IN ('pending', 'firing', 'acknowledged', 'resolved')),
           record           jsonb       NOT NULL,
           version          integer     NOT NULL,
           started_at       timestamptz NOT NULL,
           updated_at       timestamptz NOT NULL,
           resolved_at      timestamptz
         )`,
        // Deduplication in the database: at most one open alert per fingerprint, whoever writes it.
        "CREATE UNIQUE INDEX alerts_open_fingerprint ON alerts (fingerprint) WHERE state <> 'resolved'",
        'CREATE INDEX alerts_district_started ON alerts (district, started_at DESC)',
        'CREATE INDEX alerts_started ON alerts (started_at DESC)',
        `CREATE TABLE silences (
           id          text        PRIMARY KEY,
           matchers    jsonb       NOT NULL,
           reason      text        NOT NULL CHECK (reason <> ''),
           created_by  text        NOT NULL,
           starts_at   timestamptz NOT NULL,
           ends_at     timestamptz NOT NULL CHECK (ends_at > starts_at),
           expired_by  text
         )`,
        // The outbox of grouped notifications: the idempotency key makes a second writer's (or a
        // restarted writer's) copy of a notification a no-op. Fanned out to webhooks by the delivery side.
        `CREATE TABLE alert_notifications (
           id              text        PRIMARY KEY,
           idempotency_key text        NOT NULL UNIQUE,
           district        text        NOT NULL,
           kind            text        NOT NULL CHECK (kind IN ('firing', 'resolved', 'escalation', 'repeat')),
           level           integer     NOT NULL,
           body            jsonb       NOT NULL,
           created_at      timestamptz NOT NULL DEFAULT now(),
           fanned_out_at   timestamptz
         )`,
        'CREATE INDEX alert_notifications_pending ON alert_notifications (created_at) WHERE fanned_out_at IS NULL',
        // Append-only: the application only inserts, and a trigger refuses updates and deletes.
        `CREATE TABLE audit_log (
           id       bigserial   PRIMARY KEY,
           at       timestamptz NOT NULL DEFAULT now(),
           actor    text        NOT NULL,
           action   text        NOT NULL,
           subject  text        NOT NULL,
           reason   text,
           details  jsonb       NOT NULL DEFAULT '{}'::jsonb
         )`,
        'CREATE INDEX audit_log_subject ON audit_log (subject, id)',
        `CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           RAISE EXCEPTION 'audit_log is append-only';
         END $$`,
        `CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
           FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`,
      ];
      for (const sql of statements) await tx.query(sql);
    },
  },
  {
    version: 6,
    name: 'users and sessions',
    async up(tx) {
      const statements = [
        // `password_hash` is scrypt with a per-user salt (auth/password.ts). `token_version` is carried in
        // every session token; a password change bumps it, so the sessions issued before it stop working.
        `CREATE TABLE users (
           id             text        PRIMARY KEY,
           username       text        NOT NULL UNIQUE,
           role           text        NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
           districts      jsonb,
           password_hash  text        NOT NULL,
           token_version  integer     NOT NULL DEFAULT 1,
           disabled       boolean     NOT NULL DEFAULT false,
           created_at     timestamptz NOT NULL DEFAULT now()
         )`,
        // Values the replicas on one database share; `jwt_secret` when JWT_SECRET is unset.
        `CREATE TABLE auth_settings (
           name        text        PRIMARY KEY,
           value       text        NOT NULL,
           created_at  timestamptz NOT NULL DEFAULT now()
         )`,
      ];
      for (const sql of statements) await tx.query(sql);
    },
  },
  {
    // Alert delivery (backend/src/alerts/delivery): keep after 6; the next free version is 8.
    version: 7,
    name: 'webhook subscriptions and deliveries',
    async up(tx) {
      const statements = [
        // The secret signs every request (HMAC-SHA256), so it is kept as is; it is shown once, at creation.
        `CREATE TABLE webhook_subscriptions (
           id          text        PRIMARY KEY,
           name        text        NOT NULL,
           url         text        NOT NULL CHECK (url ~ '^https?://'),
           secret      text        NOT NULL,
           filter      jsonb       NOT NULL,
           enabled     boolean     NOT NULL DEFAULT true,
           created_by  text        NOT NULL,
           created_at  timestamptz NOT NULL DEFAULT now()
         )`,
        // The delivery log and the retry queue in one: one row per (subscription, notification), so a
        // notification fanned out twice is still sent once. `lease_token` marks the attempt in flight;
        // `next_attempt_at` is pushed past the lease when claimed, so a dead sender's row comes due again.
        `CREATE TABLE webhook_deliveries (
           id               bigserial   PRIMARY KEY,
           subscription_id  text        NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
           notification_id  text        NOT NULL REFERENCES alert_notifications (id) ON DELETE CASCADE,
           idempotency_key  text        NOT NULL,
           state            text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
           attempts         integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
           next_attempt_at  timestamptz,
           lease_token      text,
           last_status      integer,
           last_error       text,
           delivered_at     timestamptz,
           created_at       timestamptz NOT NULL DEFAULT now(),
           UNIQUE (subscription_id, notification_id),
           CHECK ((state = 'pending') = (next_attempt_at IS NOT NULL)),
           CHECK ((state = 'delivered') = (delivered_at IS NOT NULL))
         )`,
        `CREATE INDEX webhook_deliveries_due ON webhook_deliveries (subscription_id, next_attempt_at)
           WHERE state = 'pending'`,
        'CREATE INDEX webhook_deliveries_log ON webhook_deliveries (subscription_id, id DESC)',
      ];
      for (const sql of statements) await tx.query(sql);
    },
  },
  {
    // Time travel (backend/src/board-history).
    version: 8,
    name: 'score history',
    async up(tx, { timescale }) {
      const statements = [
        // Each district's model score, at most once per SCORE_HISTORY_MINUTES: the board at a past instant
        // is coloured by the last row at or before it.
        `CREATE TABLE score_history (
           district       text             NOT NULL,
           as_of          timestamptz      NOT NULL,
           model_version  text             NOT NULL,
           elevated       double precision NOT NULL,
           expected_count double precision NOT NULL
         )`,
        // TimescaleDB: a hypertable on as_of (30-day chunks: a few thousand small rows a day). Plain twin:
        // a regular table; both are read through the (district, as_of DESC) index.
        ...(timescale
          ? [
              `SELECT create_hypertable('score_history', by_range('as_of', INTERVAL '30 days'), if_not_exists => TRUE)`,
            ]
          : []),
        'CREATE INDEX score_history_district_time ON score_history (district, as_of DESC)',
      ];
      for (const sql of statements) await tx.query(sql);
    },
  },
  {
    // The region's yearly district history (backend/src/history, data/history/*.json): plain tables on
    // TimescaleDB, PGlite and PostgreSQL alike (a few thousand yearly rows: no time partitioning helps).
    version: 9,
    name: 'district history',
    async up(tx) {
      const statements = [
        // One row per region: the loaded file's content hash (reload when it changes) and its descriptive
        // part (heads, sources, units, rules) as the file states it.
        `CREATE TABLE history_versions (
           region     text        PRIMARY KEY,
           version    text        NOT NULL,
           loaded_at  timestamptz NOT NULL DEFAULT now(),
           meta       jsonb       NOT NULL
         )`,
        // The population a rate divides by, per unit and year the unit reported (districts only).
        `CREATE TABLE history_populations (
           region     text    NOT NULL,
           unit       text    NOT NULL,
           year       integer NOT NULL,
           population integer NOT NULL CHECK (population > 0),
           estimated  boolean NOT NULL,
           carries    text[]  NOT NULL,
           PRIMARY KEY (region, unit, year)
         )`,
        // Every figure the file has (nulls are not stored), with the id of its source file.
        `CREATE TABLE history_values (
           region  text    NOT NULL,
           unit    text    NOT NULL,
           head    text    NOT NULL,
           year    integer NOT NULL,
           value   integer NOT NULL CHECK (value >= 0),
           source  text    NOT NULL,
           PRIMARY KEY (region, head, year, unit)
         )`,
        'CREATE INDEX history_values_unit ON history_values (region, unit, head, year)',
      ];
      for (const sql of statements) await tx.query(sql);
    },
  },
  {
    version: 10,
    name: 'history analysis registry',
    async up(tx) {
      // Plain SQL: the same on TimescaleDB and on PostgreSQL 15 (see backend/src/history-analysis/).
      const statements = [
        'CREATE SEQUENCE history_analysis_seq',
        `CREATE TABLE history_analysis_versions (
           id            text        PRIMARY KEY DEFAULT ('h' || nextval('history_analysis_seq')),
           history_hash  text        NOT NULL,
           created_at    timestamptz NOT NULL DEFAULT now(),
           finished_at   timestamptz,
           status        text        NOT NULL CHECK (status IN ('training', 'ready', 'failed')),
           bundle        jsonb,
           error         text,
           CHECK (status <> 'ready' OR (bundle IS NOT NULL AND finished_at IS NOT NULL)),
           CHECK (status <> 'failed' OR (error IS NOT NULL AND finished_at IS NOT NULL))
         )`,
        // One ready analysis per history content.
        `CREATE UNIQUE INDEX history_analysis_ready ON history_analysis_versions (history_hash) WHERE status = 'ready'`,
        'CREATE INDEX history_analysis_created ON history_analysis_versions (created_at DESC)',
      ];
      for (const sql of statements) await tx.query(sql);
    },
  },
  {
    // The backfill of simulated history (backend/src/simulator/backfill.service.ts).
    version: 11,
    name: 'simulation backfill',
    async up(tx) {
      // One row per database: the plan (span, seed, rate) fixed when the backfill first started, so a
      // restart regenerates the same events (same ids) and resumes after `reached`.
      await tx.query(`CREATE TABLE simulation_backfill (
         id           integer          PRIMARY KEY CHECK (id = 1),
         from_at      timestamptz      NOT NULL,
         until_at     timestamptz      NOT NULL,
         seed         integer          NOT NULL,
         multiplier   double precision NOT NULL,
         reached_at   timestamptz,
         events       bigint           NOT NULL DEFAULT 0,
         started_at   timestamptz      NOT NULL DEFAULT now(),
         finished_at  timestamptz
       )`);
    },
  },
];

/** The aggregates were built for one time zone; opening the database for a region in another is an error. */
async function checkTimeBuckets(db: Queryable, context: MigrationContext): Promise<void> {
  const { rows } = await db.query<{ time_zone: string; hour_origin: Date | string }>(
    'SELECT time_zone, hour_origin FROM time_buckets',
  );
  const [stored] = rows;
  if (stored === undefined) return;
  const origin = new Date(stored.hour_origin).getTime();
  if (stored.time_zone !== context.timeZone || origin !== Date.parse(context.hourOrigin)) {
    throw new Error(
      `this database's hourly and daily counts are bucketed in time zone ${stored.time_zone}, ` +
        `but the region uses ${context.timeZone}: use a database made for this region ` +
        '(another DATA_DIR or DATABASE_URL)',
    );
  }
}

const logger = new Logger('Migrations');

/** Applies pending migrations, one transaction each, under an advisory lock (several replicas may start). */
export async function migrate(
  db: Database,
  context: Omit<MigrationContext, 'timescale'>,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  const full: MigrationContext = { ...context, timescale: db.info.timescaledb !== null };
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
      await migration.up(tx, full);
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
  await checkTimeBuckets(db, full);
  return applied;
}
