import { Controller, Get, Inject, Param, Req, ServiceUnavailableException } from '@nestjs/common';
import type { Request } from 'express';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type DistrictScore, type Region, type ScoresResponse } from '@district-monitor/streams';
import { Access, userOf } from '../http/access.js';
import { inScope, requireInScope } from '../auth/scope.js';
import { REGION } from '../config/tokens.js';
import { ModelRegistryService } from './model-registry.service.js';
import { ScoringService } from './scoring.service.js';
import { districtParam } from '../districts/district-param.js';

/**
 * The active model's scores. `GET /api/scores`: every district's latest (an empty list with the reason
 * while no model is active). `GET /api/districts/:code/score`: one district's, with the features
 * endpoint's codes (400 malformed code, 404 unknown district or a police unit) and 503 while no model is
 * active or the district has no score of it yet (both pass).
 */
@ApiTags('models')
@Controller('api')
export class ScoresController {
  constructor(
    @Inject(REGION) private readonly region: Region,
    @Inject(ScoringService) private readonly scoring: ScoringService,
    @Inject(ModelRegistryService) private readonly registry: ModelRegistryService,
  ) {}

  @Get('scores')
  @Access('viewer')
  @ApiOperation({ summary: "Every district's latest score by the active model" })
  all(@Req() request: Request): ScoresResponse {
    const version = this.scoring.version;
    if (version === null)
      return { modelVersion: null, reason: this.registry.unavailableReason, districts: [] };
    const user = userOf(request);
    return {
      modelVersion: version,
      reason: null,
      districts: this.scoring.all().filter((score) => inScope(user, score.district)),
    };
  }

  @Get('districts/:code/score')
  @Access('viewer')
  @ApiOperation({ summary: "One district's latest score; 503 while there is none" })
  @ApiParam({ name: 'code', type: 'string', example: 'TN-CHN' })
  one(@Req() request: Request, @Param('code') code: string): DistrictScore {
    districtParam(this.region, code, 'scores');
    requireInScope(userOf(request), code);
    const version = this.scoring.version;
    if (version === null) throw new ServiceUnavailableException(this.registry.unavailableReason);
    const score = this.scoring.scoreOf(code);
    if (score === undefined) {
      throw new ServiceUnavailableException(
        `model ${version} has no score for ${code} yet (its scoring failed; see GET /api/health)`,
      );
    }
    return score;
  }
}
