import type { Migration } from '../migrate.js';

export const scoreHistory: Migration = {
  // Time travel (backend/src/board-history).
  version: 8,
  name: 'score history',
  async up(tx, { timescale }) {
    const statements = [
      // Each district's model score, at most once per SCORE_HISTORY_MINUTES: the board at a past instant
      // is coloured by the last row at or before it.
      `CREATE TABLE score_history (
           district       text             NOT NULL,
           as_of          timestamptz      NOT NULL,
           model_version  text             NOT NULL,
           elevated       double precision NOT NULL,
           expected_count double precision NOT NULL
         )`,
      // TimescaleDB: a hypertable on as_of (30-day chunks: a few thousand small rows a day). Plain twin:
      // a regular table; both are read through the (district, as_of DESC) index.
      ...(timescale
        ? [
            `SELECT create_hypertable('score_history', by_range('as_of', INTERVAL '30 days'), if_not_exists => TRUE)`,
          ]
        : []),
      'CREATE INDEX score_history_district_time ON score_history (district, as_of DESC)',
    ];
    for (const sql of statements) await tx.query(sql);
  },
};
