import type { MonitorEvent } from '@district-monitor/streams';
import { copyText, type Database } from '../database/database.js';

/** The event tables' columns, in the order of the raw COPY's rows. */
const EVENT_COLUMNS = [
  'event_id',
  'occurred_at',
  'occurred_from',
  'occurred_to',
  'reported_at',
  'district',
  'unit',
  'category',
  'severity',
  'lat',
  'lon',
  'amends',
  'source',
];

/** Where an event is placed: its time, or its window's midpoint. */
function occurredAt(event: MonitorEvent): string {
  if (event.occurredAt !== undefined) return event.occurredAt;
  const window = event.occurredWindow;
  if (window === undefined) throw new Error(`event ${event.eventId} has neither time nor window`);
  return new Date((Date.parse(window.start) + Date.parse(window.end)) / 2).toISOString();
}

/**
 * The database's own limit: the same rows COPY'd straight into the ledger and the event tables, one
 * transaction, one COPY per table, no idempotency, no amendments, no counts. Returns seconds, text
 * encoding included.
 */
export async function rawCopy(db: Database, events: readonly MonitorEvent[]): Promise<number> {
  const started = performance.now();
  await db.transaction(async (tx) => {
    await tx.copyFrom(
      { table: 'event_ids', columns: ['event_id', 'kind', 'occurred_at', 'amends'] },
      copyText(events.map((e) => [e.eventId, e.kind, occurredAt(e), e.amends])),
    );
    const common = (e: MonitorEvent) => [
      e.eventId,
      occurredAt(e),
      e.occurredWindow?.start,
      e.occurredWindow?.end,
      e.reportedAt,
      e.district,
      e.unit,
      e.category,
      e.severity,
      e.location?.lat,
      e.location?.lon,
      e.amends,
      e.source,
    ];
    await tx.copyFrom(
      { table: 'incidents', columns: EVENT_COLUMNS },
      copyText(events.flatMap((e) => (e.kind === 'incident' ? [common(e)] : []))),
    );
    await tx.copyFrom(
      { table: 'accidents', columns: [...EVENT_COLUMNS, 'killed', 'injured', 'vehicles'] },
      copyText(
        events.flatMap((e) =>
          e.kind === 'accident' ? [[...common(e), e.killed, e.injured, e.vehicles]] : [],
        ),
      ),
    );
  });
  return (performance.now() - started) / 1000;
}
