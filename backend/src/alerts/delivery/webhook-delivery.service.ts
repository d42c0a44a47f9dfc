import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { AlertNotification } from '@district-monitor/streams';
import { AuditLog } from '../../audit/audit-log.js';
import { DATABASE } from '../../config/tokens.js';
import type { Database } from '../../database/database.js';
import { metrics } from '../../metrics/metrics.js';
import { backoffDelay, leaseMs, type DeliveryOptions } from './delivery-options.js';
import { matchesFilter } from './subscription-filter.js';
import { WebhookSender } from './webhook.sender.js';
import { WebhooksRepository, type AttemptOutcome, type ClaimedDelivery } from './webhooks.repository.js';

export const DELIVERY_OPTIONS = Symbol('DeliveryOptions');

/** Notifications fanned out per transaction. */
const FAN_OUT_BATCH = 100;

/** The shortest timer: a floor against spinning on a row that is due but cannot be claimed yet. */
const MIN_WAIT_MS = 10;

/** What one attempt came to, for the log and the tests. */
export type AttemptResult = 'delivered' | 'retry' | 'dead' | 'lease-lost';

/**
 * The webhook worker. Fan-out: every notification of the outbox (`alert_notifications`) not yet fanned
 * out gets one pending delivery per matching enabled subscription, and is marked fanned out in the same
 * transaction, so a crash neither loses nor doubles a fan-out. Sending: due deliveries are claimed with
 * a lease (`FOR UPDATE SKIP LOCKED`, then the row is not due again until the lease ends), sent outside
 * any transaction, and their outcome recorded only while the lease is still theirs. So replicas never
 * send the same attempt at once, and the single-connection PGlite is never held by a slow receiver.
 *
 * `trigger()` (from `notify()`) runs a cycle at once; a timer runs one when the next retry is due, and at
 * least every `sweepMs` (what another replica or a previous life left).
 */
@Injectable()
export class WebhookDeliveryService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly inFlightBySubscription = new Map<string, number>();
  private scheduling: Promise<void> | undefined;
  private cycle: Promise<void> | undefined;
  private fanOutWanted = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(WebhooksRepository) private readonly repository: WebhooksRepository,
    @Inject(AuditLog) private readonly audit: AuditLog,
    @Inject(WebhookSender) private readonly sender: WebhookSender,
    @Inject(DELIVERY_OPTIONS) private readonly options: DeliveryOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.start();
  }

  /** Starts the worker: a first cycle now (what a previous life left), then on triggers and the timer. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.trigger();
  }

  /** A notification was committed (or a sweep is wanted): fan out and send, at once. */
  trigger(): void {
    this.fanOutWanted = true;
    this.run();
  }

  /** Stops taking work and waits for the attempts in flight (each bounded by the timeout) to be recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.cycle;
    await Promise.all(this.inFlight.values());
    await this.scheduling;
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** Read through calls: `stop()` and `trigger()` change these while a cycle awaits. */
  private isStopped(): boolean {
    return this.stopped;
  }

  private wantsAgain(): boolean {
    return this.again && !this.stopped;
  }

  /**
   * Fans out every notification not yet fanned out; returns the deliveries created. Safe to run
   * concurrently with another replica's fan-out: each locks different notifications.
   */
  async fanOut(): Promise<number> {
    let created = 0;
    for (;;) {
      const batch = await this.db.transaction(async (tx) => {
        const notifications = await this.repository.lockUnfanned(tx, FAN_OUT_BATCH);
        if (notifications.length === 0) return { seen: 0, created: 0 };
        const subscriptions = await this.repository.enabledSubscriptions(tx);
        const deliveries = notifications.flatMap(({ id, idempotencyKey, notification }) => {
          // One malformed row must not stop every later fan-out: it is logged and marked, with no delivery.
          if (!isNotification(notification)) {
            this.logger.error(
              `notification ${id} has no district, level or alerts list: not sent to webhooks`,
            );
            return [];
          }
          return subscriptions
            .filter((subscription) => matchesFilter(subscription.filter, notification))
            .map((subscription) => ({ subscriptionId: subscription.id, notificationId: id, idempotencyKey }));
        });
        const inserted = await this.repository.insertDeliveries(tx, deliveries);
        await this.repository.markFannedOut(
          tx,
          notifications.map((n) => n.id),
        );
        return { seen: notifications.length, created: inserted };
      });
      created += batch.created;
      if (batch.seen < FAN_OUT_BATCH) return created;
    }
  }

  private run(): void {
    if (this.stopped || !this.started) return;
    if (this.cycle !== undefined) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    this.cycle = this.runCycles().finally(() => {
      this.cycle = undefined;
      this.schedule();
    });
  }

  private async runCycles(): Promise<void> {
    do {
      this.again = false;
      const fanOut = this.fanOutWanted;
      this.fanOutWanted = false;
      try {
        if (fanOut) await this.fanOut();
        await this.dispatch();
      } catch (error) {
        // A database failure: logged, and the next timer tick (at most sweepMs away) tries again.
        if (fanOut) this.fanOutWanted = true;
        this.logger.error(`delivery cycle failed: ${errorText(error)}`);
        return;
      }
    } while (this.wantsAgain());
  }

  /**
   * Arms the timer for the next due retry, or the sweep, whichever comes first. What waits only for a
   * free slot is left out (the attempt that frees it runs a cycle), or the timer would spin.
   */
  private schedule(): void {
    if (this.stopped) return;
    if (this.inFlight.size >= this.options.concurrency) {
      this.arm(this.options.sweepMs);
      return;
    }
    this.scheduling = this.repository.msUntilNextDue(this.busySubscriptions()).then(
      (wait) => {
        this.arm(
          wait === null ? this.options.sweepMs : Math.min(Math.max(wait, MIN_WAIT_MS), this.options.sweepMs),
        );
      },
      (error: unknown) => {
        this.logger.error(`reading the next due delivery failed: ${errorText(error)}`);
        this.arm(this.options.sweepMs);
      },
    );
  }

  private arm(ms: number): void {
    if (this.stopped || this.cycle !== undefined) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.trigger();
    }, ms);
    this.timer.unref();
  }

  /** Claims due deliveries up to the concurrency limits and starts their attempts. */
  private async dispatch(): Promise<void> {
    const { concurrency, perSubscription } = this.options;
    while (!this.stopped && this.inFlight.size < concurrency) {
      const due = await this.repository.dueSubscriptions(
        this.busySubscriptions(),
        concurrency - this.inFlight.size,
      );
      let claimed = 0;
      for (const subscriptionId of due) {
        const free = Math.min(
          perSubscription - (this.inFlightBySubscription.get(subscriptionId) ?? 0),
          concurrency - this.inFlight.size,
        );
        if (free <= 0 || this.isStopped()) continue;
        const deliveries = await this.repository.claim(
          subscriptionId,
          free,
          randomUUID(),
          leaseMs(this.options),
        );
        for (const delivery of deliveries) this.begin(delivery);
        claimed += deliveries.length;
      }
      // Nothing due, or another replica claimed it first.
      if (claimed === 0) return;
    }
  }

  /** Subscriptions with as many attempts in flight here as one may have. */
  private busySubscriptions(): string[] {
    const limit = this.options.perSubscription;
    return [...this.inFlightBySubscription].filter(([, n]) => n >= limit).map(([id]) => id);
  }

  private begin(delivery: ClaimedDelivery): void {
    const { subscriptionId } = delivery;
    this.inFlightBySubscription.set(
      subscriptionId,
      (this.inFlightBySubscription.get(subscriptionId) ?? 0) + 1,
    );
    const attempt = this.attempt(delivery)
      .then(
        (result) => {
          metrics.webhookDeliveries.inc({ result });
          this.logger.debug(`delivery ${delivery.id} to ${subscriptionId}: ${result}`);
        },
        (error: unknown) => {
          metrics.webhookDeliveries.inc({ result: 'error' });
          // The outcome could not be recorded: the lease runs out and the attempt is made again.
          this.logger.error(`recording delivery ${delivery.id} failed: ${errorText(error)}`);
        },
      )
      .finally(() => {
        this.inFlight.delete(delivery.id);
        const left = (this.inFlightBySubscription.get(subscriptionId) ?? 1) - 1;
        if (left > 0) this.inFlightBySubscription.set(subscriptionId, left);
        else this.inFlightBySubscription.delete(subscriptionId);
        this.run();
      });
    this.inFlight.set(delivery.id, attempt);
  }

  /** One attempt: send, then record it as delivered, to retry after a backoff, or dead. */
  private async attempt(delivery: ClaimedDelivery): Promise<AttemptResult> {
    const result = await this.sender.send(
      {
        url: delivery.url,
        secret: delivery.secret,
        body: delivery.body,
        deliveryId: delivery.id,
        idempotencyKey: delivery.idempotencyKey,
      },
      this.options.timeoutMs,
    );
    if (result.ok) {
      return (await this.repository.markDelivered(delivery, result.status)) ? 'delivered' : 'lease-lost';
    }
    const outcome: AttemptOutcome = { status: result.status, error: result.error };
    const attempts = delivery.attempts + 1;
    if (attempts < this.options.maxAttempts) {
      const wait = backoffDelay(attempts, this.options);
      return (await this.repository.markRetry(delivery, outcome, wait)) ? 'retry' : 'lease-lost';
    }
    const dead = await this.db.transaction(async (tx) => {
      if (!(await this.repository.markDead(tx, delivery, outcome))) return false;
      await this.audit.append(tx, [
        {
          actor: 'system',
          action: 'delivery.dead',
          subject: `subscription:${delivery.subscriptionId}`,
          reason: outcome.error,
          details: {
            deliveryId: delivery.id,
            notificationId: delivery.notificationId,
            idempotencyKey: delivery.idempotencyKey,
            attempts,
            lastStatus: outcome.status,
          },
        },
      ]);
      return true;
    });
    if (!dead) return 'lease-lost';
    this.logger.warn(
      `delivery ${delivery.id} of notification ${delivery.notificationId} to subscription ` +
        `${delivery.subscriptionId} is dead after ${attempts} attempts: ${outcome.error}`,
    );
    return 'dead';
  }
}

/** The fields fan-out reads (the engine writes the whole AlertNotification as the body). */
function isNotification(value: unknown): value is AlertNotification {
  const n = value as Partial<AlertNotification> | null;
  return (
    typeof n === 'object' &&
    n !== null &&
    typeof n.district === 'string' &&
    typeof n.level === 'number' &&
    Array.isArray(n.alerts)
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
