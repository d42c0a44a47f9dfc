import { Inject, Injectable } from '@nestjs/common';
import type {
  AlertNotification,
  DeliveryState,
  SubscriptionFilter,
  WebhookDelivery,
  WebhookSubscription,
} from '@district-monitor/streams';
import { DATABASE } from '../../config/tokens.js';
import type { Database, Queryable } from '../../database/database.js';

interface SubscriptionRow {
  id: string;
  name: string;
  url: string;
  filter: SubscriptionFilter | string;
  enabled: boolean;
  created_by: string;
  created_at: Date | string;
}

interface DeliveryRow {
  id: string;
  subscription_id: string;
  notification_id: string;
  idempotency_key: string;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: Date | string | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: Date | string | null;
  created_at: Date | string;
}

/** A new subscription as stored. */
export interface SubscriptionRecord {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly secret: string;
  readonly filter: SubscriptionFilter;
  readonly enabled: boolean;
  readonly createdBy: string;
}

export type SubscriptionChanges = Partial<Pick<SubscriptionRecord, 'name' | 'url' | 'filter' | 'enabled'>>;

/** A notification not yet fanned out, locked by the fan-out transaction. */
export interface UnfannedNotification {
  readonly id: string;
  readonly idempotencyKey: string;
  readonly notification: AlertNotification;
}

/** An attempt claimed by this worker: the delivery, where it goes and what it carries. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly subscriptionId: string;
  readonly notificationId: string;
  readonly idempotencyKey: string;
  /** Failed attempts before this one. */
  readonly attempts: number;
  readonly leaseToken: string;
  readonly url: string;
  readonly secret: string;
  /** The notification as sent and signed. */
  readonly body: string;
}

export interface AttemptOutcome {
  readonly status: number | null;
  readonly error: string;
}

const SUBSCRIPTION_COLUMNS = 'id, name, url, filter, enabled, created_by, created_at';
const DELIVERY_COLUMNS = `id::text AS id, subscription_id, notification_id, idempotency_key, state, attempts,
  next_attempt_at, last_status, last_error, delivered_at, created_at`;

const parseJson = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);
const iso = (value: Date | string): string => new Date(value).toISOString();
const isoOrNull = (value: Date | string | null): string | null => (value === null ? null : iso(value));

function toSubscription(row: SubscriptionRow): WebhookSubscription {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    filter: parseJson(row.filter),
    enabled: row.enabled,
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
  };
}

function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    notificationId: row.notification_id,
    idempotencyKey: row.idempotency_key,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: isoOrNull(row.next_attempt_at),
    lastStatus: row.last_status,
    lastError: row.last_error,
    deliveredAt: isoOrNull(row.delivered_at),
    createdAt: iso(row.created_at),
  };
}

/**
 * Webhook subscriptions and their deliveries (migration 7), and the outbox `alert_notifications`
 * (migration 5) they are fanned out from. Writers that must commit with something else take `tx`.
 */
@Injectable()
export class WebhooksRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  // -------------------------------------------------------------------------------------------------
  // Subscriptions

  async listSubscriptions(): Promise<WebhookSubscription[]> {
    const { rows } = await this.db.query<SubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions ORDER BY created_at, id`,
    );
    return rows.map(toSubscription);
  }

  async findSubscription(id: string, tx: Queryable = this.db): Promise<WebhookSubscription | undefined> {
    const { rows } = await tx.query<SubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE id = $1`,
      [id],
    );
    const [row] = rows;
    return row === undefined ? undefined : toSubscription(row);
  }

  async insertSubscription(tx: Queryable, record: SubscriptionRecord): Promise<WebhookSubscription> {
    const { rows } = await tx.query<SubscriptionRow>(
      `INSERT INTO webhook_subscriptions (id, name, url, secret, filter, enabled, created_by)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7) RETURNING ${SUBSCRIPTION_COLUMNS}`,
      [
        record.id,
        record.name,
        record.url,
        record.secret,
        JSON.stringify(record.filter),
        record.enabled,
        record.createdBy,
      ],
    );
    return toSubscription(one(rows));
  }

  /** The subscription after the changes, or undefined when there is none with this id. */
  async updateSubscription(
    tx: Queryable,
    id: string,
    changes: SubscriptionChanges,
  ): Promise<WebhookSubscription | undefined> {
    const { rows } = await tx.query<SubscriptionRow>(
      `UPDATE webhook_subscriptions SET
         name = COALESCE($2, name),
         url = COALESCE($3, url),
         filter = COALESCE($4::jsonb, filter),
         enabled = COALESCE($5, enabled)
       WHERE id = $1 RETURNING ${SUBSCRIPTION_COLUMNS}`,
      [
        id,
        changes.name ?? null,
        changes.url ?? null,
        changes.filter === undefined ? null : JSON.stringify(changes.filter),
        changes.enabled ?? null,
      ],
    );
    const [row] = rows;
    return row === undefined ? undefined : toSubscription(row);
  }

  /** Deletes the subscription and its delivery log; returns what was deleted. */
  async deleteSubscription(tx: Queryable, id: string): Promise<WebhookSubscription | undefined> {
    const { rows } = await tx.query<SubscriptionRow>(
      `DELETE FROM webhook_subscriptions WHERE id = $1 RETURNING ${SUBSCRIPTION_COLUMNS}`,
      [id],
    );
    const [row] = rows;
    return row === undefined ? undefined : toSubscription(row);
  }

  /** The delivery log of a subscription, newest first (by the numeric id: the `id` output column is text). */
  async listDeliveries(
    subscriptionId: string,
    query: { readonly state?: DeliveryState; readonly before?: string; readonly limit: number },
  ): Promise<WebhookDelivery[]> {
    const params: unknown[] = [subscriptionId];
    const where = ['subscription_id = $1'];
    if (query.state !== undefined) {
      params.push(query.state);
      where.push(`state = $${params.length}`);
    }
    if (query.before !== undefined) {
      params.push(query.before);
      where.push(`id < $${params.length}::bigint`);
    }
    params.push(query.limit);
    const { rows } = await this.db.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE ${where.join(' AND ')}
       ORDER BY webhook_deliveries.id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toDelivery);
  }

  // -------------------------------------------------------------------------------------------------
  // Fan-out (inside one transaction: lock, insert deliveries, mark fanned out)

  /** The oldest notifications not yet fanned out, locked; rows another transaction holds are skipped. */
  async lockUnfanned(tx: Queryable, limit: number): Promise<UnfannedNotification[]> {
    const { rows } = await tx.query<{
      id: string;
      idempotency_key: string;
      body: AlertNotification | string;
    }>(
      `SELECT id, idempotency_key, body FROM alert_notifications WHERE fanned_out_at IS NULL
       ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows.map((row) => ({
      id: row.id,
      idempotencyKey: row.idempotency_key,
      notification: parseJson(row.body),
    }));
  }

  async enabledSubscriptions(tx: Queryable): Promise<{ id: string; filter: SubscriptionFilter }[]> {
    const { rows } = await tx.query<{ id: string; filter: SubscriptionFilter | string }>(
      'SELECT id, filter FROM webhook_subscriptions WHERE enabled ORDER BY id',
    );
    return rows.map((row) => ({ id: row.id, filter: parseJson(row.filter) }));
  }

  /** Pending deliveries, due now; a (subscription, notification) pair that exists already is left as is. */
  async insertDeliveries(
    tx: Queryable,
    deliveries: readonly { subscriptionId: string; notificationId: string; idempotencyKey: string }[],
  ): Promise<number> {
    if (deliveries.length === 0) return 0;
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO webhook_deliveries (subscription_id, notification_id, idempotency_key, next_attempt_at)
       SELECT s, n, k, now() FROM unnest($1::text[], $2::text[], $3::text[]) AS d(s, n, k)
       ON CONFLICT (subscription_id, notification_id) DO NOTHING RETURNING id::text AS id`,
      [
        deliveries.map((d) => d.subscriptionId),
        deliveries.map((d) => d.notificationId),
        deliveries.map((d) => d.idempotencyKey),
      ],
    );
    return rows.length;
  }

  async markFannedOut(tx: Queryable, notificationIds: readonly string[]): Promise<void> {
    await tx.query('UPDATE alert_notifications SET fanned_out_at = now() WHERE id = ANY($1::text[])', [
      notificationIds,
    ]);
  }

  // -------------------------------------------------------------------------------------------------
  // Sending

  /** Enabled subscriptions with a due delivery, except `busy` (at their limit of attempts in flight). */
  async dueSubscriptions(busy: readonly string[], limit: number): Promise<string[]> {
    const { rows } = await this.db.query<{ subscription_id: string }>(
      `SELECT d.subscription_id FROM webhook_deliveries d
       JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.enabled
       WHERE d.state = 'pending' AND d.next_attempt_at <= now() AND NOT (d.subscription_id = ANY($1::text[]))
       GROUP BY d.subscription_id ORDER BY min(d.next_attempt_at) LIMIT $2`,
      [busy, limit],
    );
    return rows.map((row) => row.subscription_id);
  }

  /**
   * Claims up to `limit` due deliveries of a subscription for one attempt: they get `leaseToken` and are
   * not due again until `leaseMs` have passed, so no other worker sends them meanwhile. SKIP LOCKED lets
   * two workers claiming at the same moment take different rows instead of waiting for each other.
   */
  async claim(
    subscriptionId: string,
    limit: number,
    leaseToken: string,
    leaseMs: number,
  ): Promise<ClaimedDelivery[]> {
    const { rows } = await this.db.query<{
      id: string;
      subscription_id: string;
      notification_id: string;
      idempotency_key: string;
      attempts: number;
      url: string;
      secret: string;
      body: AlertNotification | string;
    }>(
      `WITH claimed AS (
         UPDATE webhook_deliveries d
            SET lease_token = $3, next_attempt_at = now() + $4::double precision * interval '1 millisecond'
          WHERE d.id IN (
            SELECT id FROM webhook_deliveries
             WHERE subscription_id = $1 AND state = 'pending' AND next_attempt_at <= now()
             ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
          RETURNING d.id, d.subscription_id, d.notification_id, d.idempotency_key, d.attempts)
       SELECT c.id::text AS id, c.subscription_id, c.notification_id, c.idempotency_key, c.attempts,
              s.url, s.secret, n.body
         FROM claimed c
         JOIN webhook_subscriptions s ON s.id = c.subscription_id
         JOIN alert_notifications n ON n.id = c.notification_id
        ORDER BY c.id`,
      [subscriptionId, limit, leaseToken, leaseMs],
    );
    return rows.map((row) => ({
      id: row.id,
      subscriptionId: row.subscription_id,
      notificationId: row.notification_id,
      idempotencyKey: row.idempotency_key,
      attempts: row.attempts,
      leaseToken,
      url: row.url,
      secret: row.secret,
      body: JSON.stringify(parseJson(row.body)),
    }));
  }

  /** Records a 2xx answer; false when the lease was lost (the row was claimed again, or deleted). */
  async markDelivered(delivery: ClaimedDelivery, status: number): Promise<boolean> {
    const { rows } = await this.db.query(
      `UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, last_status = $3,
         last_error = NULL, delivered_at = now(), next_attempt_at = NULL, lease_token = NULL
       WHERE id = $1::bigint AND lease_token = $2 RETURNING id`,
      [delivery.id, delivery.leaseToken, status],
    );
    return rows.length > 0;
  }

  /** Records a failed attempt, due again after `retryInMs`; false when the lease was lost. */
  async markRetry(delivery: ClaimedDelivery, outcome: AttemptOutcome, retryInMs: number): Promise<boolean> {
    const { rows } = await this.db.query(
      `UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $3, last_error = $4,
         next_attempt_at = now() + $5::double precision * interval '1 millisecond', lease_token = NULL
       WHERE id = $1::bigint AND lease_token = $2 RETURNING id`,
      [delivery.id, delivery.leaseToken, outcome.status, outcome.error, retryInMs],
    );
    return rows.length > 0;
  }

  /** Records the last failed attempt: the delivery is dead. False when the lease was lost. */
  async markDead(tx: Queryable, delivery: ClaimedDelivery, outcome: AttemptOutcome): Promise<boolean> {
    const { rows } = await tx.query(
      `UPDATE webhook_deliveries SET state = 'dead', attempts = attempts + 1, last_status = $3,
         last_error = $4, next_attempt_at = NULL, lease_token = NULL
       WHERE id = $1::bigint AND lease_token = $2 RETURNING id`,
      [delivery.id, delivery.leaseToken, outcome.status, outcome.error],
    );
    return rows.length > 0;
  }

  /**
   * Milliseconds until the next pending delivery of an enabled subscription (other than `except`) is
   * due, 0 if one is; null when there is none.
   */
  async msUntilNextDue(except: readonly string[] = []): Promise<number | null> {
    const { rows } = await this.db.query<{ wait_ms: number | string | null }>(
      `SELECT EXTRACT(EPOCH FROM (min(d.next_attempt_at) - now())) * 1000 AS wait_ms
         FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.enabled
        WHERE d.state = 'pending' AND NOT (d.subscription_id = ANY($1::text[]))`,
      [except],
    );
    const wait = rows[0]?.wait_ms ?? null;
    // GREATEST would turn "no row" (NULL) into 0, hence the clamp here.
    return wait === null ? null : Math.max(0, Math.ceil(Number(wait)));
  }
}

function one<T>(rows: readonly T[]): T {
  const [row] = rows;
  if (row === undefined) throw new Error('the statement returned no row');
  return row;
}
