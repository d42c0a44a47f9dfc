import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ClusterProfilesResponse, CorrelationMatrix } from '@district-monitor/streams';
import { Access } from '../auth/access.js';
import { AnalysisService, CORRELATION_DAYS } from './analysis.service.js';

/**
 * The analysis views. `GET /api/analysis/correlations`: Pearson r across districts of the category rates,
 * road deaths and census indicators (cached for 5 minutes). `GET /api/analysis/clusters`: the active
 * model's k-means profiles (none, with the reason, while no model is active). Region-wide statistics:
 * not narrowed to a user's districts.
 */
@ApiTags('analysis')
@Controller('api/analysis')
export class AnalysisController {
  constructor(@Inject(AnalysisService) private readonly analysis: AnalysisService) {}

  @Get('correlations')
  @Access('viewer')
  @ApiOperation({
    summary: `Correlations across districts of the last ${CORRELATION_DAYS} days' rates and census indicators`,
  })
  correlations(): Promise<CorrelationMatrix> {
    return this.analysis.correlations();
  }

  @Get('clusters')
  @Access('viewer')
  @ApiOperation({ summary: "The active model's district profiles: members, mean rates and mean P(elevated)" })
  clusters(): ClusterProfilesResponse {
    return this.analysis.clusters();
  }
}
