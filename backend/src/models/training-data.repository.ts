import { Inject, Injectable } from '@nestjs/common';
import type { Category } from '@district-monitor/streams';
import { DATABASE } from '../config/tokens.js';
import type { Database } from '../database/database.js';
import type { CountRow, TrainingDataSummary } from './training-data.js';

interface StoredCountRow extends Omit<CountRow, 'bucket'> {
  readonly bucket: Date | string;
}

/** Reads what a training learns from: the hourly counts (continuous aggregates or the counts table). */
@Injectable()
export class TrainingDataRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /** The first bucket with events in `[from, until)` and the events there in all. */
  async summary(from: Date, until: Date): Promise<TrainingDataSummary> {
    const { rows } = await this.db.query<{ first: Date | string | null; events: number | string | null }>(
      `SELECT min(bucket) AS first, sum(events) AS events
         FROM event_counts_hourly WHERE bucket >= $1 AND bucket < $2 AND events > 0`,
      [from.toISOString(), until.toISOString()],
    );
    const [row] = rows;
    return {
      firstBucket: row?.first == null ? null : new Date(row.first).getTime(),
      // sum() of integers is numeric, which pg returns as a string.
      events: Number(row?.events ?? 0),
    };
  }

  /** Every non-empty hour bucket in `[from, until)`. */
  async hourlyBetween(from: Date, until: Date): Promise<CountRow[]> {
    const { rows } = await this.db.query<StoredCountRow>(
      `SELECT bucket, district, category, events, killed, injured
         FROM event_counts_hourly WHERE bucket >= $1 AND bucket < $2 AND events > 0`,
      [from.toISOString(), until.toISOString()],
    );
    return rows.map((row) => ({
      bucket: new Date(row.bucket),
      district: row.district,
      category: row.category satisfies Category,
      events: row.events,
      killed: row.killed,
      injured: row.injured,
    }));
  }
}
