import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Alert, AlertNotification } from '@district-monitor/streams';
import type { AlertPublisher } from '../alert-publisher.js';
import { AlertsGateway } from './alerts.gateway.js';
import { WebhookDeliveryService } from './webhook-delivery.service.js';

/**
 * The engine's AlertPublisher: alerts and notifications to their Socket.IO rooms at once, and each
 * notification (already in the outbox) fanned out to the webhooks.
 */
@Injectable()
export class AlertDeliveryPublisher implements AlertPublisher {
  private readonly logger = new Logger('AlertDelivery');

  constructor(
    @Inject(AlertsGateway) private readonly gateway: AlertsGateway,
    @Inject(WebhookDeliveryService) private readonly webhooks: WebhookDeliveryService,
  ) {}

  publishAlerts(alerts: readonly Alert[]): void {
    try {
      this.gateway.publishAlerts(alerts);
    } catch (error) {
      // The change is committed and the board re-reads alerts on reconnect; the engine must go on.
      this.logger.error(`pushing ${alerts.length} alert(s) failed: ${String(error)}`);
    }
  }

  notify(notification: AlertNotification): void {
    try {
      this.gateway.notify(notification);
    } catch (error) {
      this.logger.error(`pushing notification ${notification.id} failed: ${String(error)}`);
    }
    // Webhooks read the outbox, not this object: what is committed is what is sent.
    this.webhooks.trigger();
  }
}
