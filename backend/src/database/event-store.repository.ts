import { Inject, Injectable } from '@nestjs/common';
import type { Category, MonitorEvent } from '@district-monitor/streams';
import { DATABASE } from '../config/tokens.js';
import type { CopyTarget, Database, DatabaseInfo, Queryable, Transaction } from '../database/database.js';
import { copyText } from '../database/database.js';

function change(row: ChangedRow, sign: 1 | -1): CountChange {
  return {
    district: row.district,
    category: row.category,
    occurredAt: new Date(row.occurred_at),
    events: sign,
    killed: sign * row.killed,
    injured: sign * row.injured,
  };
}

/** An event stored by this batch (its id was new). */
export interface StoredEvent {
  readonly eventId: string;
  readonly district: string;
  readonly category: Category;
  readonly occurredAt: Date;
  /** The event this one corrects, if any. */
  readonly amends: string | null;
  /** False when an event stored earlier already amends this one: it is kept but never counted. */
  readonly counts: boolean;
}

/**
 * A change of the counts: +1 for an event that now counts, -1 for one an amendment superseded (its
 * count leaves its old district, category and hour). Casualties travel with the same sign.
 */
export interface CountChange {
  readonly district: string;
  readonly category: Category;
  readonly occurredAt: Date;
  readonly events: 1 | -1;
  readonly killed: number;
  readonly injured: number;
}

export interface InsertResult {
  readonly stored: StoredEvent[];
  readonly changes: CountChange[];
}

interface ChangedRow {
  district: string;
  category: Category;
  occurred_at: Date | string;
  killed: number;
  injured: number;
}

interface StoredRow extends ChangedRow {
  event_id: string;
  amends: string | null;
  superseded_by: string | null;
}

/**
 * How a batch reaches the database before the one statement that stores it:
 * - `copy`: COPY (text format) into a temporary staging table, the bulk path of both engines;
 * - `unnest`: one array parameter per column, expanded by `unnest`;
 * - `json`: the whole batch as one JSON parameter, expanded by `json_to_recordset`.
 * All three feed the same statement, so they keep the same guarantees; `npm run bench -- --only ingest`
 * measures them side by side, and each engine uses its fastest (DEFAULT_WRITE_METHOD).
 */
export type WriteMethod = 'copy' | 'unnest' | 'json';
export const WRITE_METHODS: readonly WriteMethod[] = ['copy', 'unnest', 'json'];

/**
 * The fastest method per engine, measured by the bench's ingest section (docs/ingest.md). PGlite: `copy`
 * (its JSON and array parsing run in WASM). PostgreSQL: `json`; `copy` ties with it inside the ingest path
 * and loses alone, its two more round trips (staging table, COPY stream) costing what the parse saves.
 */
export const DEFAULT_WRITE_METHOD: Readonly<Record<DatabaseInfo['kind'], WriteMethod>> = {
  postgres: 'json',
  pglite: 'copy',
};

/** The batch's columns, in the staging table's and the COPY rows' order. */
const BATCH_COLUMNS = [
  ['event_id', 'text'],
  ['kind', 'text'],
  ['district', 'text'],
  ['unit', 'text'],
  ['category', 'text'],
  ['severity', 'text'],
  ['occurred_exact', 'timestamptz'],
  ['occurred_from', 'timestamptz'],
  ['occurred_to', 'timestamptz'],
  ['reported_at', 'timestamptz'],
  ['lat', 'float8'],
  ['lon', 'float8'],
  ['amends', 'text'],
  ['source', 'text'],
  ['killed', 'integer'],
  ['injured', 'integer'],
  ['vehicles', 'integer'],
] as const;

type BatchField = string | number | null;

/** One event as the batch's column values (BATCH_COLUMNS order). */
function batchRow(event: MonitorEvent): BatchField[] {
  const accident = event.kind === 'accident' ? event : undefined;
  return [
    event.eventId,
    event.kind,
    event.district,
    event.unit ?? null,
    event.category,
    event.severity,
    event.occurredAt ?? null,
    event.occurredWindow?.start ?? null,
    event.occurredWindow?.end ?? null,
    event.reportedAt,
    event.location?.lat ?? null,
    event.location?.lon ?? null,
    event.amends ?? null,
    event.source ?? null,
    accident?.killed ?? null,
    accident?.injured ?? null,
    accident?.vehicles ?? null,
  ];
}

/**
 * The staging table of the `copy` method: temporary (one per connection, never logged, invisible to
 * other sessions) and emptied at every commit, so a batch only ever sees its own rows, a rolled-back
 * batch leaves nothing behind and a lost connection takes the table with it.
 */
const STAGING: CopyTarget = { table: 'ingest_batch', columns: BATCH_COLUMNS.map(([name]) => name) };
const CREATE_STAGING = `CREATE TEMPORARY TABLE IF NOT EXISTS ${STAGING.table} (
  ${BATCH_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ')}) ON COMMIT DELETE ROWS`;

/** Each method's rows, with the columns named as in BATCH_COLUMNS. */
const BATCH_SOURCE: Readonly<Record<WriteMethod, string>> = {
  copy: `SELECT * FROM ${STAGING.table}`,
  unnest: `SELECT * FROM unnest(${BATCH_COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})
             AS b(${BATCH_COLUMNS.map(([name]) => name).join(', ')})`,
  json: `SELECT b."eventId" AS event_id, b.kind, b.district, b.unit, b.category, b.severity,
                b."occurredAt" AS occurred_exact,
                (b."occurredWindow"->>'start')::timestamptz AS occurred_from,
                (b."occurredWindow"->>'end')::timestamptz AS occurred_to,
                b."reportedAt" AS reported_at,
                (b.location->>'lat')::float8 AS lat, (b.location->>'lon')::float8 AS lon,
                b.amends, b.source, b.killed, b.injured, b.vehicles
           FROM json_to_recordset($1::json) AS b(
             "eventId" text, kind text, district text, unit text, category text, severity text,
             "occurredAt" timestamptz, "occurredWindow" json, "reportedAt" timestamptz, location json,
             amends text, source text, killed integer, injured integer, vehicles integer)`,
};

/**
 * Stores a batch in one statement: the batch's rows (from BATCH_SOURCE), their ids claimed in the
 * ledger, and only the rows whose id was new go to their kind's table. A windowed event is placed at its
 * window's midpoint.
 *
 * Amendments. An event counts unless a stored event amends it. So a correction replaces the event it
 * names wherever it lies (another category, hour or district), a correction of a correction names the
 * correction it replaces, and the result does not depend on arrival order: an amendment that arrives
 * before the event it corrects makes that event arrive already superseded. A new event is superseded
 * when the ledger (before this statement) or this batch holds an amendment of it.
 */
function insertBatch(method: WriteMethod, countsTable: boolean): string {
  return `
  WITH batch AS (
    SELECT b.*, COALESCE(b.occurred_exact, b.occurred_from + (b.occurred_to - b.occurred_from) / 2) AS occurred_at
      FROM (${BATCH_SOURCE[method]}) AS b
  ),
  amended_in_batch AS (
    -- Only amendments new to the store: a re-sent id stays what it was when first stored.
    SELECT amends AS target, min(event_id) AS by FROM batch b
     WHERE amends IS NOT NULL AND NOT EXISTS (SELECT 1 FROM event_ids l WHERE l.event_id = b.event_id)
     GROUP BY amends
  ),
  fresh AS (
    INSERT INTO event_ids (event_id, kind, occurred_at, amends, superseded_by)
    SELECT b.event_id, b.kind, b.occurred_at, b.amends,
      -- LEAST ignores NULLs: the first amender by id, from this batch or from the ledger (index probe).
      LEAST(a.by, (SELECT min(l.event_id) FROM event_ids l WHERE l.amends = b.event_id))
    FROM batch b LEFT JOIN amended_in_batch a ON a.target = b.event_id
    ON CONFLICT (event_id) DO NOTHING RETURNING event_id, superseded_by
  ),
  rows AS (SELECT b.*, f.superseded_by FROM batch b JOIN fresh f ON f.event_id = b.event_id),
  incidents_in AS (
    INSERT INTO incidents (event_id, occurred_at, occurred_from, occurred_to, reported_at, district, unit,
                           category, severity, lat, lon, amends, source, superseded_by)
    SELECT event_id, occurred_at, occurred_from, occurred_to, reported_at, district, unit,
           category, severity, lat, lon, amends, source, superseded_by
    FROM rows WHERE kind = 'incident'
    RETURNING event_id, district, category, occurred_at, 0 AS killed, 0 AS injured, amends, superseded_by
  ),
  accidents_in AS (
    INSERT INTO accidents (event_id, occurred_at, occurred_from, occurred_to, reported_at, district, unit,
                           category, severity, lat, lon, amends, source, killed, injured, vehicles,
                           superseded_by)
    SELECT event_id, occurred_at, occurred_from, occurred_to, reported_at, district, unit,
           category, severity, lat, lon, amends, source, killed, injured, vehicles, superseded_by
    FROM rows WHERE kind = 'accident'
    RETURNING event_id, district, category, occurred_at, killed, injured, amends, superseded_by
  ),
  stored AS (SELECT * FROM incidents_in UNION ALL SELECT * FROM accidents_in)${countsTable ? COUNT_STORED : ''}
  SELECT * FROM stored`;
}

/**
 * Plain PostgreSQL: the stored events that count join the hourly counts table in the same statement
 * (one upsert per bucket). An amendment's -1 for the event it supersedes follows in APPLY_HOURLY_CHANGES.
 */
const COUNT_STORED = `,
  counted AS (
    INSERT INTO event_counts_hourly AS h (bucket, district, category, events, killed, injured)
    SELECT date_bin('1 hour', occurred_at, (SELECT hour_origin FROM time_buckets)), district, category,
           count(*)::int, sum(killed)::int, sum(injured)::int
      FROM stored WHERE superseded_by IS NULL GROUP BY 1, 2, 3
    ON CONFLICT (district, category, bucket) DO UPDATE
      SET events = h.events + excluded.events, killed = h.killed + excluded.killed,
          injured = h.injured + excluded.injured
  )`;

/** The storing statement per method, without and with the counts table of plain PostgreSQL. */
const INSERT_BATCH: Readonly<Record<WriteMethod, readonly [string, string]>> = {
  copy: [insertBatch('copy', false), insertBatch('copy', true)],
  unnest: [insertBatch('unnest', false), insertBatch('unnest', true)],
  json: [insertBatch('json', false), insertBatch('json', true)],
};

/**
 * Supersedes the events stored before this batch that its new amendments name and that still count:
 * the ledger and the event row are marked, and the rows returned leave the counts. An event already
 * superseded is left alone (one correction replaces it once). The row is found by id and time, so only
 * its chunk is touched. Chunks are compressed only once all their rows are older than the amendment
 * window, so a correction of a recent event updates plain rows; an older target's compressed rows are
 * updated too (TimescaleDB decompresses what it changes), so no correction is refused and the result
 * never depends on when it arrives.
 */
const SUPERSEDE = `
  WITH pairs AS (
    SELECT target, min(by) AS by FROM json_to_recordset($1::json) AS p(by text, target text) GROUP BY target
  ),
  targets AS (
    UPDATE event_ids l SET superseded_by = p.by FROM pairs p
     WHERE l.event_id = p.target AND l.superseded_by IS NULL
    RETURNING l.event_id, l.kind, l.occurred_at, l.superseded_by
  ),
  incidents_out AS (
    UPDATE incidents e SET superseded_by = t.superseded_by FROM targets t
     WHERE t.kind = 'incident' AND e.event_id = t.event_id AND e.occurred_at = t.occurred_at
    RETURNING e.district, e.category, e.occurred_at, 0 AS killed, 0 AS injured, t.superseded_by AS by
  ),
  accidents_out AS (
    UPDATE accidents e SET superseded_by = t.superseded_by FROM targets t
     WHERE t.kind = 'accident' AND e.event_id = t.event_id AND e.occurred_at = t.occurred_at
    RETURNING e.district, e.category, e.occurred_at, e.killed, e.injured, t.superseded_by AS by
  )
  SELECT * FROM incidents_out UNION ALL SELECT * FROM accidents_out`;

/** Plain PostgreSQL: applies the batch's signed changes to the hourly counts table. */
const APPLY_HOURLY_CHANGES = `
  WITH changes AS (
    SELECT date_bin('1 hour', c.occurred_at, (SELECT hour_origin FROM time_buckets)) AS bucket,
           c.district, c.category,
           sum(c.events)::int AS events, sum(c.killed)::int AS killed, sum(c.injured)::int AS injured
      FROM json_to_recordset($1::json) AS c(occurred_at timestamptz, district text, category text,
                                            events integer, killed integer, injured integer)
     GROUP BY 1, 2, 3
  ),
  upserted AS (
    INSERT INTO event_counts_hourly AS h (bucket, district, category, events, killed, injured)
    SELECT bucket, district, category, events, killed, injured FROM changes WHERE events > 0
    ON CONFLICT (district, category, bucket) DO UPDATE
      SET events = h.events + excluded.events, killed = h.killed + excluded.killed,
          injured = h.injured + excluded.injured
    RETURNING 1
  )
  UPDATE event_counts_hourly h
     SET events = h.events + c.events, killed = h.killed + c.killed, injured = h.injured + c.injured
    FROM changes c
   WHERE c.events <= 0 AND h.bucket = c.bucket AND h.district = c.district AND h.category = c.category`;

/** Fifteen minutes: every time zone's offset, and every daylight-saving change, falls on such a boundary. */
const QUARTER_HOUR_MS = 15 * 60_000;

/**
 * The instants whose local days the refresh queue takes, one per quarter hour touched: a quarter hour lies
 * within one local day in every time zone, so the days queued are those of all the changes, while the
 * statement buckets a few hundred instants instead of one per event (it took about 5% of a PGlite write).
 */
function queuedInstants(changes: readonly CountChange[]): string[] {
  const quarters = new Set<number>();
  for (const c of changes) quarters.add(Math.floor(c.occurredAt.getTime() / QUARTER_HOUR_MS));
  return [...quarters].map((quarter) => new Date(quarter * QUARTER_HOUR_MS).toISOString());
}

/**
 * Every write takes this advisory lock: shared for batches without amendments (they run side by side),
 * exclusive for a batch with amendments, so an amendment and the event it names, written by two
 * consumers at once, cannot both miss each other and both count.
 */
const AMENDMENT_LOCK = "hashtext('district-monitor amendments')";

/** Writes events idempotently; all SQL of the event tables lives here. */
@Injectable()
export class EventStoreRepository {
  /** How batches reach the database: the engine's fastest by default; the bench sets the others. */
  method: WriteMethod;

  /** Plain PostgreSQL keeps the hourly counts in a table; TimescaleDB in continuous aggregates. */
  private readonly countsTable: boolean;

  constructor(@Inject(DATABASE) private readonly db: Database) {
    this.method = DEFAULT_WRITE_METHOD[db.info.kind];
    this.countsTable = db.info.timescaledb === null;
  }

  /**
   * Stores a batch in one transaction. Events whose id is already stored (or repeated in the batch)
   * are skipped. Returns the events stored now and how the counts changed.
   */
  async insert(events: readonly MonitorEvent[]): Promise<InsertResult> {
    const [result] = await this.insertGroup([events]);
    return result ?? { stored: [], changes: [] };
  }

  /**
   * Stores several batches in ONE transaction and one storing statement (group commit, see
   * ingest/write-combiner.ts), and returns each batch's own result, in the batches' order:
   * - an event belongs to the first batch that holds its id; a repeat in a later batch is a duplicate
   *   there, as it would be had the batches been stored one after the other;
   * - a stored event's +1 goes to its batch, and the -1 of an event an amendment supersedes goes to the
   *   batch of that amendment.
   * The net changes over the group equal those of storing the batches one by one; an amendment and the
   * event it names in two batches of one group make the event arrive already superseded (no +1, no -1),
   * as within one batch. Either every batch of the group is stored or none is.
   */
  async insertGroup(batches: readonly (readonly MonitorEvent[])[]): Promise<InsertResult[]> {
    const owner = new Map<string, number>();
    const unique: MonitorEvent[] = [];
    batches.forEach((events, index) => {
      for (const event of events) {
        if (owner.has(event.eventId)) continue;
        owner.set(event.eventId, index);
        unique.push(event);
      }
    });
    const results = batches.map(() => ({ stored: [] as StoredEvent[], changes: [] as CountChange[] }));
    if (unique.length === 0) return results;
    const amending = unique.some((event) => event.amends !== undefined);
    const resultOf = (eventId: string) => {
      const result = results[owner.get(eventId) ?? -1];
      if (result === undefined) throw new Error(`event ${eventId} is in none of the batches written`);
      return result;
    };

    return this.db.transaction(async (tx) => {
      const lock = amending ? 'pg_advisory_xact_lock' : 'pg_advisory_xact_lock_shared';
      await tx.query(`SELECT ${lock}(${AMENDMENT_LOCK})`);

      const inserted = await this.insertBatch(tx, unique);
      const all: CountChange[] = [];
      const pairs: { by: string; target: string }[] = [];
      for (const row of inserted.rows) {
        const result = resultOf(row.event_id);
        result.stored.push({
          eventId: row.event_id,
          district: row.district,
          category: row.category,
          occurredAt: new Date(row.occurred_at),
          amends: row.amends,
          counts: row.superseded_by === null,
        });
        if (row.superseded_by === null) {
          const plus = change(row, 1);
          result.changes.push(plus);
          all.push(plus);
        }
        if (row.amends !== null) pairs.push({ by: row.event_id, target: row.amends });
      }
      if (pairs.length > 0) {
        const superseded = await tx.query<ChangedRow & { by: string }>(SUPERSEDE, [JSON.stringify(pairs)]);
        for (const row of superseded.rows) {
          const minus = change(row, -1);
          resultOf(row.by).changes.push(minus);
          all.push(minus);
        }
      }
      // The counts table took the stored events' +1 in the storing statement; the rest follows here.
      await this.keepAggregates(tx, this.countsTable ? all.filter((c) => c.events < 0) : all);
      return results;
    });
  }

  /** Runs the storing statement with the batch sent by this repository's method. */
  private async insertBatch(
    tx: Transaction,
    events: readonly MonitorEvent[],
  ): Promise<{ rows: StoredRow[] }> {
    const method = this.method;
    const statement = INSERT_BATCH[method][this.countsTable ? 1 : 0];
    if (method === 'json') return tx.query<StoredRow>(statement, [JSON.stringify(events)]);
    const rows = events.map(batchRow);
    if (method === 'unnest') {
      return tx.query<StoredRow>(
        statement,
        BATCH_COLUMNS.map((_, column) => rows.map((row) => row[column] ?? null)),
      );
    }
    await tx.query(CREATE_STAGING);
    await tx.copyFrom(STAGING, copyText(rows));
    return tx.query<StoredRow>(statement);
  }

  /**
   * Keeps the hourly and daily counts in step, inside the batch's transaction: on plain PostgreSQL the
   * counts table takes the signed changes; on TimescaleDB the local days touched are queued for a
   * refresh of the continuous aggregates once this transaction has committed.
   */
  private async keepAggregates(tx: Queryable, changes: readonly CountChange[]): Promise<void> {
    if (changes.length === 0) return;
    if (this.db.info.timescaledb !== null) {
      await tx.query(
        `INSERT INTO aggregate_refresh_queue (day)
         SELECT DISTINCT time_bucket(INTERVAL '1 day', t, (SELECT time_zone FROM time_buckets))
           FROM unnest($1::timestamptz[]) AS t`,
        [queuedInstants(changes)],
      );
      return;
    }
    await tx.query(APPLY_HOURLY_CHANGES, [
      JSON.stringify(changes.map((c) => ({ ...c, occurred_at: c.occurredAt.toISOString() }))),
    ]);
    // Only an amendment can empty a bucket; the partial index holds just the empty ones.
    if (changes.some((c) => c.events < 0)) await tx.query('DELETE FROM event_counts_hourly WHERE events = 0');
  }

  /** Stored events per district that occurred since `since`. */
  async countsByDistrict(since: Date): Promise<Record<string, number>> {
    const { rows } = await this.db.query<{ district: string; count: number }>(
      `SELECT district, count(*)::int AS count FROM (
         SELECT district FROM incidents WHERE occurred_at >= $1 AND superseded_by IS NULL
         UNION ALL
         SELECT district FROM accidents WHERE occurred_at >= $1 AND superseded_by IS NULL
       ) AS recent GROUP BY district`,
      [since.toISOString()],
    );
    return Object.fromEntries(rows.map((row) => [row.district, row.count]));
  }

  /** The newest `reportedAt` per district among events that occurred since `since` (ISO strings). */
  async lastReportedByDistrict(since: Date): Promise<Record<string, string>> {
    const { rows } = await this.db.query<{ district: string; reported: Date | string }>(
      `SELECT district, max(reported_at) AS reported FROM (
         SELECT district, reported_at FROM incidents WHERE occurred_at >= $1 AND superseded_by IS NULL
         UNION ALL
         SELECT district, reported_at FROM accidents WHERE occurred_at >= $1 AND superseded_by IS NULL
       ) AS recent GROUP BY district`,
      [since.toISOString()],
    );
    return Object.fromEntries(rows.map((row) => [row.district, new Date(row.reported).toISOString()]));
  }

  /** Events stored per minute of ingestion since `since`, oldest first. */
  async storedPerMinute(since: Date): Promise<{ minute: string; count: number }[]> {
    const { rows } = await this.db.query<{ minute: Date | string; count: number }>(
      `SELECT date_trunc('minute', ingested_at) AS minute, count(*)::int AS count
         FROM event_ids WHERE ingested_at >= $1 GROUP BY 1 ORDER BY 1`,
      [since.toISOString()],
    );
    return rows.map((row) => ({ minute: new Date(row.minute).toISOString(), count: row.count }));
  }

  async totalStored(): Promise<number> {
    const { rows } = await this.db.query<{ count: number }>('SELECT count(*)::int AS count FROM event_ids');
    return rows[0]?.count ?? 0;
  }
}
