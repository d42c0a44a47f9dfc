import { Controller, Get, Inject } from '@nestjs/common';
import type { Region, RegionUnit } from '@district-monitor/streams';
import { REGION } from '../config/tokens.js';

export interface RegistryResponse {
  region: { code: string; name: string; timeZone: string };
  units: RegionUnit[];
}

/** `GET /api/districts`: the region registry (districts and police units with codes, population, coordinates). */
@Controller('api/districts')
export class DistrictsController {
  constructor(@Inject(REGION) private readonly region: Region) {}

  @Get()
  list(): RegistryResponse {
    const { code, name, timeZone, units } = this.region;
    return { region: { code, name, timeZone }, units: [...units] };
  }
}
