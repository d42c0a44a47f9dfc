import { Module } from '@nestjs/common';
import type { Region } from '@district-monitor/streams';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG, REGION } from '../config/tokens.js';
import { FeaturesModule } from '../features/features.module.js';
import { ModelRegistryRepository } from './model-registry.repository.js';
import { ModelRegistryService } from './model-registry.service.js';
import { WorkerModelTrainer } from './model-trainer.js';
import { ModelsController } from './models.controller.js';
import { PipelineScorerLoader } from './pipeline-scorer.loader.js';
import { ScoresController } from './scores.controller.js';
import { ScoringService } from './scoring.service.js';
import { TrainingDataRepository } from './training-data.repository.js';
import { MODEL_COORDINATION, MODEL_TRAINER, SCORER_LOADER } from './tokens.js';
import { LocalModelCoordination } from './model-coordination.js';
import { PostgresModelCoordination } from '../database/model-coordination.repository.js';

/** The model registry, training in a worker, scoring after each batch, and their REST routes. */
@Module({
  imports: [FeaturesModule],
  controllers: [ModelsController, ScoresController],
  providers: [
    ModelRegistryRepository,
    TrainingDataRepository,
    ModelRegistryService,
    ScoringService,
    { provide: MODEL_TRAINER, useFactory: () => new WorkerModelTrainer() },
    {
      // On a server, replicas share the registry: LISTEN/NOTIFY and an advisory lock. PGlite is one process.
      provide: MODEL_COORDINATION,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        config.databaseUrl === undefined
          ? new LocalModelCoordination()
          : new PostgresModelCoordination(config.databaseUrl),
    },
    {
      provide: SCORER_LOADER,
      inject: [REGION],
      useFactory: (region: Region) => new PipelineScorerLoader(region),
    },
  ],
  exports: [ModelRegistryService, ScoringService],
})
export class ModelsModule {}
