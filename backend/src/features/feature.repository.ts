import { Inject, Injectable } from '@nestjs/common';
import type { Category } from '@district-monitor/streams';
import { DATABASE } from '../config/tokens.js';
import type { Database } from '../database/database.js';

/** An hourly count as the database returns it (pg and PGlite differ on timestamp types). */
export interface HourlyCountRow extends Omit<HourlyRow, 'bucket'> {
  readonly bucket: Date | string;
}

export interface HourlyRow {
  readonly bucket: Date;
  readonly district: string;
  readonly category: Category;
  readonly events: number;
  readonly killed: number;
  readonly injured: number;
}

/** Reads the hourly counts (continuous aggregates on TimescaleDB, the counts table on PostgreSQL). */
@Injectable()
export class FeatureRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /** Every non-empty hour bucket starting at or after `since`. */
  async hourlySince(since: Date): Promise<HourlyRow[]> {
    const { rows } = await this.db.query<HourlyCountRow>(
      `SELECT bucket, district, category, events, killed, injured
         FROM event_counts_hourly WHERE bucket >= $1 AND events > 0`,
      [since.toISOString()],
    );
    return rows.map((row) => ({ ...row, bucket: new Date(row.bucket) }));
  }

  /** The non-empty hour buckets of some districts starting at or after `since` (a cube reload). */
  async hourlyOfDistrictsSince(districts: readonly string[], since: Date): Promise<HourlyRow[]> {
    const { rows } = await this.db.query<HourlyCountRow>(
      `SELECT bucket, district, category, events, killed, injured
         FROM event_counts_hourly WHERE bucket >= $1 AND district = ANY($2::text[]) AND events > 0`,
      [since.toISOString(), [...districts]],
    );
    return rows.map((row) => ({ ...row, bucket: new Date(row.bucket) }));
  }
}
