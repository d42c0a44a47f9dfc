import { Controller, Get, Inject, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { BoardHistory } from '@district-monitor/streams';
import { Access, userOf } from '../http/access.js';
import { BoardHistoryService } from './board-history.service.js';
import { MAX_HISTORY_DAYS, parseHistoryWindow } from './history-window.js';

/**
 * `GET /api/board/history?from&to`: the board over a past window (time travel), limited to the districts
 * the user may see. 400 naming the parameter for a missing or malformed instant, `from` not before `to`,
 * `to` more than a minute ahead of the server's clock, or a window longer than 31 days.
 */
@ApiTags('board')
@Controller('api/board')
export class BoardHistoryController {
  constructor(@Inject(BoardHistoryService) private readonly service: BoardHistoryService) {}

  @Get('history')
  @Access('viewer')
  @ApiOperation({
    summary: 'The board over a past window: events per bucket and district, scores, alerts, black spots',
  })
  @ApiQuery({
    name: 'from',
    type: 'string',
    description: 'ISO 8601 instant',
    example: '2025-06-01T00:00:00Z',
  })
  @ApiQuery({
    name: 'to',
    type: 'string',
    description: `ISO 8601 instant after from, at most ${MAX_HISTORY_DAYS} days later`,
    example: '2025-06-02T00:00:00Z',
  })
  async history(
    @Req() request: Request,
    @Query('from') from: unknown,
    @Query('to') to: unknown,
  ): Promise<BoardHistory> {
    const user = userOf(request);
    return this.service.history(parseHistoryWindow(from, to, Date.now()), user.districts);
  }
}
