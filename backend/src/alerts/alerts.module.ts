import { Module } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log.js';
import { FeaturesModule } from '../features/features.module.js';
import { ModelsModule } from '../models/models.module.js';
import { AlertEngine } from './alert-engine.service.js';
import { AlertRepository } from './alert.repository.js';
import { AlertsController } from './alerts.controller.js';
import { AuditController } from './audit.controller.js';
import { AlertDeliveryModule } from './delivery/alert-delivery.module.js';
import { RulesController } from './rules.controller.js';
import { SilencesController } from './silences.controller.js';

/** The alert engine, its store and its REST routes; delivery (rooms, webhooks) comes from AlertDeliveryModule. */
@Module({
  imports: [FeaturesModule, ModelsModule, AlertDeliveryModule],
  controllers: [AlertsController, RulesController, SilencesController, AuditController],
  providers: [AlertRepository, AlertEngine, AuditLog],
  exports: [AlertEngine],
})
export class AlertsModule {}
