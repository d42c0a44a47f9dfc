import { Inject, Injectable } from '@nestjs/common';
import type { Category } from '@district-monitor/streams';
import { DATABASE } from '../config/tokens.js';
import type { Database } from '../database/database.js';

export interface DailyCount {
  readonly day: string;
  readonly category: Category;
  readonly count: number;
}

/** Read-side queries over the stored events. */
@Injectable()
export class StatsRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /** Counted events (not superseded by an amendment) per local day (in `timeZone`) and category for one district, occurred in [from, to). */
  async daily(district: string, from: Date, to: Date, timeZone: string): Promise<DailyCount[]> {
    const { rows } = await this.db.query<DailyCount>(
      `SELECT to_char(occurred_at AT TIME ZONE $4, 'YYYY-MM-DD') AS day, category, count(*)::int AS count
         FROM (SELECT occurred_at, category FROM incidents WHERE superseded_by IS NULL AND district = $1 AND occurred_at >= $2 AND occurred_at < $3
               UNION ALL
               SELECT occurred_at, category FROM accidents WHERE superseded_by IS NULL AND district = $1 AND occurred_at >= $2 AND occurred_at < $3) AS e
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [district, from.toISOString(), to.toISOString(), timeZone],
    );
    return rows;
  }
}
