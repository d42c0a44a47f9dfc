import { Controller, ForbiddenException, Get, Inject, Param, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Region, RecentEventsResponse } from '@district-monitor/streams';
import { visibleTo } from '../http/access.js';
import { Access, userOf } from '../http/access.js';
import { REGION } from '../config/tokens.js';
import { districtParam } from './district-param.js';
import { DEFAULT_RECENT_EVENTS, MAX_RECENT_EVENTS, parseEventLimit } from './recent-events.js';
import { RecentEventsRepository } from './recent-events.repository.js';

/** Days of road accidents the severity split counts (as the 28-day window of the features). */
const SEVERITY_DAYS = 28;

/**
 * `GET /api/districts/:code/events`: a district's newest stored events, incidents and accidents together,
 * and its road accidents of the last 28 days per severity.
 */
@ApiTags('districts')
@Controller('api/districts')
export class RecentEventsController {
  constructor(
    @Inject(REGION) private readonly region: Region,
    @Inject(RecentEventsRepository) private readonly events: RecentEventsRepository,
  ) {}

  @Get(':code/events')
  @Access('viewer')
  @ApiOperation({
    summary:
      "A district's newest stored events by occurrence (corrected events left out), and its road accidents of the last 28 days per severity",
  })
  @ApiParam({ name: 'code', type: 'string', example: 'TN-CHN' })
  @ApiQuery({
    name: 'limit',
    required: false,
    description: `1 to ${MAX_RECENT_EVENTS} (default ${DEFAULT_RECENT_EVENTS})`,
  })
  async newest(
    @Req() request: Request,
    @Param('code') code: string,
    @Query('limit') limitText: unknown,
  ): Promise<RecentEventsResponse> {
    const user = userOf(request);
    districtParam(this.region, code, 'events');
    if (!visibleTo(user, code)) {
      throw new ForbiddenException(`code: district ${code} is outside what user "${user.username}" may see`);
    }
    const limit = parseEventLimit(limitText);
    const since = new Date(Date.now() - SEVERITY_DAYS * 86_400_000);
    const [events, counts] = await Promise.all([
      this.events.newest(code, limit),
      this.events.accidentSeverity(code, since),
    ]);
    return { district: code, events, accidentSeverity: { since: since.toISOString(), counts } };
  }
}
