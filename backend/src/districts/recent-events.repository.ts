import { Inject, Injectable } from '@nestjs/common';
import type { Category, RecentEvent, Severity } from '@district-monitor/streams';
import { DATABASE } from '../config/tokens.js';
import type { Database } from '../database/database.js';

interface EventRow {
  event_id: string;
  kind: 'incident' | 'accident';
  category: Category;
  severity: Severity;
  district: string;
  unit: string | null;
  occurred_at: Date | string;
  reported_at: Date | string;
  lat: number | null;
  lon: number | null;
  killed: number | null;
  injured: number | null;
  source: string | null;
}

const columns = (kind: 'incident' | 'accident') =>
  `event_id, '${kind}' AS kind, category, severity, district, unit, occurred_at, reported_at, lat, lon, ` +
  (kind === 'accident' ? 'killed, injured' : 'NULL::integer AS killed, NULL::integer AS injured') +
  ', source';

/** A district's stored events across both event tables. */
@Injectable()
export class RecentEventsRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /**
   * The district's newest `limit` events by occurrence (not superseded by an amendment), incidents and
   * accidents together. `occurred_at` is the exact time, or the middle of the window when the producer
   * only knew a window (ingest stores `start + (end - start) / 2`).
   */
  async newest(district: string, limit: number): Promise<RecentEvent[]> {
    // Each table's newest `limit` come from its (district, occurred_at DESC) index; then the newest of both.
    const { rows } = await this.db.query<EventRow>(
      `SELECT * FROM (
         (SELECT ${columns('incident')} FROM incidents
           WHERE district = $1 AND superseded_by IS NULL ORDER BY occurred_at DESC, event_id DESC LIMIT $2)
         UNION ALL
         (SELECT ${columns('accident')} FROM accidents
           WHERE district = $1 AND superseded_by IS NULL ORDER BY occurred_at DESC, event_id DESC LIMIT $2)
       ) e ORDER BY occurred_at DESC, event_id DESC LIMIT $2`,
      [district, limit],
    );
    return rows.map((row) => ({
      eventId: row.event_id,
      kind: row.kind,
      category: row.category,
      severity: row.severity,
      district: row.district,
      unit: row.unit,
      occurredAt: new Date(row.occurred_at).toISOString(),
      reportedAt: new Date(row.reported_at).toISOString(),
      lat: row.lat,
      lon: row.lon,
      killed: row.killed,
      injured: row.injured,
      source: row.source,
    }));
  }

  /** The district's road accidents (not superseded) that occurred since `since`, per severity. */
  async accidentSeverity(district: string, since: Date): Promise<Record<Severity, number>> {
    const { rows } = await this.db.query<{ severity: Severity; n: number }>(
      `SELECT severity, count(*)::int AS n FROM accidents
        WHERE district = $1 AND superseded_by IS NULL AND occurred_at >= $2
        GROUP BY severity`,
      [district, since.toISOString()],
    );
    const counts: Record<Severity, number> = { low: 0, medium: 0, high: 0, critical: 0 };
    for (const row of rows) counts[row.severity] = row.n;
    return counts;
  }
}
