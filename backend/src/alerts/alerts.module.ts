import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
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
  imports: [FeaturesModule, ModelsModule, AlertDeliveryModule, AuditModule],
  controllers: [AlertsController, RulesController, SilencesController, AuditController],
  providers: [AlertRepository, AlertEngine],
  exports: [AlertEngine],
})
export class AlertsModule {}
