import { Module } from '@nestjs/common';
import { AggregateRefresher } from './aggregate-refresher.js';
import { FeatureOwnership } from './feature-ownership.js';
import { FeatureRepository } from './feature.repository.js';
import { FeatureService } from './feature.service.js';
import { FeaturesController } from './features.controller.js';

@Module({
  controllers: [FeaturesController],
  providers: [FeatureRepository, FeatureService, AggregateRefresher, FeatureOwnership],
  exports: [FeatureService, AggregateRefresher, FeatureOwnership],
})
export class FeaturesModule {}
