import { BadRequestException, Controller, Get, Inject, NotFoundException, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CATEGORIES, UNIT_CODE_PATTERN, type Category, type Region } from '@district-monitor/streams';
import { Access, userOf } from '../http/access.js';
import { requireInScope } from '../auth/scope.js';
import { REGION } from '../config/tokens.js';
import { StatsRepository } from './stats.repository.js';

/** Longest span one request may ask for. */
const MAX_DAYS = 3 * 366;

export interface DailyStatsResponse {
  district: string;
  timeZone: string;
  from: string;
  to: string;
  /** Days with at least one event, oldest first; `counts` holds every category (0 when none). */
  days: { day: string; total: number; counts: Record<Category, number> }[];
}

/** `GET /api/stats/daily?district=CODE&from=ISO&to=ISO`: stored daily counts per category. */
@ApiTags('stats')
@Controller('api/stats')
export class StatsController {
  private readonly districts: ReadonlySet<string>;

  constructor(
    @Inject(REGION) private readonly region: Region,
    @Inject(StatsRepository) private readonly stats: StatsRepository,
  ) {
    this.districts = new Set(
      region.units.filter((unit) => unit.kind === 'district').map((unit) => unit.code),
    );
  }

  @Get('daily')
  @Access('viewer')
  @ApiOperation({ summary: "A district's stored daily counts per category (local days)" })
  @ApiQuery({ name: 'district', type: 'string', example: 'TN-CHN' })
  @ApiQuery({ name: 'from', type: 'string', description: 'ISO 8601 date or instant' })
  @ApiQuery({ name: 'to', type: 'string', description: 'ISO 8601 date or instant' })
  async daily(
    @Req() request: Request,
    @Query('district') district: unknown,
    @Query('from') fromText: unknown,
    @Query('to') toText: unknown,
  ): Promise<DailyStatsResponse> {
    if (typeof district !== 'string' || !UNIT_CODE_PATTERN.test(district)) {
      throw new BadRequestException('district: expected a district code such as "TN-CHN"');
    }
    if (!this.districts.has(district)) {
      throw new NotFoundException(`district: unknown district "${district}" in region ${this.region.code}`);
    }
    requireInScope(userOf(request), district);
    const from = parseInstant('from', fromText);
    const to = parseInstant('to', toText);
    if (from >= to) throw new BadRequestException('from: must be before to');
    if (to.getTime() - from.getTime() > MAX_DAYS * 86_400_000) {
      throw new BadRequestException(`to: the span may not exceed ${MAX_DAYS} days`);
    }
    const rows = await this.stats.daily(district, from, to, this.region.timeZone);
    const days = new Map<string, Record<Category, number>>();
    for (const row of rows) {
      let counts = days.get(row.day);
      if (counts === undefined) {
        counts = Object.fromEntries(CATEGORIES.map((category) => [category, 0])) as Record<Category, number>;
        days.set(row.day, counts);
      }
      counts[row.category] = row.count;
    }
    return {
      district,
      timeZone: this.region.timeZone,
      from: from.toISOString(),
      to: to.toISOString(),
      days: [...days].map(([day, counts]) => ({
        day,
        total: Object.values(counts).reduce((sum, n) => sum + n, 0),
        counts,
      })),
    };
  }
}

function parseInstant(name: string, value: unknown): Date {
  const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;
  if (typeof value !== 'string' || !ISO.test(value)) {
    throw new BadRequestException(
      `${name}: expected an ISO 8601 date or date-time with a zone, e.g. 2017-01-01 or 2017-01-01T00:00:00Z`,
    );
  }
  return new Date(value);
}
