import { Module } from '@nestjs/common';
import { createRegistry } from '@district-monitor/data';
import { ncrbHistorySource } from '@district-monitor/data/history-analysis';
import type { Region } from '@district-monitor/streams';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG, REGION } from '../config/tokens.js';
import { HistoryAnalysisController } from './history-analysis.controller.js';
import { HistoryAnalysisRepository } from './history-analysis.repository.js';
import { HistoryAnalysisService } from './history-analysis.service.js';
import { WorkerHistoryTrainer } from './history-analysis.trainer.js';
import { HISTORY_SOURCE, HISTORY_TRAINER } from './tokens.js';

/** The analysis of the real yearly history, trained in a worker at start, and its REST routes. */
@Module({
  controllers: [HistoryAnalysisController],
  providers: [
    HistoryAnalysisRepository,
    HistoryAnalysisService,
    {
      // The NCRB files today; the product's history tables (issue 16, item 2) slot in here as another HistorySource.
      provide: HISTORY_SOURCE,
      inject: [APP_CONFIG, REGION],
      useFactory: (config: AppConfig, region: Region) =>
        ncrbHistorySource(config.history.dataDir, createRegistry(region)),
    },
    { provide: HISTORY_TRAINER, useFactory: () => new WorkerHistoryTrainer() },
  ],
  exports: [HistoryAnalysisService],
})
export class HistoryAnalysisModule {}
