import {
  BadRequestException,
  Controller,
  ForbiddenException,
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
import { parseSilenceInput, silenceActive, type Region, type Silence } from '@district-monitor/streams';
import { Access, actorOf, userOf } from '../http/access.js';
import { readJsonObject } from '../http/body.js';
import { alertGroups, silenceVisible, silenceWithin } from '../auth/scope.js';
import { REGION } from '../config/tokens.js';
import { AlertEngine } from './alert-engine.service.js';
import { AlertRepository } from './alert.repository.js';

/**
 * Silences: label matchers, a reason, who, and a mandatory end. Matching alerts stay visible, untold.
 * A district-scoped user lists the silences confined to its districts and the region-wide ones, and
 * creates or ends only silences confined to its districts (auth/scope.ts).
 */
@ApiTags('silences')
@Controller('api/silences')
export class SilencesController {
  private readonly groups: string[];

  constructor(
    @Inject(AlertRepository) private readonly repository: AlertRepository,
    @Inject(AlertEngine) private readonly engine: AlertEngine,
    @Inject(REGION) region: Region,
  ) {
    this.groups = alertGroups(region);
  }

  @Get()
  @Access('viewer')
  @ApiOperation({ summary: 'Silences, newest first (?active=true: only those in force)' })
  @ApiQuery({ name: 'active', required: false })
  async list(@Req() request: Request, @Query('active') active?: string): Promise<{ silences: Silence[] }> {
    if (active !== undefined && active !== 'true' && active !== 'false') {
      throw new BadRequestException('active: expected true or false');
    }
    const user = userOf(request);
    const all = (await this.repository.silences()).filter((s) =>
      silenceVisible(user, s.matchers, this.groups),
    );
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
    const user = userOf(request);
    if (!silenceWithin(user, parsed.value.matchers, this.groups)) {
      throw new ForbiddenException(
        `matchers: user "${user.username}" may silence only districts ${(user.districts ?? []).join(', ')}: ` +
          'give a district matcher (district = <code>) that keeps the silence within them',
      );
    }
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
    const user = userOf(request);
    if (user.districts !== null) {
      const silence = await this.repository.silence(id);
      if (silence === undefined || !silenceVisible(user, silence.matchers, this.groups)) {
        throw new NotFoundException(`no silence ${id} in force`);
      }
      if (!silenceWithin(user, silence.matchers, this.groups)) {
        throw new ForbiddenException(
          `silence ${id} reaches districts outside those of user "${user.username}": an unscoped operator ends it`,
        );
      }
    }
    const done = await this.repository.expireSilence(id, who, new Date(), {
      actor: who,
      action: 'silence.expired',
      subject: `silence:${id}`,
    });
    if (!done) throw new NotFoundException(`no silence ${id} in force`);
    this.engine.rulesChanged();
  }
}
