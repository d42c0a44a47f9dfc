import {
  BadRequestException,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Put,
  Req,
} from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags, type ApiBodyOptions } from '@nestjs/swagger';
import type { Request } from 'express';
import { RULE_ID, districtsOf, parseRuleInput, type AlertRule, type Region } from '@district-monitor/streams';
import { Access, actorOf } from '../http/access.js';
import { readJsonObject } from '../http/body.js';
import { REGION } from '../config/tokens.js';
import { AlertEngine } from './alert-engine.service.js';
import { AlertRepository } from './alert.repository.js';

const RULE_BODY: ApiBodyOptions = {
  schema: {
    type: 'object',
    required: ['name', 'severity', 'condition', 'escalation'],
    description: 'See AlertRule in streams/src/alerts.ts; POST also takes `id`.',
  },
};

/** The region's alert rules, as data: viewers read them, admins create, replace and delete them. */
@ApiTags('rules')
@Controller('api/rules')
export class RulesController {
  constructor(
    @Inject(REGION) private readonly region: Region,
    @Inject(AlertRepository) private readonly repository: AlertRepository,
    @Inject(AlertEngine) private readonly engine: AlertEngine,
  ) {}

  @Get()
  @Access('viewer')
  @ApiOperation({ summary: "The region's alert rules" })
  async list(): Promise<{ rules: AlertRule[] }> {
    return { rules: await this.repository.rules(this.region.code) };
  }

  @Post()
  @Access('admin')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a rule (201; 409 when the id is taken)' })
  @ApiBody(RULE_BODY)
  async create(@Req() request: Request): Promise<AlertRule> {
    const body = await readJsonObject(request);
    const id = RULE_ID.safeParse(body.id);
    if (!id.success) throw new BadRequestException(`id: ${id.error.issues[0]?.message ?? 'invalid'}`);
    const { id: _id, ...rest } = body;
    const rule = this.ruleFrom(id.data, rest, actorOf(request));
    const saved = await this.repository.saveRule(rule, 'create', {
      actor: rule.updatedBy,
      action: 'rule.created',
      subject: `rule:${rule.id}`,
      details: { rule },
    });
    if (!saved)
      throw new ConflictException(`a rule ${rule.id} exists already: PUT /api/rules/${rule.id} replaces it`);
    this.engine.rulesChanged();
    return rule;
  }

  @Put(':id')
  @Access('admin')
  @ApiOperation({ summary: 'Replace a rule (404 when there is none)' })
  @ApiBody(RULE_BODY)
  async replace(@Req() request: Request, @Param('id') id: string): Promise<AlertRule> {
    const body = await readJsonObject(request);
    if (body.id !== undefined && body.id !== id)
      throw new BadRequestException(`id: the body says ${JSON.stringify(body.id)}, the path ${id}`);
    const { id: _id, ...rest } = body;
    const rule = this.ruleFrom(id, rest, actorOf(request));
    const saved = await this.repository.saveRule(rule, 'replace', {
      actor: rule.updatedBy,
      action: 'rule.updated',
      subject: `rule:${rule.id}`,
      details: { rule },
    });
    if (!saved) throw new NotFoundException(`no rule ${id}: POST /api/rules creates one`);
    this.engine.rulesChanged();
    return rule;
  }

  @Delete(':id')
  @Access('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a rule; its open alerts resolve' })
  async remove(@Req() request: Request, @Param('id') id: string): Promise<void> {
    const deleted = await this.repository.deleteRule(this.region.code, id, {
      actor: actorOf(request),
      action: 'rule.deleted',
      subject: `rule:${id}`,
    });
    if (!deleted) throw new NotFoundException(`no rule ${id}`);
    this.engine.rulesChanged();
  }

  private ruleFrom(id: string, body: unknown, who: string): AlertRule {
    const parsed = parseRuleInput(body);
    if (!parsed.ok) throw new BadRequestException(parsed.reason);
    const districts = new Set(districtsOf(this.region).map((unit) => unit.code));
    const unknown = parsed.value.districts?.find((code) => !districts.has(code));
    if (unknown !== undefined)
      throw new BadRequestException(`districts: ${unknown} is not a district of ${this.region.code}`);
    return {
      ...parsed.value,
      id,
      region: this.region.code,
      updatedAt: new Date().toISOString(),
      updatedBy: who,
    };
  }
}
