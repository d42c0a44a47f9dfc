import { Controller, Get, Inject, Param, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { HistoryDistrictAnswer, HistoryMetaAnswer, HistoryYearAnswer } from '@district-monitor/streams';
import { Access, userOf } from '../http/access.js';
import { HistoryService } from './history.service.js';

/**
 * The region's yearly district history (NCRB 2001-2022, road accidents, census 2011; docs/history.md),
 * within the caller's district scope. 404 when the region has no history file; 400 naming the parameter
 * for an unknown head or a year outside the data (2015 is missing and says why); 403 for a district
 * outside the caller's scope.
 */
@ApiTags('history')
@Controller('api/history')
export class HistoryController {
  constructor(@Inject(HistoryService) private readonly service: HistoryService) {}

  @Get('meta')
  @Access('viewer')
  @ApiOperation({
    summary: 'What the history holds: heads, years, missing years, sources, units, population basis, rules',
  })
  meta(@Req() request: Request): HistoryMetaAnswer {
    return this.service.meta(userOf(request).districts);
  }

  @Get()
  @Access('viewer')
  @ApiOperation({ summary: "Every unit's figure and rate per 100,000 for one head and year" })
  @ApiQuery({
    name: 'head',
    type: 'string',
    description: 'a head code of /api/history/meta',
    example: 'ipc_total',
  })
  @ApiQuery({ name: 'year', type: 'string', description: 'a year of /api/history/meta', example: '2022' })
  year(
    @Req() request: Request,
    @Query('head') head: unknown,
    @Query('year') year: unknown,
  ): Promise<HistoryYearAnswer> {
    return this.service.year(head, year, userOf(request).districts);
  }

  @Get('districts/:code')
  @Access('viewer')
  @ApiOperation({ summary: "One unit's every head over every year, with populations and rates per 100,000" })
  @ApiParam({ name: 'code', type: 'string', example: 'TN-CHN' })
  district(@Req() request: Request, @Param('code') code: string): Promise<HistoryDistrictAnswer> {
    return this.service.district(code, userOf(request));
  }
}
