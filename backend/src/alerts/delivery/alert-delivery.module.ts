import { Module } from '@nestjs/common';
import { AuditModule } from '../../audit/audit.module.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/tokens.js';
import { ALERT_PUBLISHER } from '../alert-publisher.js';
import { AlertDeliveryPublisher } from './alert-delivery.publisher.js';
import { AlertsGateway } from './alerts.gateway.js';
import { DEFAULT_DELIVERY_OPTIONS, type DeliveryOptions } from './delivery-options.js';
import { SubscriptionsController } from './subscriptions.controller.js';
import { SubscriptionsService } from './subscriptions.service.js';
import { DELIVERY_OPTIONS, WebhookDeliveryService } from './webhook-delivery.service.js';
import { WebhookSender } from './webhook.sender.js';
import { WebhooksRepository } from './webhooks.repository.js';

/**
 * Alert delivery: Socket.IO alert rooms, webhook subscriptions (REST) and the webhook worker. Exports
 * ALERT_PUBLISHER, which the alert engine calls after committing.
 */
@Module({
  imports: [AuditModule],
  controllers: [SubscriptionsController],
  providers: [
    {
      provide: DELIVERY_OPTIONS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): DeliveryOptions => ({
        ...DEFAULT_DELIVERY_OPTIONS,
        ...config.webhooks,
      }),
    },
    AlertsGateway,
    WebhooksRepository,
    WebhookSender,
    WebhookDeliveryService,
    SubscriptionsService,
    { provide: ALERT_PUBLISHER, useClass: AlertDeliveryPublisher },
  ],
  exports: [ALERT_PUBLISHER],
})
export class AlertDeliveryModule {}
