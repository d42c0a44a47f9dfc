import {
  BadRequestException,
  Controller,
  Get,
  Inject,
  Query,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { ClusterProfilesResponse, CorrelationMatrix } from '@district-monitor/streams';
import { Access } from '../http/access.js';
import { HistoryAnalysisService } from '../history-analysis/history-analysis.service.js';
import { AnalysisService, CORRELATION_DAYS } from './analysis.service.js';

/** Where correlations are computed from. */
export const CORRELATION_SOURCES = ['live', 'history'] as const;

/** The `source` query parameter: `live` when absent; 400 for anything else than the two sources. */
export function correlationSource(value: unknown): (typeof CORRELATION_SOURCES)[number] {
  if (value === undefined) return 'live';
  if (value === 'live' || value === 'history') return value;
  throw new BadRequestException(
    `source: expected one of ${CORRELATION_SOURCES.join(', ')}, got ${JSON.stringify(value)}`,
  );
}

/**
 * The analysis views. `GET /api/analysis/correlations`: Pearson r across districts of the category rates,
 * road deaths and census indicators, from the live events (`source=live`, the default; cached for 5
 * minutes; simulated on the default install) or from the real yearly history (`source=history`).
 * `GET /api/analysis/clusters`: the active model's k-means profiles (none, with the reason, while no
 * model is active). Region-wide statistics: not narrowed to a user's districts.
 */
@ApiTags('analysis')
@Controller('api/analysis')
export class AnalysisController {
  constructor(
    @Inject(AnalysisService) private readonly analysis: AnalysisService,
    @Inject(HistoryAnalysisService) private readonly history: HistoryAnalysisService,
  ) {}

  @Get('correlations')
  @Access('viewer')
  @ApiOperation({
    summary: `Correlations across districts: of the last ${CORRELATION_DAYS} days' live event rates (source=live) or of the real yearly history's rates (source=history), with census indicators`,
  })
  @ApiQuery({
    name: 'source',
    required: false,
    enum: CORRELATION_SOURCES,
    description:
      'live (default): the stored events, simulated on the default install; history: NCRB yearly rates (503 while the history analysis trains)',
  })
  correlations(@Query('source') sourceText: unknown): Promise<CorrelationMatrix> {
    const source = correlationSource(sourceText);
    if (source === 'live') return this.analysis.correlations();
    const served = this.history.analysis;
    if (served === undefined)
      throw new ServiceUnavailableException(
        this.history.status().reason ?? 'the history analysis is not ready',
      );
    return Promise.resolve(served.correlations());
  }

  @Get('clusters')
  @Access('viewer')
  @ApiOperation({ summary: "The active model's district profiles: members, mean rates and mean P(elevated)" })
  clusters(): ClusterProfilesResponse {
    return this.analysis.clusters();
  }
}
