import { Inject, Injectable } from '@nestjs/common';
import type { Category, MonitorEvent } from '@district-monitor/streams';
import { DATABASE } from '../config/tokens.js';
import type { Database } from '../database/database.js';

export interface StoredEvent {
  readonly eventId: string;
  readonly district: string;
  readonly category: Category;
}

/**
 * Stores a batch in one statement: the validated events travel as one JSON parameter (cheaper to send
 * and parse than a column array per field), their ids are claimed in the ledger, and only the rows
 * whose id was new go to their kind's table. A windowed event is placed at its window's midpoint.
 */
const INSERT_BATCH = `
  WITH batch AS (
    SELECT * FROM json_to_recordset($1::json) AS t(
      "eventId" text, kind text, district text, unit text, category text, severity text,
      "occurredAt" timestamptz, "occurredWindow" json, "reportedAt" timestamptz, location json,
      amends text, source text, killed integer, injured integer, vehicles integer)
  ),
  fresh AS (
    INSERT INTO event_ids (event_id, kind) SELECT "eventId", kind FROM batch
    ON CONFLICT (event_id) DO NOTHING RETURNING event_id
  ),
  rows AS (
    SELECT b.*,
      COALESCE(b."occurredAt", w.start + (w.finish - w.start) / 2) AS occurred_at,
      w.start AS occurred_from, w.finish AS occurred_to,
      (b.location->>'lat')::float8 AS lat, (b.location->>'lon')::float8 AS lon
    FROM batch b
    JOIN fresh f ON f.event_id = b."eventId"
    CROSS JOIN LATERAL (SELECT (b."occurredWindow"->>'start')::timestamptz AS start,
                               (b."occurredWindow"->>'end')::timestamptz AS finish) w
  ),
  incidents_in AS (
    INSERT INTO incidents (event_id, occurred_at, occurred_from, occurred_to, reported_at, district, unit,
                           category, severity, lat, lon, amends, source)
    SELECT "eventId", occurred_at, occurred_from, occurred_to, "reportedAt", district, unit,
           category, severity, lat, lon, amends, source
    FROM rows WHERE kind = 'incident'
    RETURNING event_id, district, category
  ),
  accidents_in AS (
    INSERT INTO accidents (event_id, occurred_at, occurred_from, occurred_to, reported_at, district, unit,
                           category, severity, lat, lon, amends, source, killed, injured, vehicles)
    SELECT "eventId", occurred_at, occurred_from, occurred_to, "reportedAt", district, unit,
           category, severity, lat, lon, amends, source, killed, injured, vehicles
    FROM rows WHERE kind = 'accident'
    RETURNING event_id, district, category
  )
  SELECT event_id AS "eventId", district, category FROM incidents_in
  UNION ALL
  SELECT event_id AS "eventId", district, category FROM accidents_in`;

/** Writes events idempotently; all SQL of the event tables lives here. */
@Injectable()
export class EventStoreRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /**
   * Stores a batch in one transaction. Events whose id is already stored (or repeated in the batch)
   * are skipped; returns the events stored now.
   */
  async insert(events: readonly MonitorEvent[]): Promise<StoredEvent[]> {
    const unique = new Map<string, MonitorEvent>();
    for (const event of events) if (!unique.has(event.eventId)) unique.set(event.eventId, event);
    if (unique.size === 0) return [];
    const { rows } = await this.db.query<StoredEvent>(INSERT_BATCH, [JSON.stringify([...unique.values()])]);
    return rows;
  }

  /** Stored events per district that occurred since `since`. */
  async countsByDistrict(since: Date): Promise<Record<string, number>> {
    const { rows } = await this.db.query<{ district: string; count: number }>(
      `SELECT district, count(*)::int AS count FROM (
         SELECT district FROM incidents WHERE occurred_at >= $1
         UNION ALL
         SELECT district FROM accidents WHERE occurred_at >= $1
       ) AS recent GROUP BY district`,
      [since.toISOString()],
    );
    return Object.fromEntries(rows.map((row) => [row.district, row.count]));
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
