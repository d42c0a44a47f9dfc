import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { SimulationStatus } from '@district-monitor/streams';
import { Access } from '../http/access.js';
import { SimulationStatusStore } from '../live/simulation-status.js';

/**
 * `GET /api/simulation`: whether the live feed is simulated, its rate, the backfill of simulated
 * history (state, span, events, share done, events/s) and the first model's state. The board's
 * snapshot carries the same, and the `simulation` socket event pushes its changes.
 */
@ApiTags('simulator')
@Controller('api/simulation')
export class SimulationController {
  constructor(
    @Inject(SimulationStatusStore) private readonly status: Pick<SimulationStatusStore, 'status'>,
  ) {}

  @Get()
  @Access('viewer')
  @ApiOperation({ summary: 'Whether live data is simulated, and the backfill of simulated history' })
  get(): SimulationStatus {
    return this.status.status;
  }
}
