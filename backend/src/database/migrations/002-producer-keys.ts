import type { Migration } from '../migrate.js';

export const producerKeys: Migration = {
  version: 2,
  name: 'producer keys',
  async up(tx) {
    // API keys of HTTP producers (`npm run keys`): `id` is the public lookup part of the key, and only
    // sha256 of its secret part is kept. A revoked key stays, so its name keeps meaning one key in logs.
    await tx.query(`CREATE TABLE producer_keys (
        id              text        PRIMARY KEY,
        name            text        NOT NULL UNIQUE,
        secret_hash     text        NOT NULL,
        rate_per_second integer     NOT NULL CHECK (rate_per_second > 0),
        burst           integer     NOT NULL CHECK (burst > 0),
        created_at      timestamptz NOT NULL DEFAULT now(),
        revoked_at      timestamptz,
        last_used_at    timestamptz
      )`);
  },
};
