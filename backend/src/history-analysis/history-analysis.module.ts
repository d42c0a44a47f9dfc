import { Module } from '@nestjs/common';
import { createRegistry, historyFileOf } from '@district-monitor/data/runtime';
import { datasetHistorySource, type HistoryTableSource } from '@district-monitor/data/history-analysis';
import type { Region } from '@district-monitor/streams';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG, REGION } from '../config/tokens.js';
import { HistoryAnalysisController } from './history-analysis.controller.js';
import { HistoryAnalysisRepository } from './history-analysis.repository.js';
import { HistoryAnalysisService } from './history-analysis.service.js';
import { WorkerHistoryTrainer } from './history-analysis.trainer.js';
import { HISTORY_SOURCE, HISTORY_TRAINER } from './tokens.js';

/** The history the analysis reads: the region's committed history file (its `history` field). */
export function regionHistorySource(region: Region, regionFile: string): HistoryTableSource {
  const file = historyFileOf(region, regionFile);
  if (file === undefined)
    return {
      description: `region ${region.code} (${regionFile})`,
      load: () => Promise.reject(new Error(`the region file names no history file (its "history" field)`)),
    };
  return datasetHistorySource(file, createRegistry(region));
}

/** The analysis of the real yearly history, trained in a worker at start, and its REST routes. */
@Module({
  controllers: [HistoryAnalysisController],
  providers: [
    HistoryAnalysisRepository,
    HistoryAnalysisService,
    {
      provide: HISTORY_SOURCE,
      inject: [APP_CONFIG, REGION],
      useFactory: (config: AppConfig, region: Region) => regionHistorySource(region, config.regionFile),
    },
    { provide: HISTORY_TRAINER, useFactory: () => new WorkerHistoryTrainer() },
  ],
  exports: [HistoryAnalysisService],
})
export class HistoryAnalysisModule {}
