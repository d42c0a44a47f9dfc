import type { AlertNotification, SubscriptionFilter } from '@district-monitor/streams';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditLog, AuditRecord } from '../../audit/audit-log.js';
import type { Database, Queryable } from '../../database/database.js';
import { DEFAULT_DELIVERY_OPTIONS, type DeliveryOptions } from './delivery-options.js';
import { MATCH_ALL } from './subscription-filter.js';
import { WebhookDeliveryService } from './webhook-delivery.service.js';
import type { SendResult, WebhookRequest } from './webhook.sender.js';
import type { ClaimedDelivery, UnfannedNotification, WebhooksRepository } from './webhooks.repository.js';

/**
 * The worker's scheduling with the database and the network faked: limits, no busy loop, retries,
 * the dead letter, and a malformed outbox row. The real SQL runs in test/webhooks.test.ts.
 */
const OPTIONS: DeliveryOptions = {
  ...DEFAULT_DELIVERY_OPTIONS,
  maxAttempts: 3,
  backoffMs: 100,
  backoffCapMs: 1000,
  concurrency: 4,
  perSubscription: 2,
  sweepMs: 10_000,
};

interface Row {
  id: string;
  subscriptionId: string;
  attempts: number;
  state: 'pending' | 'delivered' | 'dead';
  dueAt: number;
  lease: string | null;
}

/** An in-memory stand-in for WebhooksRepository: deliveries as rows, the clock from Date.now(). */
class FakeRepository {
  readonly rows: Row[] = [];
  readonly outbox: UnfannedNotification[] = [];
  readonly fannedOut: string[] = [];
  subscriptions: { id: string; filter: SubscriptionFilter }[] = [];
  readonly calls = { due: 0, next: 0 };

  add(subscriptionId: string, n: number): void {
    for (let i = 0; i < n; i++) {
      const id = String(this.rows.length + 1);
      this.rows.push({ id, subscriptionId, attempts: 0, state: 'pending', dueAt: Date.now(), lease: null });
    }
  }

  lockUnfanned(_tx: Queryable, limit: number): Promise<UnfannedNotification[]> {
    return Promise.resolve(this.outbox.filter((n) => !this.fannedOut.includes(n.id)).slice(0, limit));
  }

  enabledSubscriptions(): Promise<{ id: string; filter: SubscriptionFilter }[]> {
    return Promise.resolve(this.subscriptions);
  }

  insertDeliveries(
    _tx: Queryable,
    deliveries: readonly { subscriptionId: string; notificationId: string }[],
  ): Promise<number> {
    for (const d of deliveries) this.add(d.subscriptionId, 1);
    return Promise.resolve(deliveries.length);
  }

  markFannedOut(_tx: Queryable, ids: readonly string[]): Promise<void> {
    this.fannedOut.push(...ids);
    return Promise.resolve();
  }

  private due(except: readonly string[]): Row[] {
    return this.rows.filter(
      (r) => r.state === 'pending' && r.dueAt <= Date.now() && !except.includes(r.subscriptionId),
    );
  }

  dueSubscriptions(busy: readonly string[], limit: number): Promise<string[]> {
    this.calls.due++;
    return Promise.resolve([...new Set(this.due(busy).map((r) => r.subscriptionId))].slice(0, limit));
  }

  claim(subscriptionId: string, limit: number, lease: string, leaseMs: number): Promise<ClaimedDelivery[]> {
    const rows = this.due([])
      .filter((r) => r.subscriptionId === subscriptionId)
      .slice(0, limit);
    return Promise.resolve(
      rows.map((r) => {
        r.lease = lease;
        r.dueAt = Date.now() + leaseMs;
        return {
          id: r.id,
          subscriptionId,
          notificationId: `n${r.id}`,
          idempotencyKey: `k${r.id}`,
          attempts: r.attempts,
          leaseToken: lease,
          url: 'http://receiver.invalid/',
          secret: 's',
          body: '{}',
        };
      }),
    );
  }

  private owned(d: ClaimedDelivery): Row | undefined {
    return this.rows.find((r) => r.id === d.id && r.lease === d.leaseToken);
  }

  markDelivered(d: ClaimedDelivery): Promise<boolean> {
    const row = this.owned(d);
    if (row !== undefined)
      Object.assign(row, { state: 'delivered', attempts: row.attempts + 1, lease: null });
    return Promise.resolve(row !== undefined);
  }

  markRetry(d: ClaimedDelivery, _outcome: unknown, retryInMs: number): Promise<boolean> {
    const row = this.owned(d);
    if (row !== undefined)
      Object.assign(row, { attempts: row.attempts + 1, lease: null, dueAt: Date.now() + retryInMs });
    return Promise.resolve(row !== undefined);
  }

  markDead(_tx: Queryable, d: ClaimedDelivery): Promise<boolean> {
    const row = this.owned(d);
    if (row !== undefined) Object.assign(row, { state: 'dead', attempts: row.attempts + 1, lease: null });
    return Promise.resolve(row !== undefined);
  }

  msUntilNextDue(except: readonly string[] = []): Promise<number | null> {
    this.calls.next++;
    const pending = this.rows.filter((r) => r.state === 'pending' && !except.includes(r.subscriptionId));
    if (pending.length === 0) return Promise.resolve(null);
    return Promise.resolve(Math.max(0, Math.min(...pending.map((r) => r.dueAt)) - Date.now()));
  }
}

/** A sender whose answers the test decides; unanswered requests hang until released. */
class FakeSender {
  readonly requests: WebhookRequest[] = [];
  private readonly waiting: ((result: SendResult) => void)[] = [];
  answer: SendResult | 'hang' = { ok: true, status: 200 };

  send(request: WebhookRequest): Promise<SendResult> {
    this.requests.push(request);
    const answer = this.answer;
    if (answer !== 'hang') return Promise.resolve(answer);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  releaseAll(result: SendResult): void {
    for (const resolve of this.waiting.splice(0)) resolve(result);
  }
}

function setup(options: DeliveryOptions = OPTIONS) {
  const repository = new FakeRepository();
  const sender = new FakeSender();
  const audited: AuditRecord[] = [];
  const db = { transaction: <T>(work: (tx: Queryable) => Promise<T>) => work({} as Queryable) } as Database;
  const audit = {
    append: (_tx: Queryable, records: readonly AuditRecord[]) => {
      audited.push(...records);
      return Promise.resolve();
    },
  } as AuditLog;
  const service = new WebhookDeliveryService(
    db,
    repository as unknown as WebhooksRepository,
    audit,
    sender,
    options,
  );
  return { repository, sender, audited, service };
}

describe('WebhookDeliveryService', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps a receiver that never answers to its share of slots, without spinning', async () => {
    vi.useFakeTimers();
    const { repository, sender, service } = setup();
    sender.answer = 'hang';
    repository.add('slow', 5);
    repository.add('fast', 1);
    service.start();
    await vi.advanceTimersByTimeAsync(0);
    // Two of the slow one's five, and the fast one's (answered "hang" too, but in its own slot).
    expect(sender.requests.map((r) => r.deliveryId).sort()).toEqual(['1', '2', '6']);
    const before = { ...repository.calls };
    await vi.advanceTimersByTimeAsync(5000);
    // Three slow deliveries are due but wait only for a slot: nothing polls for them meanwhile.
    expect(repository.calls.due - before.due).toBeLessThanOrEqual(1);
    sender.answer = { ok: true, status: 204 };
    sender.releaseAll({ ok: true, status: 200 });
    await vi.advanceTimersByTimeAsync(0);
    expect(repository.rows.every((r) => r.state === 'delivered')).toBe(true);
    expect(sender.requests).toHaveLength(6);
    await service.stop();
  });

  it('retries after the backoff and declares the delivery dead at the last attempt, audited', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const { repository, sender, audited, service } = setup();
    sender.answer = { ok: false, status: 500, error: 'HTTP 500' };
    repository.add('sub', 1);
    service.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(sender.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(sender.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sender.requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(199);
    expect(sender.requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sender.requests).toHaveLength(3);
    expect(repository.rows[0]).toMatchObject({ state: 'dead', attempts: 3 });
    expect(audited).toEqual([
      expect.objectContaining({
        actor: 'system',
        action: 'delivery.dead',
        subject: 'subscription:sub',
        reason: 'HTTP 500',
      }),
    ]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sender.requests).toHaveLength(3);
    await service.stop();
  });

  it('fans out to matching subscriptions, and marks a malformed outbox row without stopping', async () => {
    const { repository, service } = setup();
    repository.subscriptions = [
      { id: 'all', filter: MATCH_ALL },
      { id: 'madurai', filter: { ...MATCH_ALL, districts: ['TN-MDU'] } },
    ];
    const good = { district: 'TN-CHN', level: 0, alerts: [] } as unknown as AlertNotification;
    repository.outbox.push(
      { id: 'bad', idempotencyKey: 'k-bad', notification: { level: 0 } as unknown as AlertNotification },
      { id: 'good', idempotencyKey: 'k-good', notification: good },
    );
    expect(await service.fanOut()).toBe(1);
    expect(repository.fannedOut).toEqual(['bad', 'good']);
    expect(repository.rows.map((r) => r.subscriptionId)).toEqual(['all']);
    expect(await service.fanOut()).toBe(0);
  });
});
