import type { Migration } from '../migrate.js';

export const usersAndSessions: Migration = {
  version: 6,
  name: 'users and sessions',
  async up(tx) {
    const statements = [
      // `password_hash` is scrypt with a per-user salt (auth/password.ts). `token_version` is carried in
      // every session token; a password change bumps it, so the sessions issued before it stop working.
      `CREATE TABLE users (
           id             text        PRIMARY KEY,
           username       text        NOT NULL UNIQUE,
           role           text        NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
           districts      jsonb,
           password_hash  text        NOT NULL,
           token_version  integer     NOT NULL DEFAULT 1,
           disabled       boolean     NOT NULL DEFAULT false,
           created_at     timestamptz NOT NULL DEFAULT now()
         )`,
      // Values the replicas on one database share; `jwt_secret` when JWT_SECRET is unset.
      `CREATE TABLE auth_settings (
           name        text        PRIMARY KEY,
           value       text        NOT NULL,
           created_at  timestamptz NOT NULL DEFAULT now()
         )`,
    ];
    for (const sql of statements) await tx.query(sql);
  },
};
