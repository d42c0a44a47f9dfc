import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { AlertEngine } from '../alerts/alert-engine.service.js';
import { AlertsModule } from '../alerts/alerts.module.js';
import { EVENT_SOURCE } from '../config/tokens.js';
import type { EventSource } from '../transport/transport.js';
import { MetricsController } from './metrics.controller.js';
import { metrics } from './metrics.js';

/** Serves `GET /metrics` and points the scrape-time gauges at the consumer and the alert engine. */
@Module({ imports: [AlertsModule], controllers: [MetricsController] })
export class MetricsModule implements OnModuleInit {
  constructor(
    @Inject(EVENT_SOURCE) private readonly source: EventSource,
    @Inject(AlertEngine) private readonly alerts: AlertEngine,
  ) {}

  onModuleInit(): void {
    metrics.probes.consumer = async () => {
      const health = await this.source.health();
      return {
        lagByPartition: health.lagByPartition,
        running: health.state === 'running',
        lastProgressAt: health.lastProgressAt,
      };
    };
    metrics.probes.alertStates = () => this.alerts.openByState();
  }
}
