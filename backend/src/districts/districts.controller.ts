import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Region, RegionUnit } from '@district-monitor/streams';
import { Access } from '../http/access.js';
import { REGION } from '../config/tokens.js';

export interface RegistryResponse {
  region: { code: string; name: string; timeZone: string };
  units: RegionUnit[];
}

/** `GET /api/districts`: the region registry (districts and police units with codes, population, coordinates). */
@ApiTags('districts')
@Controller('api/districts')
export class DistrictsController {
  constructor(@Inject(REGION) private readonly region: Region) {}

  @Get()
  @Access('viewer')
  @ApiOperation({ summary: 'The region registry: districts and police units' })
  list(): RegistryResponse {
    const { code, name, timeZone, units } = this.region;
    return { region: { code, name, timeZone }, units: [...units] };
  }
}
