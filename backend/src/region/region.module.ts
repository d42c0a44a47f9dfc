import { Module } from '@nestjs/common';
import { RecentEventsController } from '../districts/recent-events.controller.js';
import { RecentEventsRepository } from '../districts/recent-events.repository.js';
import { BlackSpotRepository } from './black-spots.repository.js';
import { BlackSpotService } from './black-spots.service.js';
import { RegionController } from './region.controller.js';
import { RegionMapService } from './region-map.service.js';

/**
 * The board's reads of places: the region map (drawn once at start), black spots, and a district's
 * recent events. Exports the black spots for time travel, and the map for the simulator.
 */
@Module({
  controllers: [RegionController, RecentEventsController],
  providers: [RegionMapService, BlackSpotRepository, BlackSpotService, RecentEventsRepository],
  exports: [BlackSpotService, RegionMapService],
})
export class RegionModule {}
