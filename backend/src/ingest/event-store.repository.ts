import { Inject, Injectable } from '@nestjs/common';
import type { AccidentEvent, Category, IncidentEvent, MonitorEvent } from '@district-monitor/streams';
import { DATABASE } from '../config/tokens.js';
import type { Database, Queryable } from '../database/database.js';

export interface StoredEvent {
  readonly eventId: string;
  readonly district: string;
  readonly category: Category;
}

/** Columns shared by both event tables, in the order of the `unnest` arrays below. */
const COMMON = `event_id, occurred_at, occurred_from, occurred_to, reported_at, district, unit, category,
  severity, lat, lon, amends, source`;
const COMMON_TYPES = `$1::text[], $2::timestamptz[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[],
  $6::text[], $7::text[], $8::text[], $9::text[], $10::float8[], $11::float8[], $12::text[], $13::text[]`;

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
    const incidents: IncidentEvent[] = [];
    const accidents: AccidentEvent[] = [];
    for (const event of unique.values()) {
      if (event.kind === 'incident') incidents.push(event);
      else accidents.push(event);
    }
    if (unique.size === 0) return [];
    return this.db.transaction(async (tx) => [
      ...(await insertIncidents(tx, incidents)),
      ...(await insertAccidents(tx, accidents)),
    ]);
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

function commonArrays(events: readonly MonitorEvent[]): unknown[] {
  const columns: unknown[][] = Array.from({ length: 13 }, () => []);
  for (const e of events) {
    const window = e.occurredWindow;
    const occurredAt =
      e.occurredAt ??
      new Date((Date.parse(window?.start ?? '') + Date.parse(window?.end ?? '')) / 2).toISOString();
    const row = [
      e.eventId,
      occurredAt,
      window?.start ?? null,
      window?.end ?? null,
      e.reportedAt,
      e.district,
      e.unit ?? null,
      e.category,
      e.severity,
      e.location?.lat ?? null,
      e.location?.lon ?? null,
      e.amends ?? null,
      e.source ?? null,
    ];
    row.forEach((value, i) => (columns[i] as unknown[]).push(value));
  }
  return columns;
}

/** Claims the ids in the ledger and inserts only the rows whose id was new, in one statement. */
function claimAndInsert(table: string, kind: string, extraColumns: string, extraTypes: string): string {
  return `WITH fresh AS (
      INSERT INTO event_ids (event_id, kind) SELECT unnest($1::text[]), '${kind}'
      ON CONFLICT (event_id) DO NOTHING RETURNING event_id
    )
    INSERT INTO ${table} (${COMMON}${extraColumns})
    SELECT * FROM unnest(${COMMON_TYPES}${extraTypes})
      AS t(${COMMON}${extraColumns})
    WHERE t.event_id IN (SELECT event_id FROM fresh)
    RETURNING event_id AS "eventId", district, category`;
}

const INSERT_INCIDENTS = claimAndInsert('incidents', 'incident', '', '');
const INSERT_ACCIDENTS = claimAndInsert(
  'accidents',
  'accident',
  ', killed, injured, vehicles',
  ', $14::int[], $15::int[], $16::int[]',
);

async function insertIncidents(tx: Queryable, events: readonly IncidentEvent[]): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  return (await tx.query<StoredEvent>(INSERT_INCIDENTS, commonArrays(events))).rows;
}

async function insertAccidents(tx: Queryable, events: readonly AccidentEvent[]): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  const params = [
    ...commonArrays(events),
    events.map((e) => e.killed),
    events.map((e) => e.injured),
    events.map((e) => e.vehicles),
  ];
  return (await tx.query<StoredEvent>(INSERT_ACCIDENTS, params)).rows;
}
