import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type {
  CreatedSubscription,
  DeliveryState,
  WebhookDelivery,
  WebhookSubscription,
} from '@district-monitor/streams';
import { AuditLog } from '../../audit/audit-log.js';
import { DATABASE } from '../../config/tokens.js';
import type { Database } from '../../database/database.js';
import type { SubscriptionInput } from './subscription-filter.js';
import { WebhooksRepository, type SubscriptionChanges } from './webhooks.repository.js';

/** A new signing secret: 32 random bytes, with a prefix that says what it is. */
export const newSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

/**
 * Webhook subscriptions: created, changed and deleted by admins, each change audited in the same
 * transaction (`subscription.created|updated|deleted`, never with the secret).
 */
@Injectable()
export class SubscriptionsService {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(WebhooksRepository) private readonly repository: WebhooksRepository,
    @Inject(AuditLog) private readonly audit: AuditLog,
  ) {}

  list(): Promise<WebhookSubscription[]> {
    return this.repository.listSubscriptions();
  }

  find(id: string): Promise<WebhookSubscription | undefined> {
    return this.repository.findSubscription(id);
  }

  /** The new subscription with its secret: the only time the secret is shown. */
  async create(input: SubscriptionInput, actor: string): Promise<CreatedSubscription> {
    const secret = newSecret();
    const created = await this.db.transaction(async (tx) => {
      const subscription = await this.repository.insertSubscription(tx, {
        id: randomUUID(),
        secret,
        createdBy: actor,
        ...input,
      });
      await this.audit.append(tx, [
        {
          actor,
          action: 'subscription.created',
          subject: `subscription:${subscription.id}`,
          details: { name: input.name, url: input.url, filter: input.filter, enabled: input.enabled },
        },
      ]);
      return subscription;
    });
    return { ...created, secret };
  }

  /** The changed subscription, or undefined when there is none with this id. */
  async update(
    id: string,
    changes: SubscriptionChanges,
    actor: string,
  ): Promise<WebhookSubscription | undefined> {
    return this.db.transaction(async (tx) => {
      const updated = await this.repository.updateSubscription(tx, id, changes);
      if (updated === undefined) return undefined;
      await this.audit.append(tx, [
        { actor, action: 'subscription.updated', subject: `subscription:${id}`, details: { changes } },
      ]);
      return updated;
    });
  }

  /** Deletes the subscription and its delivery log (pending deliveries are not sent); false when unknown. */
  async delete(id: string, actor: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const deleted = await this.repository.deleteSubscription(tx, id);
      if (deleted === undefined) return false;
      await this.audit.append(tx, [
        {
          actor,
          action: 'subscription.deleted',
          subject: `subscription:${id}`,
          details: { name: deleted.name, url: deleted.url },
        },
      ]);
      return true;
    });
  }

  deliveries(
    id: string,
    query: { readonly state?: DeliveryState; readonly before?: string; readonly limit: number },
  ): Promise<WebhookDelivery[]> {
    return this.repository.listDeliveries(id, query);
  }
}
