import { Logger } from '@nestjs/common';
import { utcOffsetMs } from '@district-monitor/streams';
import type { Database, Queryable } from './database.js';

/**
 * Every TimescaleDB-only statement lives here beside its plain-PostgreSQL twin, so the same schema
 * runs on PGlite with TimescaleDB, a TimescaleDB server and Debian's plain PostgreSQL.
 */
const logger = new Logger('TimescaleDB');

/** Creates the extension when the server offers it; returns its version, or null on plain PostgreSQL. */
export async function enableTimescale(db: Queryable): Promise<string | null> {
  const available = await db.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'");
  if (available.rows.length > 0) {
    try {
      await db.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
    } catch (error) {
      // Offered but not loadable (not in shared_preload_libraries, or no privilege): run as plain PostgreSQL.
      logger.warn(`timescaledb is available but could not be enabled, using plain tables: ${String(error)}`);
    }
  }
  const installed = await db.query<{ extversion: string }>(
    "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'",
  );
  return installed.rows[0]?.extversion ?? null;
}

/**
 * Turns an event table into a hypertable on `occurred_at` (7-day chunks). Plain twin: the table stays
 * a regular table, served by the same (district, occurred_at) index.
 */
export function timeSeriesTable(table: string, timescale: boolean): string[] {
  if (!timescale) return [];
  return [
    `SELECT create_hypertable('${table}', by_range('occurred_at', INTERVAL '7 days'), if_not_exists => TRUE)`,
  ];
}

/** The continuous aggregates (TimescaleDB) and what each is built from. */
export const CONTINUOUS_AGGREGATES = [
  { view: 'incidents_hourly', hypertable: 'incidents', width: 'hour' },
  { view: 'accidents_hourly', hypertable: 'accidents', width: 'hour' },
  { view: 'incidents_daily', hypertable: 'incidents', width: 'day' },
  { view: 'accidents_daily', hypertable: 'accidents', width: 'day' },
] as const;

const quote = (value: string): string => `'${value.replace(/'/g, "''")}'`;

const HOUR_MS = 3_600_000;

/** One continuous aggregate: counts of the events that count, in buckets of `time_bucket(width, t, how)`. */
function continuousAggregate(view: string, hypertable: 'incidents' | 'accidents', how: string): string {
  const width = view.endsWith('_hourly') ? 'hour' : 'day';
  const casualties =
    hypertable === 'accidents'
      ? 'sum(killed)::int AS killed, sum(injured)::int AS injured'
      : '0 AS killed, 0 AS injured';
  return `CREATE MATERIALIZED VIEW ${view}
      WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
      SELECT time_bucket(INTERVAL '1 ${width}', occurred_at, ${how}) AS bucket, district, category,
             count(*)::int AS events, ${casualties}
        FROM ${hypertable} WHERE superseded_by IS NULL
       GROUP BY 1, 2, 3 WITH NO DATA`;
}

/**
 * Whether the hourly aggregates bucket by the region's time zone (migration 12) rather than by the hour
 * origin: where the two give the same buckets and TimescaleDB would misalign the origin's. That is a zone
 * whose hours start at hh:30 UTC (IST) and whose offset does not change (2000-2040, the span `HourClock`
 * checks): TimescaleDB aligns the refresh window and the invalidation threshold of an aggregate bucketed by
 * origin to whole UTC hours, which cuts an hh:30 bucket in two, and aligns those of one bucketed by time
 * zone to its local hours. Whole-hour origins (Chicago) are aligned already, and a zone with daylight
 * saving would merge its repeated local hour into one bucket, so both keep the origin.
 */
export function hourlyBucketsByZone(context: { timeZone: string; hourOrigin: string }): boolean {
  const shift = ((Date.parse(context.hourOrigin) % HOUR_MS) + HOUR_MS) % HOUR_MS;
  if (shift !== HOUR_MS / 2) return false;
  const offset = utcOffsetMs(Date.UTC(2000, 0, 1), context.timeZone);
  for (let year = 2000; year <= 2040; year++) {
    for (const month of [0, 6]) {
      if (utcOffsetMs(Date.UTC(year, month, 1), context.timeZone) !== offset) return false;
    }
  }
  return true;
}

/**
 * Migration 12 (TimescaleDB, where `hourlyBucketsByZone`): the hourly aggregates rebuilt to bucket by
 * the region's time zone, the same buckets as before, and every stored day queued for the start-up
 * refresh. The refresh policies are set again at every start (`applyStoragePolicies`).
 */
export function hourlyAggregatesByZone(context: { timeZone: string }): string[] {
  const hourly = CONTINUOUS_AGGREGATES.filter(({ width }) => width === 'hour');
  return [
    'DROP VIEW event_counts_hourly',
    ...hourly.map(({ view }) => `DROP MATERIALIZED VIEW ${view}`),
    ...hourly.map(({ view, hypertable }) => continuousAggregate(view, hypertable, quote(context.timeZone))),
    HOURLY_VIEW,
    queueStoredDays(quote(context.timeZone)),
  ];
}

const HOURLY_VIEW = `CREATE VIEW event_counts_hourly AS
       SELECT * FROM incidents_hourly UNION ALL SELECT * FROM accidents_hourly`;

/** Queues every local day that holds a stored event (aggregates created empty are refreshed at start-up). */
const queueStoredDays = (zone: string): string => `INSERT INTO aggregate_refresh_queue (day)
     SELECT DISTINCT time_bucket(INTERVAL '1 day', occurred_at, ${zone}) FROM event_ids`;

/**
 * Hourly and daily counts per district × category of the events that count (not superseded by an
 * amendment), read through two views with the same columns everywhere:
 * `event_counts_hourly (bucket, district, category, events, killed, injured)` and
 * `event_counts_daily (day, …)`. Hourly buckets start at the region's local hours (`hourOrigin`),
 * daily buckets at its local midnights.
 *
 * TimescaleDB: four continuous aggregates (hourly and daily, per event table) with real-time aggregation
 * on (off by default since 2.13), unioned by the two views. A back-dated insert or an amendment into an
 * already materialised bucket stays invisible until that range is refreshed, so every batch queues the
 * days it touched (aggregate_refresh_queue) and `refreshQueuedAggregates` refreshes them after commit.
 *
 * Plain twin: `event_counts_hourly` is a table the ingest transaction keeps exact with signed deltas, and
 * the daily view sums it by local day (a local day is a whole number of the region's local hours).
 */
export function countAggregates(context: {
  timescale: boolean;
  timeZone: string;
  hourOrigin: string;
}): string[] {
  const origin = `TIMESTAMPTZ ${quote(context.hourOrigin)}`;
  const zone = quote(context.timeZone);
  const effectiveIncidents = `SELECT occurred_at, district, category, 0 AS killed, 0 AS injured
      FROM incidents WHERE superseded_by IS NULL`;
  const effectiveAccidents = `SELECT occurred_at, district, category, killed, injured
      FROM accidents WHERE superseded_by IS NULL`;
  if (!context.timescale) {
    return [
      `CREATE TABLE event_counts_hourly (
         bucket   timestamptz NOT NULL,
         district text        NOT NULL,
         category text        NOT NULL,
         events   integer     NOT NULL CHECK (events >= 0),
         killed   integer     NOT NULL CHECK (killed >= 0),
         injured  integer     NOT NULL CHECK (injured >= 0),
         PRIMARY KEY (district, category, bucket)
       )`,
      // Buckets an amendment emptied, deleted in the same transaction: the index holds only those.
      'CREATE INDEX event_counts_hourly_empty ON event_counts_hourly (bucket) WHERE events = 0',
      `INSERT INTO event_counts_hourly (bucket, district, category, events, killed, injured)
       SELECT date_bin('1 hour', occurred_at, ${origin}), district, category, count(*), sum(killed), sum(injured)
         FROM (${effectiveIncidents} UNION ALL ${effectiveAccidents}) e
        GROUP BY 1, 2, 3`,
      `CREATE VIEW event_counts_daily AS
       SELECT date_trunc('day', bucket, ${zone}) AS day, district, category,
              sum(events)::int AS events, sum(killed)::int AS killed, sum(injured)::int AS injured
         FROM event_counts_hourly GROUP BY 1, 2, 3`,
    ];
  }
  const aggregates = CONTINUOUS_AGGREGATES.map(({ view, hypertable, width }) =>
    continuousAggregate(view, hypertable, width === 'hour' ? `origin => ${origin}` : zone),
  );
  return [
    ...aggregates,
    HOURLY_VIEW,
    `CREATE VIEW event_counts_daily AS
       SELECT bucket AS day, district, category, events, killed, injured FROM incidents_daily
       UNION ALL
       SELECT bucket, district, category, events, killed, injured FROM accidents_daily`,
    // Created empty: the days already stored are queued, and refreshed at the next start-up.
    queueStoredDays(zone),
  ];
}

/**
 * Columnar compression of the event tables (segment per district, newest first). The policy that
 * compresses chunks is set at start-up by `applyStoragePolicies`, from the amendment window.
 */
export function compressionSettings(timescale: boolean): string[] {
  if (!timescale) return [];
  return ['incidents', 'accidents'].map(
    (table) =>
      `ALTER TABLE ${table} SET (timescaledb.compress, timescaledb.compress_segmentby = 'district',
         timescaledb.compress_orderby = 'occurred_at DESC')`,
  );
}

/**
 * Sets the background policies from the configuration, replacing those of an earlier start. Chunks are
 * compressed only once every row in them is older than the amendment window (plus a day of clock
 * margin), so an amendment inside the window never updates a compressed chunk. The refresh policies
 * re-materialise the window on a TimescaleDB server; PGlite registers but never runs them (no job
 * scheduler), which is why batches also refresh exactly what they touched. Plain PostgreSQL: nothing to set.
 */
export async function applyStoragePolicies(
  db: Database,
  options: { timescale: boolean; amendmentWindowDays: number },
): Promise<void> {
  if (!options.timescale) return;
  const window = `INTERVAL '${options.amendmentWindowDays + 1} days'`;
  // One instance at a time (the migrations' lock): two starting together would both add a policy.
  await db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('district-monitor migrations'))");
    for (const table of ['incidents', 'accidents']) {
      await tx.query(`SELECT remove_compression_policy('${table}', if_exists => true)`);
      await tx.query(`SELECT add_compression_policy('${table}', compress_after => ${window})`);
    }
    for (const { view, width } of CONTINUOUS_AGGREGATES) {
      await tx.query(`SELECT remove_continuous_aggregate_policy('${view}', if_exists => true)`);
      await tx.query(
        `SELECT add_continuous_aggregate_policy('${view}', start_offset => ${window},
           end_offset => INTERVAL '1 ${width}', schedule_interval => INTERVAL '1 hour')`,
      );
    }
  });
}

/**
 * Each continuous aggregate's watermark (ms since the epoch), and whether TimescaleDB refreshes a window of
 * whole local days of it exactly. Buckets before the watermark are read from the materialisation, buckets
 * from it on are aggregated from the events at every read (real-time aggregation); before the first refresh
 * it lies far in the past. Whole days refresh exactly when the aggregate is bucketed by time zone or from a
 * whole-hour origin, not from an hh:30 or hh:45 origin (see `refreshQueuedAggregates`). Reads TimescaleDB's
 * catalog (2.14 or later).
 */
export async function aggregateStates(
  db: Queryable,
): Promise<Map<string, { watermark: number; wholeDays: boolean }>> {
  const { rows } = await db.query<{ view: string; watermark: number | string; whole_days: boolean }>(
    `SELECT c.user_view_name AS view,
            (extract(epoch FROM _timescaledb_functions.to_timestamp(
               _timescaledb_functions.cagg_watermark(c.mat_hypertable_id))) * 1000)::float8 AS watermark,
            (f.bucket_timezone IS NOT NULL
             OR (coalesce(extract(epoch FROM f.bucket_origin::timestamptz)::bigint % 3600 = 0, true)
                 AND coalesce(extract(epoch FROM f.bucket_offset::interval)::bigint % 3600 = 0, true))) AS whole_days
       FROM _timescaledb_catalog.continuous_agg c
       JOIN _timescaledb_catalog.continuous_aggs_bucket_function f USING (mat_hypertable_id)
      WHERE c.user_view_name = ANY($1::text[])`,
    [CONTINUOUS_AGGREGATES.map(({ view }) => view)],
  );
  return new Map(
    rows.map((row) => [row.view, { watermark: Number(row.watermark), wholeDays: row.whole_days }]),
  );
}

/** Each continuous aggregate's watermark (see `aggregateStates`). */
export async function aggregateWatermarks(db: Queryable): Promise<Map<string, number>> {
  const states = await aggregateStates(db);
  return new Map([...states].map(([view, state]) => [view, state.watermark]));
}

/** Consecutive [start, finish) spans joined into one (one refresh call per aggregate and range). */
function joinRanges(days: readonly { start: number; finish: number }[]): { start: number; finish: number }[] {
  const ranges: { start: number; finish: number }[] = [];
  for (const day of days) {
    const last = ranges.at(-1);
    if (last !== undefined && last.finish === day.start) last.finish = day.finish;
    else ranges.push({ ...day });
  }
  return ranges;
}

/**
 * Refreshes the continuous aggregates over the queued local days that need it, and removes those queue
 * entries; returns the number of days refreshed. `refresh_continuous_aggregate` cannot run inside a
 * transaction, so this runs after the batches that queued the days have committed. Concurrent callers may
 * refresh a day twice, which is harmless.
 *
 * Which days need it, per aggregate (real-time aggregation is on), where TimescaleDB refreshes a window
 * of whole local days exactly:
 * - a day that starts before the aggregate's watermark: part of it is materialised, and a change there
 *   stays invisible until it is refreshed;
 * - a day that has ended (`finish <= now`): refreshed once it is whole, which moves the watermark to its
 *   end, so the events the views aggregate at every read stay those of the open day.
 * A day still open and wholly after the watermark is exact without a refresh (the views aggregate it from
 * the events); one entry of it stays queued, and the first drain after the day ends refreshes it. So while
 * events stream into the open day, a drain reads only the closed days that late events or amendments
 * touched, not the open day again and again. The window is then the days themselves.
 *
 * Where that holds (`timescale.spec.ts`, TimescaleDB 2.23): the daily aggregates (`time_bucket` in the
 * region's time zone, checked on an IST day and Chicago's daylight-saving days), and the hourly ones when
 * bucketed from a whole-hour origin (Chicago) or by the time zone (IST, migration 12; see
 * `hourlyBucketsByZone`). It does not hold for hourly buckets from an hh:30 or hh:45 origin: TimescaleDB
 * aligns their invalidation threshold and refresh window to whole UTC hours, so the bucket that straddles
 * the threshold (the last of a closed day) misses the inserts into its second half. Such aggregates (a
 * zone at hh:45, or at hh:30 with daylight saving) refresh every queued day, open or not, with an hour of
 * margin on each side, which covers the straddling buckets (it was a day on each side before, reading the
 * day before today again at every drain).
 */
export async function refreshQueuedAggregates(
  db: Queryable,
  timeZone: string,
  nowMs: number = Date.now(),
): Promise<number> {
  const { rows } = await db.query<{ ids: (string | number)[]; start: Date | string; finish: Date | string }>(
    `SELECT array_agg(id ORDER BY id) AS ids, day AS start,
            ((day AT TIME ZONE $1) + INTERVAL '1 day') AT TIME ZONE $1 AS finish
       FROM aggregate_refresh_queue GROUP BY day ORDER BY day`,
    [timeZone],
  );
  if (rows.length === 0) return 0;
  const days = rows.map((row) => ({
    ids: row.ids.map(String),
    start: new Date(row.start).getTime(),
    finish: new Date(row.finish).getTime(),
  }));
  const states = await aggregateStates(db);
  const kept = new Set<(typeof days)[number]>();
  for (const { view } of CONTINUOUS_AGGREGATES) {
    const state = states.get(view);
    const exact = state?.wholeDays ?? false;
    // An aggregate that does not refresh whole days exactly (or is missing) is refreshed over every queued day.
    const watermark = exact && state !== undefined ? state.watermark : Number.POSITIVE_INFINITY;
    const due = days.filter((day) => day.finish <= nowMs || day.start < watermark);
    for (const day of days) if (!due.includes(day)) kept.add(day);
    const margin = exact ? 0 : HOUR_MS;
    for (const range of joinRanges(due)) {
      const start = range.start - margin;
      const finish = range.finish + margin;
      await db.query('CALL refresh_continuous_aggregate($1, $2::timestamptz, $3::timestamptz)', [
        view,
        new Date(start).toISOString(),
        new Date(finish).toISOString(),
      ]);
    }
  }
  // Exactly the entries read (one queued meanwhile, even with a smaller id, stays), but the first of a
  // day still open, which the first drain after its end refreshes.
  const ids = days.flatMap((day) => (kept.has(day) ? day.ids.slice(1) : day.ids));
  if (ids.length > 0)
    await db.query('DELETE FROM aggregate_refresh_queue WHERE id = ANY($1::bigint[])', [ids]);
  return days.length - kept.size;
}
