import type { Migration } from '../migrate.js';

export const modelRegistry: Migration = {
  version: 4,
  name: 'model registry',
  async up(tx) {
    // Plain SQL: the same on TimescaleDB and on PostgreSQL 15 (see backend/src/models/).
    const statements = [
      'CREATE SEQUENCE model_version_seq',
      `CREATE TABLE model_versions (
           id            text        PRIMARY KEY DEFAULT ('v' || nextval('model_version_seq')),
           created_at    timestamptz NOT NULL DEFAULT now(),
           finished_at   timestamptz,
           trained_until timestamptz NOT NULL,
           status        text        NOT NULL CHECK (status IN ('training', 'ready', 'failed')),
           requested_by  text        NOT NULL CHECK (requested_by IN ('schedule', 'startup', 'api')),
           card          jsonb,
           bundle        jsonb,
           error         text,
           CHECK (status <> 'ready' OR (card IS NOT NULL AND bundle IS NOT NULL AND finished_at IS NOT NULL)),
           CHECK (status <> 'failed' OR (error IS NOT NULL AND finished_at IS NOT NULL)),
           -- The target of model_active's foreign key, which pins the active version's status.
           UNIQUE (id, status)
         )`,
      // One training at a time, across every instance sharing the database.
      `CREATE UNIQUE INDEX model_versions_one_training ON model_versions (status) WHERE status = 'training'`,
      'CREATE INDEX model_versions_created_at ON model_versions (created_at DESC)',
      // The active version: one row once a first version is ready. The foreign key on (id, 'ready')
      // means only a ready version can be activated, and the active one can never be marked failed.
      `CREATE TABLE model_active (
           singleton    boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
           version_id   text        NOT NULL,
           status       text        NOT NULL DEFAULT 'ready' CHECK (status = 'ready'),
           activated_at timestamptz NOT NULL DEFAULT now(),
           FOREIGN KEY (version_id, status) REFERENCES model_versions (id, status)
         )`,
    ];
    for (const sql of statements) await tx.query(sql);
  },
};
