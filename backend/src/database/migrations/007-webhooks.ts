import type { Migration } from '../migrate.js';

export const webhooks: Migration = {
  // Alert delivery (backend/src/alerts/delivery): subscriptions and the delivery log of migration 5's outbox.
  version: 7,
  name: 'webhook subscriptions and deliveries',
  async up(tx) {
    const statements = [
      // The secret signs every request (HMAC-SHA256), so it is kept as is; it is shown once, at creation.
      `CREATE TABLE webhook_subscriptions (
           id          text        PRIMARY KEY,
           name        text        NOT NULL,
           url         text        NOT NULL CHECK (url ~ '^https?://'),
           secret      text        NOT NULL,
           filter      jsonb       NOT NULL,
           enabled     boolean     NOT NULL DEFAULT true,
           created_by  text        NOT NULL,
           created_at  timestamptz NOT NULL DEFAULT now()
         )`,
      // The delivery log and the retry queue in one: one row per (subscription, notification), so a
      // notification fanned out twice is still sent once. `lease_token` marks the attempt in flight;
      // `next_attempt_at` is pushed past the lease when claimed, so a dead sender's row comes due again.
      `CREATE TABLE webhook_deliveries (
           id               bigserial   PRIMARY KEY,
           subscription_id  text        NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
           notification_id  text        NOT NULL REFERENCES alert_notifications (id) ON DELETE CASCADE,
           idempotency_key  text        NOT NULL,
           state            text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
           attempts         integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
           next_attempt_at  timestamptz,
           lease_token      text,
           last_status      integer,
           last_error       text,
           delivered_at     timestamptz,
           created_at       timestamptz NOT NULL DEFAULT now(),
           UNIQUE (subscription_id, notification_id),
           CHECK ((state = 'pending') = (next_attempt_at IS NOT NULL)),
           CHECK ((state = 'delivered') = (delivered_at IS NOT NULL))
         )`,
      `CREATE INDEX webhook_deliveries_due ON webhook_deliveries (subscription_id, next_attempt_at)
           WHERE state = 'pending'`,
      'CREATE INDEX webhook_deliveries_log ON webhook_deliveries (subscription_id, id DESC)',
    ];
    for (const sql of statements) await tx.query(sql);
  },
};
