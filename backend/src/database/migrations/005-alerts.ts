import type { Migration } from '../migrate.js';

export const alerts: Migration = {
  version: 5,
  name: 'alerts, silences, notifications and the audit log',
  async up(tx) {
    const statements = [
      // Rules are data, edited by admins through the API; the engine seeds the region's defaults once.
      `CREATE TABLE alert_rules (
           id          text        PRIMARY KEY,
           region      text        NOT NULL,
           rule        jsonb       NOT NULL,
           updated_at  timestamptz NOT NULL DEFAULT now(),
           updated_by  text        NOT NULL
         )`,
      // One row per alert episode (pending .. resolved); `version` guards every update, so two writers
      // racing over one alert cannot both win.
      `CREATE TABLE alerts (
           id               text        PRIMARY KEY,
           fingerprint      text        NOT NULL,
           rule_id          text        NOT NULL,
           district         text        NOT NULL,
           state            text        NOT NULL CHECK (state IN ('pending', 'firing', 'acknowledged', 'resolved')),
           record           jsonb       NOT NULL,
           version          integer     NOT NULL,
           started_at       timestamptz NOT NULL,
           updated_at       timestamptz NOT NULL,
           resolved_at      timestamptz
         )`,
      // Deduplication in the database: at most one open alert per fingerprint, whoever writes it.
      "CREATE UNIQUE INDEX alerts_open_fingerprint ON alerts (fingerprint) WHERE state <> 'resolved'",
      'CREATE INDEX alerts_district_started ON alerts (district, started_at DESC)',
      'CREATE INDEX alerts_started ON alerts (started_at DESC)',
      `CREATE TABLE silences (
           id          text        PRIMARY KEY,
           matchers    jsonb       NOT NULL,
           reason      text        NOT NULL CHECK (reason <> ''),
           created_by  text        NOT NULL,
           starts_at   timestamptz NOT NULL,
           ends_at     timestamptz NOT NULL CHECK (ends_at > starts_at),
           expired_by  text
         )`,
      // The outbox of grouped notifications: the idempotency key makes a second writer's (or a
      // restarted writer's) copy of a notification a no-op. Fanned out to webhooks by the delivery side.
      `CREATE TABLE alert_notifications (
           id              text        PRIMARY KEY,
           idempotency_key text        NOT NULL UNIQUE,
           district        text        NOT NULL,
           kind            text        NOT NULL CHECK (kind IN ('firing', 'resolved', 'escalation', 'repeat')),
           level           integer     NOT NULL,
           body            jsonb       NOT NULL,
           created_at      timestamptz NOT NULL DEFAULT now(),
           fanned_out_at   timestamptz
         )`,
      'CREATE INDEX alert_notifications_pending ON alert_notifications (created_at) WHERE fanned_out_at IS NULL',
      // Append-only: the application only inserts, and a trigger refuses updates and deletes.
      `CREATE TABLE audit_log (
           id       bigserial   PRIMARY KEY,
           at       timestamptz NOT NULL DEFAULT now(),
           actor    text        NOT NULL,
           action   text        NOT NULL,
           subject  text        NOT NULL,
           reason   text,
           details  jsonb       NOT NULL DEFAULT '{}'::jsonb
         )`,
      'CREATE INDEX audit_log_subject ON audit_log (subject, id)',
      `CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           RAISE EXCEPTION 'audit_log is append-only';
         END $$`,
      `CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
           FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`,
    ];
    for (const sql of statements) await tx.query(sql);
  },
};
