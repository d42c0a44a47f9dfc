import { Module } from '@nestjs/common';
import { BoardService } from './board.service.js';
import { LiveGateway } from './live.gateway.js';
import { SimulationStatusStore } from './simulation-status.js';

@Module({
  providers: [BoardService, LiveGateway, SimulationStatusStore],
  exports: [LiveGateway, SimulationStatusStore],
})
export class LiveModule {}
