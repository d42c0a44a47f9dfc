import { Inject, Injectable } from '@nestjs/common';
import type { AlertRule } from '@district-monitor/streams';
import { DATABASE } from '../config/tokens.js';
import type { Database } from '../database/database.js';
import type { SpotAccident, SpotParameters } from './black-spots.js';

interface AccidentRow {
  district: string;
  lat: number;
  lon: number;
  occurred_at: Date | string;
  killed: number;
  injured: number;
}

/** What the black-spot map reads: located accidents, and the region's black-spot alert rule. */
@Injectable()
export class BlackSpotRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /**
   * Located accidents (not superseded by an amendment) of the `districts` (null: every district) that
   * occurred in [from, to), newest first, at most `limit`.
   */
  async locatedAccidents(
    from: Date,
    to: Date,
    limit: number,
    districts: readonly string[] | null,
  ): Promise<SpotAccident[]> {
    const { rows } = await this.db.query<AccidentRow>(
      `SELECT district, lat, lon, occurred_at, killed, injured FROM accidents
        WHERE superseded_by IS NULL AND lat IS NOT NULL AND lon IS NOT NULL
          AND occurred_at >= $1 AND occurred_at < $2
          AND ($4::text[] IS NULL OR district = ANY($4::text[]))
        ORDER BY occurred_at DESC, event_id DESC LIMIT $3`,
      [from.toISOString(), to.toISOString(), limit, districts],
    );
    return rows.map((row) => ({
      district: row.district,
      lat: row.lat,
      lon: row.lon,
      occurredAt: new Date(row.occurred_at),
      killed: row.killed,
      injured: row.injured,
    }));
  }

  /** The parameters of the region's first enabled `black_spot` rule (by id), if it has one. */
  async ruleParameters(region: string): Promise<SpotParameters | undefined> {
    const { rows } = await this.db.query<{ rule: AlertRule | string }>(
      'SELECT rule FROM alert_rules WHERE region = $1 ORDER BY id',
      [region],
    );
    for (const row of rows) {
      const rule = typeof row.rule === 'string' ? (JSON.parse(row.rule) as AlertRule) : row.rule;
      if (rule.enabled && rule.condition.kind === 'black_spot') {
        return { minAccidents: rule.condition.minAccidents, radiusKm: rule.condition.radiusKm };
      }
    }
    return undefined;
  }
}
