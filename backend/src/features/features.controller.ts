import { Controller, Get, Inject, Param, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Region } from '@district-monitor/streams';
import { CRIME_FEATURE_NAMES, type DistrictFeatures } from '@district-monitor/models';
import { Access, userOf } from '../http/access.js';
import { requireInScope } from '../auth/scope.js';
import { REGION } from '../config/tokens.js';
import { FeatureService } from './feature.service.js';
import { districtParam } from '../districts/district-param.js';

export interface FeaturesResponse extends Omit<DistrictFeatures, 'vector'> {
  /** The 128-feature crime-statistics vector, in the order of `names` (models/src/features/catalog.ts). */
  vector: { names: readonly string[]; values: readonly number[] };
}

/** `GET /api/districts/:code/features`: a district's current rolling features and its 128-vector. */
@ApiTags('districts')
@Controller('api/districts')
export class FeaturesController {
  constructor(
    @Inject(REGION) private readonly region: Region,
    @Inject(FeatureService) private readonly features: FeatureService,
  ) {}

  @Get(':code/features')
  @Access('viewer')
  @ApiOperation({ summary: "A district's rolling features and its 128-feature vector" })
  @ApiParam({ name: 'code', type: 'string', example: 'TN-CHN' })
  get(@Req() request: Request, @Param('code') code: string): FeaturesResponse {
    districtParam(this.region, code, 'features');
    requireInScope(userOf(request), code);
    const { vector, ...named } = this.features.current(code);
    return { ...named, vector: { names: CRIME_FEATURE_NAMES, values: vector } };
  }
}
