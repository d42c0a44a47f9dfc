import { Module } from '@nestjs/common';
import { FeaturesModule } from '../features/features.module.js';
import { HistoryAnalysisModule } from '../history-analysis/history-analysis.module.js';
import { ModelsModule } from '../models/models.module.js';
import { AnalysisController } from './analysis.controller.js';
import { AnalysisRepository } from './analysis.repository.js';
import { AnalysisService } from './analysis.service.js';

/** Correlations across districts and the active model's cluster profiles. */
@Module({
  imports: [FeaturesModule, ModelsModule, HistoryAnalysisModule],
  controllers: [AnalysisController],
  providers: [AnalysisRepository, AnalysisService],
})
export class AnalysisModule {}
