import {
  Controller,
  ForbiddenException,
  Get,
  Inject,
  NotFoundException,
  Param,
  Req,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiOperation, ApiParam, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type {
  DistrictHistoryAnalysis,
  HistoryAnalysisResponse,
  Region,
  StructuralTiersResponse,
} from '@district-monitor/streams';
import { visibleTo } from '../http/access.js';
import { Access, userOf } from '../http/access.js';
import { REGION } from '../config/tokens.js';
import { districtParam } from '../districts/district-param.js';
import { HistoryAnalysisService } from './history-analysis.service.js';

/** Said next to structural tiers wherever they are shown. */
export const STRUCTURAL_TIER_BASIS =
  'structural tier: next year’s third of districts by IPC crimes per 100,000 people, predicted from the NCRB yearly history (2001 on) by the fusion network of task T1; not from the live events';

/**
 * The seed's analysis on the real yearly history, within the user's districts: the statewide analysis
 * (importance, profiles in words, structural tiers), one district's analysis (forecast per head with its
 * 80% band, local factor contributions, profile and peers, tier with each branch's tier), and the
 * structural tiers alone (the state view's risk until a live model exists).
 */
@ApiTags('history')
@Controller('api/history')
export class HistoryAnalysisController {
  constructor(
    @Inject(REGION) private readonly region: Region,
    @Inject(HistoryAnalysisService) private readonly history: HistoryAnalysisService,
  ) {}

  @Get('analysis')
  @Access('viewer')
  @ApiOperation({
    summary:
      'The analysis of the real yearly history: version, statewide factor importance, k-means profiles in words, next year’s structural tier per district (the state while it trains)',
  })
  analysis(@Req() request: Request): HistoryAnalysisResponse {
    return this.history.response(userOf(request));
  }

  @Get('tiers')
  @Access('viewer')
  @ApiOperation({
    summary:
      'Next year’s structural tier of each district the user may see, from the history (empty while it trains)',
  })
  tiers(@Req() request: Request): StructuralTiersResponse {
    const served = this.history.analysis;
    return {
      version: served?.version ?? null,
      reason: served === undefined ? this.history.status().reason : null,
      basis: STRUCTURAL_TIER_BASIS,
      tiers: served?.tiers(userOf(request)) ?? [],
    };
  }

  @Get('districts/:code/analysis')
  @Access('viewer')
  @ApiOperation({
    summary:
      'One district’s history analysis: yearly series and 3-year Prophet forecast with 80% band per head, local factor contributions, profile and peers, structural tier with branch tiers',
  })
  @ApiParam({ name: 'code', type: 'string', example: 'TN-CHN' })
  @ApiServiceUnavailableResponse({
    description: 'the history analysis is not trained yet (training, failed or off)',
  })
  district(@Req() request: Request, @Param('code') code: string): DistrictHistoryAnalysis {
    const user = userOf(request);
    districtParam(this.region, code, 'history analyses');
    if (!visibleTo(user, code))
      throw new ForbiddenException(`code: district ${code} is outside what user "${user.username}" may see`);
    const served = this.history.analysis;
    if (served === undefined)
      throw new ServiceUnavailableException(
        this.history.status().reason ?? 'the history analysis is not ready',
      );
    const analysis = served.district(user, code);
    if (analysis === undefined)
      throw new NotFoundException(
        `code: the history analysis ${served.version.id} does not cover district ${code}`,
      );
    return analysis;
  }
}
