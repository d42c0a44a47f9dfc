import { Module } from '@nestjs/common';
import { BlackSpotRepository } from './black-spots.repository.js';
import { BlackSpotService } from './black-spots.service.js';
import { RegionController } from './region.controller.js';
import { RegionMapService } from './region-map.service.js';

/**
 * The board's reads of places: the region map (drawn once at start) and black spots (a district's
 * recent events are DistrictsModule's). Exports the black spots for time travel, and the map for the simulator.
 */
@Module({
  controllers: [RegionController],
  providers: [RegionMapService, BlackSpotRepository, BlackSpotService],
  exports: [BlackSpotService, RegionMapService],
})
export class RegionModule {}
