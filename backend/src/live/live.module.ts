import { Module } from '@nestjs/common';
import { FeaturesModule } from '../features/features.module.js';
import { BoardService } from './board.service.js';
import { LiveGateway } from './live.gateway.js';
import { SimulationStatusStore } from './simulation-status.js';

@Module({
  imports: [FeaturesModule],
  providers: [BoardService, LiveGateway, SimulationStatusStore],
  exports: [LiveGateway, SimulationStatusStore],
})
export class LiveModule {}
