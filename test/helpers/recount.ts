import type { HourClock, HourlyCounts, Measure } from '@district-monitor/models';
import type { Category } from '@district-monitor/streams';
import type { Queryable } from '../../backend/src/database/database.js';

/** One stored event, straight from the event tables. */
export interface RawRow {
  event_id: string;
  district: string;
  category: Category;
  occurred_at: Date | string;
  amends: string | null;
  killed: number;
  injured: number;
}

/** Every stored row of both event tables. */
export async function rawRows(db: Queryable): Promise<RawRow[]> {
  const { rows } = await db.query<RawRow>(
    `SELECT event_id, district, category, occurred_at, amends, 0 AS killed, 0 AS injured FROM incidents
     UNION ALL
     SELECT event_id, district, category, occurred_at, amends, killed, injured FROM accidents`,
  );
  return rows;
}

/**
 * The brute-force recount: from the raw rows alone, an event counts unless a stored event amends it;
 * a window is every row whose time falls in [start of its first hour, start of the hour after its last).
 */
export function recount(rows: readonly RawRow[], district: string, clock: HourClock): HourlyCounts {
  const amended = new Set(rows.flatMap((row) => (row.amends === null ? [] : [row.amends])));
  const counted = rows
    .filter((row) => row.district === district && !amended.has(row.event_id))
    .map((row) => ({ ...row, at: new Date(row.occurred_at).getTime() }));
  return {
    sum(category: Category, measure: Measure, fromHour: number, toHour: number): number {
      const from = clock.startOf(fromHour);
      const to = clock.startOf(toHour);
      let total = 0;
      for (const row of counted) {
        if (row.category !== category || row.at < from || row.at >= to) continue;
        total += measure === 'events' ? 1 : row[measure];
      }
      return total;
    },
    lastEventHour(atOrBefore: number, notBefore: number): number | null {
      let last: number | null = null;
      for (const row of counted) {
        const hour = clock.hourOf(row.at);
        if (hour <= atOrBefore && hour >= notBefore && (last === null || hour > last)) last = hour;
      }
      return last;
    },
  };
}
