import { hourlyAggregatesByZone, hourlyBucketsByZone } from '../timescale.js';
import type { Migration } from '../migrate.js';

export const hourlyAggregatesByLocalHour: Migration = {
  // TimescaleDB only, in a zone at hh:30 without daylight saving (IST): the same hourly buckets, bucketed by
  // the time zone instead of the hour origin, so a whole local day refreshes exactly and the open day can
  // stay real-time (timescale.ts, `refreshQueuedAggregates`). Elsewhere nothing changes.
  version: 12,
  name: 'hourly aggregates by local hour',
  async up(tx, context) {
    if (!context.timescale || !hourlyBucketsByZone(context)) return;
    for (const sql of hourlyAggregatesByZone(context)) await tx.query(sql);
  },
};
