import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  Alert,
  AlertNotification,
  CreatedSubscription,
  Severity,
  SubscriptionFilter,
  WebhookDelivery,
} from '@district-monitor/streams';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_DELIVERY_OPTIONS,
  type DeliveryOptions,
} from '../backend/src/alerts/delivery/delivery-options.js';
import { SubscriptionsService } from '../backend/src/alerts/delivery/subscriptions.service.js';
import { WebhookDeliveryService } from '../backend/src/alerts/delivery/webhook-delivery.service.js';
import { verifyWebhook } from '../backend/src/alerts/delivery/webhook-signature.js';
import { WebhookSender } from '../backend/src/alerts/delivery/webhook.sender.js';
import { WebhooksRepository } from '../backend/src/alerts/delivery/webhooks.repository.js';
import { AuditLog } from '../backend/src/audit/audit-log.js';
import type { Database } from '../backend/src/database/database.js';
import { bucketContext, migrate } from '../backend/src/database/migrate.js';
import { PgliteDatabase } from '../backend/src/database/pglite.repository.js';
import { PostgresDatabase } from '../backend/src/database/postgres.repository.js';
import { createDatabase, uniqueName, waitFor } from './helpers/services.js';

/**
 * Webhook delivery against a real database and real HTTP receivers: signed requests with the right
 * headers, retries with backoff while a receiver is down and exactly one delivery once it is back,
 * dead-lettering after the last attempt (delivery log and audit), a slow receiver that does not hold
 * up the others, two workers on one database, and a restart that finds what was not fanned out.
 */
const OPTIONS: DeliveryOptions = {
  ...DEFAULT_DELIVERY_OPTIONS,
  maxAttempts: 5,
  backoffMs: 50,
  backoffCapMs: 800,
  timeoutMs: 1500,
  concurrency: 8,
  perSubscription: 2,
  sweepMs: 250,
};
const POLL = { timeoutMs: 20_000, intervalMs: 20 };

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
  readonly status: number;
}

/** What the receiver answers to its n-th request (0-based): a status, or no answer at all. */
type Answer = (n: number) => number | 'hang';

/** A webhook receiver on node:http that records every request and what it answered. */
class Receiver {
  readonly received: Received[] = [];
  private server: Server | undefined;

  constructor(private answer: Answer = () => 200) {}

  static async freePort(): Promise<number> {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    probe.close();
    await once(probe, 'close');
    return port;
  }

  async start(port = 0): Promise<string> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const answer = this.answer(this.received.length);
        const status = answer === 'hang' ? 0 : answer;
        this.received.push({
          headers: request.headers,
          body: Buffer.concat(chunks).toString(),
          at: Date.now(),
          status,
        });
        if (answer === 'hang') return;
        response.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'try later');
      });
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  }

  answerWith(answer: Answer): void {
    this.answer = answer;
  }

  /** Requests answered 2xx carrying this idempotency key. */
  delivered(key: string): number {
    return this.received.filter(
      (r) => r.status >= 200 && r.status < 300 && r.headers['idempotency-key'] === key,
    ).length;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  }
}

function alert(district: string, severity: Severity): Alert {
  const now = new Date().toISOString();
  return {
    id: uniqueName('a-'),
    fingerprint: `surge|${district}|*`,
    labels: { rule: 'surge', kind: 'surge', district, category: '*', severity },
    state: 'firing',
    value: 3,
    summary: `${district}: three times the usual count`,
    startedAt: now,
    firedAt: now,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    escalationLevel: 0,
    flapping: false,
    silencedBy: [],
    inhibitedBy: null,
    updatedAt: now,
  };
}

/** Stores a notification in the outbox as the engine does (a second copy of a key is a no-op). */
async function storeNotification(db: Database, notification: AlertNotification): Promise<void> {
  await db.query(
    `INSERT INTO alert_notifications (id, idempotency_key, district, kind, level, body)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (idempotency_key) DO NOTHING`,
    [
      notification.id,
      notification.idempotencyKey,
      notification.district,
      notification.kind,
      notification.level,
      JSON.stringify(notification),
    ],
  );
}

function newNotification(district: string, severity: Severity = 'high'): AlertNotification {
  return {
    id: uniqueName('n-'),
    idempotencyKey: uniqueName('k-'),
    district,
    kind: 'firing',
    level: 0,
    levelName: 'district control room',
    createdAt: new Date().toISOString(),
    alerts: [alert(district, severity)],
  };
}

const onlyDistrict = (district: string): SubscriptionFilter => ({
  districts: [district],
  severities: null,
  categories: null,
  minLevel: 0,
});

function scenario(name: string, open: () => Promise<{ db: Database; drop: () => Promise<void> }>) {
  describe(name, () => {
    let db: Database;
    let drop: () => Promise<void>;
    let repository: WebhooksRepository;
    let audit: AuditLog;
    let subscriptions: SubscriptionsService;
    const workers: WebhookDeliveryService[] = [];
    const receivers: Receiver[] = [];

    const worker = (options: DeliveryOptions = OPTIONS): WebhookDeliveryService => {
      const service = new WebhookDeliveryService(db, repository, audit, new WebhookSender(), options);
      workers.push(service);
      return service;
    };
    const receiver = (answer?: Answer): Receiver => {
      const r = new Receiver(answer);
      receivers.push(r);
      return r;
    };
    const subscribe = (url: string, district: string): Promise<CreatedSubscription> =>
      subscriptions.create(
        { name: `it ${district}`, url, filter: onlyDistrict(district), enabled: true },
        'it-admin',
      );
    const log = (subscriptionId: string, state?: WebhookDelivery['state']): Promise<WebhookDelivery[]> =>
      subscriptions.deliveries(subscriptionId, { limit: 100, ...(state === undefined ? {} : { state }) });

    beforeAll(async () => {
      ({ db, drop } = await open());
      await migrate(db, bucketContext({ timeZone: 'Asia/Kolkata' }));
      repository = new WebhooksRepository(db);
      audit = new AuditLog(db);
      subscriptions = new SubscriptionsService(db, repository, audit);
    });

    // Each test runs its own workers; one left running would be a second replica in the next test.
    afterEach(async () => {
      for (const service of workers.splice(0)) await service.stop();
    });

    afterAll(async () => {
      for (const r of receivers) await r.stop();
      await db.close();
      await drop();
    });

    it('delivers a signed notification with the idempotency key, delivery id and timestamp', async () => {
      const hook = receiver();
      const created = await subscribe(await hook.start(), 'TN-CHN');
      const elsewhere = await subscribe(await receiver().start(), 'TN-MDU');
      expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      expect(JSON.stringify(await subscriptions.list())).not.toContain(created.secret);
      const service = worker();
      service.start();

      const notification = newNotification('TN-CHN');
      await storeNotification(db, notification);
      service.trigger();

      const request = await waitFor('the receiver to get the notification', () => hook.received[0], POLL);
      const delivery = await waitFor(
        'the delivery to be logged as delivered',
        async () => (await log(created.id, 'delivered'))[0],
        POLL,
      );
      const timestamp = String(request.headers['x-dm-timestamp']);
      const signature = String(request.headers['x-dm-signature']);
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['idempotency-key']).toBe(notification.idempotencyKey);
      expect(request.headers['x-dm-delivery']).toBe(delivery.id);
      expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(30);
      expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(verifyWebhook(created.secret, timestamp, request.body, signature)).toBe(true);
      expect(verifyWebhook(`${created.secret}x`, timestamp, request.body, signature)).toBe(false);
      expect(JSON.parse(request.body)).toEqual(notification);
      expect(delivery).toMatchObject({
        subscriptionId: created.id,
        notificationId: notification.id,
        idempotencyKey: notification.idempotencyKey,
        state: 'delivered',
        attempts: 1,
        lastStatus: 200,
        lastError: null,
        nextAttemptAt: null,
      });
      // The TN-MDU subscription's filter does not match: no delivery at all.
      expect(await log(elsewhere.id)).toEqual([]);
    });

    it('retries with backoff while the receiver is down, and delivers once when it is back', async () => {
      const port = await Receiver.freePort();
      const created = await subscribe(`http://127.0.0.1:${port}/hook`, 'TN-CBE');
      // Enough attempts that however long the receiver stays down here, it is back before the last.
      const service = worker({ ...OPTIONS, maxAttempts: 10 });
      service.start();
      const notification = newNotification('TN-CBE');
      await storeNotification(db, notification);
      service.trigger();

      // Nothing listens: connection refused, twice at least.
      const [failing] = await waitFor(
        'two failed attempts',
        async () => {
          const rows = await log(created.id);
          return (rows[0]?.attempts ?? 0) >= 2 ? rows : undefined;
        },
        POLL,
      );
      expect(failing).toMatchObject({ state: 'pending', lastStatus: null });
      expect(failing?.lastError).toMatch(/ECONNREFUSED/);

      // Back, but answering 503 once more before it accepts.
      const hook = receiver((n) => (n < 1 ? 503 : 200));
      await hook.start(port);
      // The receiver answers before the worker records the outcome: wait for the log, not the receiver.
      const delivered = await waitFor(
        'the delivery to be logged as delivered',
        async () => (await log(created.id, 'delivered'))[0],
        POLL,
      );
      expect(delivered.attempts).toBeGreaterThanOrEqual(4);
      expect(delivered.lastStatus).toBe(200);
      expect(hook.received.map((r) => r.status)).toEqual([503, 200]);

      // Every attempt carried the same key and delivery id; the 503s were spaced by the backoff.
      expect(new Set(hook.received.map((r) => r.headers['idempotency-key']))).toEqual(
        new Set([notification.idempotencyKey]),
      );
      expect(new Set(hook.received.map((r) => r.headers['x-dm-delivery']))).toEqual(new Set([delivered.id]));
      const failures = delivered.attempts - hook.received.length;
      hook.received.slice(1).forEach((r, i) => {
        const previous = hook.received[i];
        // Lower bound of the wait after failure k (1-based): backoffMs * 2^(k-1) / 2.
        const k = failures + i + 1;
        const lowest = Math.min(OPTIONS.backoffCapMs, OPTIONS.backoffMs * 2 ** (k - 1)) / 2;
        expect(r.at - (previous?.at ?? 0)).toBeGreaterThanOrEqual(lowest - 5);
      });

      // The same notification again (a second writer's copy, a repeated notify, a sweep): still once.
      await storeNotification(db, notification);
      service.trigger();
      service.trigger();
      const later = newNotification('TN-CBE');
      await storeNotification(db, later);
      service.trigger();
      await waitFor(
        'a later notification',
        () => (hook.delivered(later.idempotencyKey) > 0 ? true : undefined),
        POLL,
      );
      // A fan-out run again, even over a notification whose mark was lost, adds no second delivery.
      expect(await worker().fanOut()).toBe(0);
      await db.query('UPDATE alert_notifications SET fanned_out_at = NULL WHERE id = $1', [notification.id]);
      expect(await worker().fanOut()).toBe(0);
      await waitFor(
        'nothing left due',
        async () => ((await repository.msUntilNextDue()) === null ? true : undefined),
        POLL,
      );
      expect(hook.delivered(notification.idempotencyKey)).toBe(1);
      expect(hook.delivered(later.idempotencyKey)).toBe(1);
      expect(await log(created.id)).toHaveLength(2);
    });

    it('declares a delivery dead after the last attempt, in the delivery log and the audit log', async () => {
      const hook = receiver(() => 503);
      const created = await subscribe(await hook.start(), 'TN-TNV');
      const service = worker();
      service.start();
      const notification = newNotification('TN-TNV', 'critical');
      await storeNotification(db, notification);
      service.trigger();

      const [dead] = await waitFor(
        'the delivery to die',
        async () => {
          const rows = await log(created.id, 'dead');
          return rows.length > 0 ? rows : undefined;
        },
        POLL,
      );
      expect(dead).toMatchObject({
        notificationId: notification.id,
        state: 'dead',
        attempts: OPTIONS.maxAttempts,
        lastStatus: 503,
        lastError: 'HTTP 503: try later',
        nextAttemptAt: null,
        deliveredAt: null,
      });
      expect(hook.received).toHaveLength(OPTIONS.maxAttempts);
      expect(await log(created.id, 'pending')).toEqual([]);
      const entries = await audit.list({ subject: `subscription:${created.id}`, limit: 10 });
      expect(entries.map((e) => e.action)).toEqual(['delivery.dead', 'subscription.created']);
      expect(entries[0]).toMatchObject({
        actor: 'system',
        reason: 'HTTP 503: try later',
        details: { deliveryId: dead?.id, notificationId: notification.id, attempts: OPTIONS.maxAttempts },
      });
    });

    it('does not let a receiver that never answers hold up another subscription', async () => {
      const slow = receiver(() => 'hang');
      const fast = receiver();
      const slowSubscription = await subscribe(await slow.start(), 'TN-VLR');
      await subscribe(await fast.start(), 'TN-VLR');
      const options = { ...OPTIONS, timeoutMs: 3000 };
      const service = worker(options);
      service.start();
      const notifications = [newNotification('TN-VLR'), newNotification('TN-VLR'), newNotification('TN-VLR')];
      for (const n of notifications) await storeNotification(db, n);
      service.trigger();

      await waitFor(
        'the fast receiver to get all three',
        () => (fast.received.length === 3 ? true : undefined),
        POLL,
      );
      // Meanwhile the slow one's attempts are still waiting for an answer, in at most its share of the slots.
      expect(slow.received.length).toBeLessThanOrEqual(OPTIONS.perSubscription);
      expect((await log(slowSubscription.id)).every((d) => d.state === 'pending' && d.attempts === 0)).toBe(
        true,
      );
      await waitFor(
        'the slow attempts to time out',
        async () => {
          const rows = await log(slowSubscription.id);
          return rows.some((d) => d.lastError === `no answer within ${options.timeoutMs} ms`)
            ? true
            : undefined;
        },
        POLL,
      );
      // Closing the receiver ends the retries in flight at once; disabled, it is left alone afterwards.
      await slow.stop();
      await subscriptions.update(slowSubscription.id, { enabled: false }, 'it-admin');
      await service.stop();
    });

    it('sends each notification once with two workers on one database', async () => {
      const hook = receiver();
      const subscription = await subscribe(await hook.start(), 'TN-KKI');
      const [a, b] = [worker(), worker()];
      a.start();
      b.start();
      const notifications = Array.from({ length: 30 }, () => newNotification('TN-KKI'));
      for (const n of notifications) {
        await storeNotification(db, n);
        a.trigger();
        b.trigger();
      }
      await waitFor('all 30 to arrive', () => (hook.received.length >= 30 ? true : undefined), POLL);
      // Give a duplicate the chance to show: both workers sweep once more.
      await waitFor(
        'nothing left due',
        async () => ((await repository.msUntilNextDue()) === null ? true : undefined),
        POLL,
      );
      for (const n of notifications) expect(hook.delivered(n.idempotencyKey)).toBe(1);
      expect(hook.received).toHaveLength(30);
      // The delivery log: newest first, paged with ?before=.
      const all = await log(subscription.id);
      const ids = all.map((d) => Number(d.id));
      expect(ids).toEqual([...ids].sort((x, y) => y - x));
      expect(new Set(all.map((d) => d.notificationId))).toEqual(new Set(notifications.map((n) => n.id)));
      const page = await subscriptions.deliveries(subscription.id, { limit: 10, before: all[9]?.id ?? '' });
      expect(page.map((d) => d.id)).toEqual(all.slice(10, 20).map((d) => d.id));
    });

    it('fans out at start what was stored while no worker ran (a restart)', async () => {
      const hook = receiver();
      await subscribe(await hook.start(), 'TN-SLM');
      const notification = newNotification('TN-SLM');
      await storeNotification(db, notification);
      const service = worker();
      service.start();
      await waitFor(
        'the stored notification',
        () => (hook.delivered(notification.idempotencyKey) === 1 ? true : undefined),
        POLL,
      );
      const { rows } = await db.query<{ fanned: boolean }>(
        'SELECT fanned_out_at IS NOT NULL AS fanned FROM alert_notifications WHERE id = $1',
        [notification.id],
      );
      expect(rows).toEqual([{ fanned: true }]);
      await service.stop();
    });
  });
}

scenario('webhooks on PGlite with TimescaleDB', async () => ({
  db: await PgliteDatabase.open('memory://'),
  drop: () => Promise.resolve(),
}));

scenario('webhooks on plain PostgreSQL 15', async () => {
  const database = await createDatabase();
  return { db: await PostgresDatabase.open(database.url), drop: () => database.drop() };
});
