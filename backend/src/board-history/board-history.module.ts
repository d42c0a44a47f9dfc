import { Module } from '@nestjs/common';
import { AnalysisModule } from '../analysis/analysis.module.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/tokens.js';
import { ModelsModule } from '../models/models.module.js';
import { ScoringService } from '../models/scoring.service.js';
import { RegionModule } from '../region/region.module.js';
import { BoardHistoryController } from './board-history.controller.js';
import { BoardHistoryRepository } from './board-history.repository.js';
import { BoardHistoryService } from './board-history.service.js';
import { ScoreHistoryRecorder } from './score-history.recorder.js';
import { ScoreHistoryRepository } from './score-history.repository.js';

/**
 * Time travel (`GET /api/board/history`) and the score history it reads, which the recorder keeps from
 * every scoring run. Brings the analysis views along, so the app registers the board's past and its
 * analysis with one import.
 */
@Module({
  imports: [ModelsModule, RegionModule, AnalysisModule],
  controllers: [BoardHistoryController],
  providers: [
    BoardHistoryRepository,
    BoardHistoryService,
    ScoreHistoryRepository,
    {
      provide: ScoreHistoryRecorder,
      inject: [APP_CONFIG, ScoreHistoryRepository, ScoringService],
      useFactory: (config: AppConfig, repository: ScoreHistoryRepository, scoring: ScoringService) => {
        const recorder = new ScoreHistoryRecorder(repository, config.board.scoreHistoryMinutes);
        // Registered before any model is activated (that happens at application bootstrap).
        scoring.recordTo(recorder);
        return recorder;
      },
    },
  ],
})
export class BoardHistoryModule {}
