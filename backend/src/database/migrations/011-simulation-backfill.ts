import type { Migration } from '../migrate.js';

export const simulationBackfill: Migration = {
  // The backfill of simulated history (backend/src/simulator/backfill.service.ts).
  version: 11,
  name: 'simulation backfill',
  async up(tx) {
    // One row per database: the plan (span, seed, rate) fixed when the backfill first started, so a
    // restart regenerates the same events (same ids) and resumes after `reached`.
    await tx.query(`CREATE TABLE simulation_backfill (
         id           integer          PRIMARY KEY CHECK (id = 1),
         from_at      timestamptz      NOT NULL,
         until_at     timestamptz      NOT NULL,
         seed         integer          NOT NULL,
         multiplier   double precision NOT NULL,
         reached_at   timestamptz,
         events       bigint           NOT NULL DEFAULT 0,
         started_at   timestamptz      NOT NULL DEFAULT now(),
         finished_at  timestamptz
       )`);
  },
};
