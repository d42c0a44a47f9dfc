import { Inject, Injectable } from '@nestjs/common';
import type { Category } from '@district-monitor/streams';
import type { AlertRecord } from '../alerts/engine/record.js';
import { DATABASE } from '../config/tokens.js';
import type { Database } from '../database/database.js';

/** Scores older than this before a window's end are not looked for (keeps the scan to recent chunks). */
const SCORE_LOOKBACK = "INTERVAL '30 days'";

export interface CategoryCount {
  readonly district: string;
  readonly category: Category;
  readonly count: number;
}

export interface StoredScore {
  readonly district: string;
  readonly elevated: number;
  readonly expectedCount: number;
}

/** Events of the districts that count (not superseded by an amendment) and occurred in [$2, $3). */
const countedEvents = (columns: string) => `
  SELECT ${columns} FROM incidents
   WHERE superseded_by IS NULL AND district = ANY($1::text[]) AND occurred_at >= $2 AND occurred_at < $3
  UNION ALL
  SELECT ${columns} FROM accidents
   WHERE superseded_by IS NULL AND district = ANY($1::text[]) AND occurred_at >= $2 AND occurred_at < $3`;

/** Alerts of the scope that were open at some time in [from, to]; `$1` null = every district. */
const OPEN_DURING = `started_at <= $3 AND (resolved_at IS NULL OR resolved_at >= $2)
  AND ($1::text[] IS NULL OR district = ANY($1::text[]))`;

/** What time travel reads of the stored events, scores and alerts. */
@Injectable()
export class BoardHistoryRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /**
   * Events that occurred in [from, to) per bucket of `bucketMinutes` aligned on `origin`, for the buckets
   * that have any (the caller fills the others). TimescaleDB: `time_bucket`; plain twin: `date_bin`
   * (PostgreSQL 14+ and PGlite), which place buckets alike.
   */
  async series(
    districts: readonly string[],
    from: Date,
    to: Date,
    bucketMinutes: number,
    origin: string,
  ): Promise<{ start: number; count: number }[]> {
    const bucket =
      this.db.info.timescaledb !== null
        ? 'time_bucket($4::interval, occurred_at, origin => $5::timestamptz)'
        : 'date_bin($4::interval, occurred_at, $5::timestamptz)';
    const { rows } = await this.db.query<{ start: Date | string; count: number }>(
      `SELECT ${bucket} AS start, count(*)::int AS count FROM (${countedEvents('occurred_at')}) e
        GROUP BY 1 ORDER BY 1`,
      [districts, from, to, `${bucketMinutes} minutes`, origin],
    );
    return rows.map((row) => ({ start: new Date(row.start).getTime(), count: row.count }));
  }

  /** Events that occurred in [from, to) per district and category. */
  async categoryCounts(districts: readonly string[], from: Date, to: Date): Promise<CategoryCount[]> {
    const { rows } = await this.db.query<CategoryCount>(
      `SELECT district, category, count(*)::int AS count FROM (${countedEvents('district, category')}) e
        GROUP BY 1, 2`,
      [districts, from, to],
    );
    return rows;
  }

  /** Each district's last stored score at or before `at` (within 30 days of it). */
  async scoresAt(districts: readonly string[], at: Date): Promise<StoredScore[]> {
    const { rows } = await this.db.query<{ district: string; elevated: number; expected_count: number }>(
      `SELECT DISTINCT ON (district) district, elevated, expected_count FROM score_history
        WHERE district = ANY($1::text[]) AND as_of <= $2 AND as_of > $2::timestamptz - ${SCORE_LOOKBACK}
        ORDER BY district, as_of DESC`,
      [districts, at],
    );
    return rows.map((row) => ({
      district: row.district,
      elevated: row.elevated,
      expectedCount: row.expected_count,
    }));
  }

  /** Alerts open at some time in [from, to] per district; `districts` null = every district. */
  async openAlertCounts(
    districts: readonly string[] | null,
    from: Date,
    to: Date,
  ): Promise<Map<string, number>> {
    const { rows } = await this.db.query<{ district: string; count: number }>(
      `SELECT district, count(*)::int AS count FROM alerts WHERE ${OPEN_DURING} GROUP BY district`,
      [districts, from, to],
    );
    return new Map(rows.map((row) => [row.district, row.count]));
  }

  /** The alerts open at some time in [from, to], as they are now, newest first, at most `limit`. */
  async openAlerts(
    districts: readonly string[] | null,
    from: Date,
    to: Date,
    limit: number,
  ): Promise<AlertRecord[]> {
    const { rows } = await this.db.query<{ record: AlertRecord | string; version: number }>(
      `SELECT record, version FROM alerts WHERE ${OPEN_DURING} ORDER BY started_at DESC, id LIMIT $4`,
      [districts, from, to, limit],
    );
    // As AlertRepository reads them: the JSON record, with the row's guarded version.
    return rows.map((row) => ({
      ...(typeof row.record === 'string' ? (JSON.parse(row.record) as AlertRecord) : row.record),
      version: row.version,
    }));
  }
}
