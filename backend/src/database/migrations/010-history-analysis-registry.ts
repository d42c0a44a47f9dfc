import type { Migration } from '../migrate.js';

export const historyAnalysisRegistry: Migration = {
  version: 10,
  name: 'history analysis registry',
  async up(tx) {
    // Plain SQL: the same on TimescaleDB and on PostgreSQL 15 (see backend/src/history-analysis/).
    const statements = [
      'CREATE SEQUENCE history_analysis_seq',
      `CREATE TABLE history_analysis_versions (
           id            text        PRIMARY KEY DEFAULT ('h' || nextval('history_analysis_seq')),
           history_hash  text        NOT NULL,
           created_at    timestamptz NOT NULL DEFAULT now(),
           finished_at   timestamptz,
           status        text        NOT NULL CHECK (status IN ('training', 'ready', 'failed')),
           bundle        jsonb,
           error         text,
           CHECK (status <> 'ready' OR (bundle IS NOT NULL AND finished_at IS NOT NULL)),
           CHECK (status <> 'failed' OR (error IS NOT NULL AND finished_at IS NOT NULL))
         )`,
      // One ready analysis per history content.
      `CREATE UNIQUE INDEX history_analysis_ready ON history_analysis_versions (history_hash) WHERE status = 'ready'`,
      'CREATE INDEX history_analysis_created ON history_analysis_versions (created_at DESC)',
    ];
    for (const sql of statements) await tx.query(sql);
  },
};
