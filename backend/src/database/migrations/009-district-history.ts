import type { Migration } from '../migrate.js';

export const districtHistory: Migration = {
  // The region's yearly district history (backend/src/history, data/history/*.json): plain tables on
  // TimescaleDB, PGlite and PostgreSQL alike (a few thousand yearly rows: no time partitioning helps).
  version: 9,
  name: 'district history',
  async up(tx) {
    const statements = [
      // One row per region: the loaded file's content hash (reload when it changes) and its descriptive
      // part (heads, sources, units, rules) as the file states it.
      `CREATE TABLE history_versions (
           region     text        PRIMARY KEY,
           version    text        NOT NULL,
           loaded_at  timestamptz NOT NULL DEFAULT now(),
           meta       jsonb       NOT NULL
         )`,
      // The population a rate divides by, per unit and year the unit reported (districts only).
      `CREATE TABLE history_populations (
           region     text    NOT NULL,
           unit       text    NOT NULL,
           year       integer NOT NULL,
           population integer NOT NULL CHECK (population > 0),
           estimated  boolean NOT NULL,
           carries    text[]  NOT NULL,
           PRIMARY KEY (region, unit, year)
         )`,
      // Every figure the file has (nulls are not stored), with the id of its source file.
      `CREATE TABLE history_values (
           region  text    NOT NULL,
           unit    text    NOT NULL,
           head    text    NOT NULL,
           year    integer NOT NULL,
           value   integer NOT NULL CHECK (value >= 0),
           source  text    NOT NULL,
           PRIMARY KEY (region, head, year, unit)
         )`,
      'CREATE INDEX history_values_unit ON history_values (region, unit, head, year)',
    ];
    for (const sql of statements) await tx.query(sql);
  },
};
