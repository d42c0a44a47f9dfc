import { Controller, Get, Inject, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { BlackSpotsResponse, RegionMap } from '@district-monitor/streams';
import { Access, userOf } from '../http/access.js';
import { BlackSpotService } from './black-spots.service.js';
import { RegionMapService } from './region-map.service.js';
import { DEFAULT_SPOT_HOURS, MAX_SPOT_DAYS, parseSpotWindow } from './spot-window.js';

/** `GET /api/region/map` (district outlines) and `GET /api/black-spots` (where located accidents cluster). */
@ApiTags('region')
@Controller('api')
export class RegionController {
  constructor(
    @Inject(RegionMapService) private readonly maps: RegionMapService,
    @Inject(BlackSpotService) private readonly blackSpots: BlackSpotService,
  ) {}

  @Get('region/map')
  @Access('viewer')
  @ApiOperation({
    summary: "The region's district outlines: surveyed polygons (REGION_GEOJSON) or schematic cells",
  })
  map(): RegionMap {
    return this.maps.map;
  }

  @Get('black-spots')
  @Access('viewer')
  @ApiOperation({
    summary:
      'Black spots: located road accidents clustered per district, with the black_spot rule’s minAccidents and radiusKm (else 3 within 1 km)',
  })
  @ApiQuery({
    name: 'from',
    required: false,
    description: `ISO 8601 instant with a zone (default: ${DEFAULT_SPOT_HOURS} hours before to)`,
  })
  @ApiQuery({
    name: 'to',
    required: false,
    description: `ISO 8601 instant with a zone (default: now); at most ${MAX_SPOT_DAYS} days after from`,
  })
  async find(
    @Req() request: Request,
    @Query('from') from: unknown,
    @Query('to') to: unknown,
  ): Promise<BlackSpotsResponse> {
    const user = userOf(request);
    const window = parseSpotWindow(from, to, Date.now());
    return this.blackSpots.find(window.from, window.to, user.districts);
  }
}
