import { Logger } from '@nestjs/common';
import { HourClock, hourOriginIso } from '@district-monitor/models';
import type { Region } from '@district-monitor/streams';
import type { Database, Queryable } from './database.js';
import { MIGRATIONS } from './migrations/index.js';

/** The migrations live one per file in migrations/ (listed in order by migrations/index.ts). */
export { MIGRATIONS };

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
