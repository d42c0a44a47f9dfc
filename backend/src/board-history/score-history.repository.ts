import { Inject, Injectable } from '@nestjs/common';
import { DATABASE } from '../config/tokens.js';
import type { Database } from '../database/database.js';

/** One district's model score as the history keeps it. */
export interface ScoreHistoryRow {
  readonly district: string;
  /** The instant the score describes (the score's `asOf`). */
  readonly asOf: string;
  readonly modelVersion: string;
  readonly elevated: number;
  readonly expectedCount: number;
}

/** Where the recorder writes (the repository; specs pass a fake). */
export interface ScoreHistoryWriter {
  insert(rows: readonly ScoreHistoryRow[]): Promise<void>;
}

/** The `score_history` table (migration 8): written by the recorder, read by time travel. */
@Injectable()
export class ScoreHistoryRepository implements ScoreHistoryWriter {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /** Inserts the rows in one statement (one array parameter per column). */
  async insert(rows: readonly ScoreHistoryRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.query(
      `INSERT INTO score_history (district, as_of, model_version, elevated, expected_count)
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::float8[], $5::float8[])`,
      [
        rows.map((row) => row.district),
        rows.map((row) => row.asOf),
        rows.map((row) => row.modelVersion),
        rows.map((row) => row.elevated),
        rows.map((row) => row.expectedCount),
      ],
    );
  }
}
