import { Module } from '@nestjs/common';
import { FeaturesModule } from '../features/features.module.js';
import { LiveModule } from '../live/live.module.js';
import { ProducerKeysModule } from '../producer-keys/producer-keys.module.js';
import { IngestController } from './ingest.controller.js';
import { IngestService } from './ingest.service.js';

@Module({
  imports: [LiveModule, ProducerKeysModule, FeaturesModule],
  controllers: [IngestController],
  providers: [IngestService],
  exports: [IngestService],
})
export class IngestModule {}
