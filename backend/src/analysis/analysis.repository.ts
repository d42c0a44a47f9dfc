import { Inject, Injectable } from '@nestjs/common';
import { DATABASE } from '../config/tokens.js';
import type { Database } from '../database/database.js';
import type { DistrictCategoryTotal } from './correlations.js';

/** What the analysis views read of the stored events. */
@Injectable()
export class AnalysisRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /**
   * Events per district and category whose local hour began in [from, to), with the people killed,
   * amendments applied. Read from the hourly counts of both event tables (continuous aggregates on
   * TimescaleDB, the exact hourly table on plain PostgreSQL), so a year costs ~9,000 rows per
   * district and category at most, not one row per event.
   */
  async totals(from: Date, to: Date): Promise<DistrictCategoryTotal[]> {
    const { rows } = await this.db.query<DistrictCategoryTotal>(
      `SELECT district, category, sum(events)::int AS events, sum(killed)::int AS killed
         FROM event_counts_hourly WHERE bucket >= $1 AND bucket < $2 GROUP BY 1, 2`,
      [from, to],
    );
    return rows;
  }
}
