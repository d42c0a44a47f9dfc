import { Module } from '@nestjs/common';
import { DistrictsController } from './districts.controller.js';
import { RecentEventsController } from './recent-events.controller.js';
import { RecentEventsRepository } from './recent-events.repository.js';

/** The district routes: the region's districts, and a district's recent events. */
@Module({
  controllers: [DistrictsController, RecentEventsController],
  providers: [RecentEventsRepository],
})
export class DistrictsModule {}
