import type { Migration } from '../migrate.js';
import { eventTables } from './001-event-tables.js';
import { producerKeys } from './002-producer-keys.js';
import { amendmentsAndCounts } from './003-amendments-and-counts.js';
import { modelRegistry } from './004-model-registry.js';
import { alerts } from './005-alerts.js';
import { usersAndSessions } from './006-users-and-sessions.js';
import { webhooks } from './007-webhooks.js';
import { scoreHistory } from './008-score-history.js';
import { districtHistory } from './009-district-history.js';
import { historyAnalysisRegistry } from './010-history-analysis-registry.js';
import { simulationBackfill } from './011-simulation-backfill.js';
import { hourlyAggregatesByLocalHour } from './012-hourly-aggregates-by-zone.js';
import { eventIdIndexTimescale } from './013-event-id-index-timescale.js';
import { noDataUsualRate } from './014-no-data-usual-rate.js';

/**
 * Every migration, in the order they run: one file each, named by its version. Versioned, append-only:
 * never edit a released migration, add the next one (a new file NNN-name.ts and its line below).
 */
export const MIGRATIONS: readonly Migration[] = [
  eventTables,
  producerKeys,
  amendmentsAndCounts,
  modelRegistry,
  alerts,
  usersAndSessions,
  webhooks,
  scoreHistory,
  districtHistory,
  historyAnalysisRegistry,
  simulationBackfill,
  hourlyAggregatesByLocalHour,
  eventIdIndexTimescale,
  noDataUsualRate,
];
