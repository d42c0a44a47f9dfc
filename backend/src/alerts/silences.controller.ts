import {
  BadRequestException,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { parseSilenceInput, silenceActive, type Silence } from '@district-monitor/streams';
import { Access, actorOf } from '../auth/access.js';
import { readJsonObject } from '../auth/json-body.js';
import { AlertEngine } from './alert-engine.service.js';
import { AlertRepository } from './alert.repository.js';

/** Silences: label matchers, a reason, who, and a mandatory end. Matching alerts stay visible, untold. */
@ApiTags('silences')
@Controller('api/silences')
export class SilencesController {
  constructor(
    @Inject(AlertRepository) private readonly repository: AlertRepository,
    @Inject(AlertEngine) private readonly engine: AlertEngine,
  ) {}

  @Get()
  @Access('viewer')
  @ApiOperation({ summary: 'Silences, newest first (?active=true: only those in force)' })
  @ApiQuery({ name: 'active', required: false })
  async list(@Query('active') active?: string): Promise<{ silences: Silence[] }> {
    if (active !== undefined && active !== 'true' && active !== 'false') {
      throw new BadRequestException('active: expected true or false');
    }
    const all = await this.repository.silences();
    const now = Date.now();
    return { silences: active === 'true' ? all.filter((s) => silenceActive(s, now)) : all };
  }

  @Post()
  @Access('operator')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a silence (matchers, reason, endsAt required)' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['matchers', 'reason', 'endsAt'],
      properties: {
        matchers: {
          type: 'array',
          items: { type: 'object' },
          example: [{ label: 'district', op: '=', value: 'TN-MDU' }],
        },
        reason: { type: 'string' },
        startsAt: { type: 'string', format: 'date-time' },
        endsAt: { type: 'string', format: 'date-time' },
      },
    },
  })
  async create(@Req() request: Request): Promise<Silence> {
    const parsed = parseSilenceInput(await readJsonObject(request));
    if (!parsed.ok) throw new BadRequestException(parsed.reason);
    const now = new Date();
    const silence: Silence = {
      id: randomUUID(),
      matchers: parsed.value.matchers,
      reason: parsed.value.reason,
      createdBy: actorOf(request),
      startsAt: parsed.value.startsAt ?? now.toISOString(),
      endsAt: parsed.value.endsAt,
      expiredBy: null,
    };
    await this.repository.createSilence(silence, {
      actor: silence.createdBy,
      action: 'silence.created',
      subject: `silence:${silence.id}`,
      reason: silence.reason,
      details: { matchers: silence.matchers, startsAt: silence.startsAt, endsAt: silence.endsAt },
    });
    this.engine.rulesChanged();
    return silence;
  }

  @Delete(':id')
  @Access('operator')
  @HttpCode(204)
  @ApiOperation({ summary: 'Expire a silence now' })
  async expire(@Req() request: Request, @Param('id') id: string): Promise<void> {
    const who = actorOf(request);
    const done = await this.repository.expireSilence(id, who, new Date(), {
      actor: who,
      action: 'silence.expired',
      subject: `silence:${id}`,
    });
    if (!done) throw new NotFoundException(`no silence ${id} in force`);
    this.engine.rulesChanged();
  }
}
