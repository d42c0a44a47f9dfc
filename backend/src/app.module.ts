import { Module, type DynamicModule } from '@nestjs/common';
import { AlertDeliveryModule } from './alerts/delivery/alert-delivery.module.js';
import { AlertsModule } from './alerts/alerts.module.js';
import { AppLifecycle } from './app.lifecycle.js';
import { AuthModule } from './auth/auth.module.js';
import { BoardHistoryModule } from './board-history/board-history.module.js';
import type { AppConfig } from './config/app-config.js';
import { CoreModule } from './core.module.js';
import { EventsModule } from './events/events.module.js';
import { DistrictsModule } from './districts/districts.module.js';
import { FeaturesModule } from './features/features.module.js';
import { HealthController } from './health/health.controller.js';
import { HistoryAnalysisModule } from './history-analysis/history-analysis.module.js';
import { HistoryModule } from './history/history.module.js';
import { IngestModule } from './ingest/ingest.module.js';
import { LiveModule } from './live/live.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { ModelsModule } from './models/models.module.js';
import { RegionModule } from './region/region.module.js';
import { BackfillRepository } from './simulator/backfill.repository.js';
import { BackfillService } from './simulator/backfill.service.js';
import { SimulationController } from './simulator/simulation.controller.js';
import { SimulatorController } from './simulator/simulator.controller.js';
import { SimulatorService } from './simulator/simulator.service.js';
import { StatsController } from './stats/stats.controller.js';
import { StatsRepository } from './stats/stats.repository.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config),
        EventsModule,
        LiveModule,
        IngestModule,
        FeaturesModule,
        ModelsModule,
        AlertDeliveryModule,
        AlertsModule,
        AuthModule,
        BoardHistoryModule,
        RegionModule,
        DistrictsModule,
        HistoryAnalysisModule,
        HistoryModule,
        MetricsModule,
      ],
      controllers: [HealthController, StatsController, SimulatorController, SimulationController],
      providers: [SimulatorService, BackfillRepository, BackfillService, StatsRepository, AppLifecycle],
    };
  }
}
