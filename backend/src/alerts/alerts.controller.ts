import {
  BadRequestException,
  ConflictException,
  Controller,
  ForbiddenException,
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
import type { Request } from 'express';
import {
  ALERT_STATES,
  UNIT_CODE_PATTERN,
  type Alert,
  type AlertState,
  type AlertWithHistory,
} from '@district-monitor/streams';
import { Access, userOf, visibleTo } from '../http/access.js';
import { onlyFields, readJsonObject, requiredString } from '../http/body.js';
import { AuditLog } from '../audit/audit-log.js';
import { AlertActionError } from './alert-action.error.js';
import { AlertEngine } from './alert-engine.service.js';
import { AlertRepository } from './alert.repository.js';
import { toWire, type AlertRecord } from './engine/record.js';
import { LifecycleError } from './engine/lifecycle.js';

const MAX_LIMIT = 1000;

/**
 * `GET /api/alerts` (with each alert's history from the audit log), one alert, and the operator's
 * acknowledge / resolve / escalate. Every action names who and why in the audit log.
 */
@ApiTags('alerts')
@Controller('api/alerts')
export class AlertsController {
  constructor(
    @Inject(AlertRepository) private readonly repository: AlertRepository,
    @Inject(AlertEngine) private readonly engine: AlertEngine,
    @Inject(AuditLog) private readonly audit: AuditLog,
  ) {}

  @Get()
  @Access('viewer')
  @ApiOperation({ summary: 'Alerts, newest first, with their state and history' })
  @ApiQuery({
    name: 'state',
    required: false,
    description: 'comma-separated: pending, firing, acknowledged, resolved',
  })
  @ApiQuery({ name: 'district', required: false, description: 'comma-separated district codes' })
  @ApiQuery({
    name: 'since',
    required: false,
    description: 'ISO instant: open alerts and those resolved since',
  })
  @ApiQuery({ name: 'limit', required: false, description: `at most ${MAX_LIMIT} (default 200)` })
  async list(
    @Req() request: Request,
    @Query('state') state?: unknown,
    @Query('district') district?: unknown,
    @Query('since') since?: unknown,
    @Query('limit') limit?: unknown,
  ): Promise<{ alerts: AlertWithHistory[] }> {
    const user = userOf(request);
    const states = state === undefined ? undefined : list(state, 'state');
    const bad = states?.find((s) => !(ALERT_STATES as readonly string[]).includes(s));
    if (bad !== undefined)
      throw new BadRequestException(`state: "${bad}" is not one of ${ALERT_STATES.join(', ')}`);
    const asked = district === undefined ? null : list(district, 'district');
    const malformed = asked?.find((code) => !UNIT_CODE_PATTERN.test(code));
    if (malformed !== undefined) {
      throw new BadRequestException(`district: "${malformed}" is not a district code such as "TN-CHN"`);
    }
    const districts = asked === null ? user.districts : asked.filter((d) => visibleTo(user, d));
    const sinceAt = since === undefined ? undefined : isoInstant(since);
    if (sinceAt === null) {
      throw new BadRequestException(
        'since: expected an ISO 8601 instant with a zone, e.g. 2024-05-01T00:00:00Z',
      );
    }
    const count = limit === undefined ? 200 : Number(limit);
    if (!Number.isInteger(count) || count < 1 || count > MAX_LIMIT) {
      throw new BadRequestException(`limit: expected a whole number from 1 to ${MAX_LIMIT}`);
    }
    const alerts = await this.repository.list({
      ...(states === undefined ? {} : { states: states as AlertState[] }),
      districts,
      ...(sinceAt === undefined ? {} : { since: sinceAt }),
      limit: count,
    });
    return { alerts: await this.withHistory(alerts) };
  }

  @Get(':id')
  @Access('viewer')
  @ApiOperation({ summary: 'One alert with its history' })
  async one(@Req() request: Request, @Param('id') id: string): Promise<AlertWithHistory> {
    const alert = await this.visible(request, id);
    const [withHistory] = await this.withHistory([alert]);
    if (withHistory === undefined) throw new NotFoundException(`no alert ${id}`);
    return withHistory;
  }

  @Post(':id/acknowledge')
  @Access('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Acknowledge a firing alert: claims it and stops its escalation' })
  @ApiBody({ required: false, schema: { type: 'object', properties: { reason: { type: 'string' } } } })
  async acknowledge(@Req() request: Request, @Param('id') id: string): Promise<Alert> {
    const reason = (await this.reason(request, false)) ?? 'acknowledged';
    return this.act(request, id, (who) => this.engine.acknowledge(id, who, reason));
  }

  @Post(':id/resolve')
  @Access('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resolve an alert by hand (a reason is required)' })
  @ApiBody({ schema: { type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } } })
  async resolve(@Req() request: Request, @Param('id') id: string): Promise<Alert> {
    const reason = (await this.reason(request, true)) ?? '';
    return this.act(request, id, (who) => this.engine.resolve(id, who, reason));
  }

  @Post(':id/escalate')
  @Access('operator')
  @HttpCode(200)
  @ApiOperation({ summary: 'Escalate an alert to its next level now (a reason is required)' })
  @ApiBody({ schema: { type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } } })
  async escalate(@Req() request: Request, @Param('id') id: string): Promise<Alert> {
    const reason = (await this.reason(request, true)) ?? '';
    return this.act(request, id, (who) => this.engine.escalate(id, who, reason));
  }

  private async act(
    request: Request,
    id: string,
    action: (who: string) => Promise<AlertRecord>,
  ): Promise<Alert> {
    const user = userOf(request);
    await this.visible(request, id);
    try {
      return toWire(await action(user.username));
    } catch (error) {
      if (error instanceof LifecycleError) throw new ConflictException(error.message);
      if (error instanceof AlertActionError) {
        throw error.status === 404
          ? new NotFoundException(error.message)
          : new ConflictException(error.message);
      }
      throw error;
    }
  }

  private async visible(request: Request, id: string): Promise<AlertRecord> {
    const user = userOf(request);
    const alert = await this.repository.byId(id);
    if (alert === undefined) throw new NotFoundException(`no alert ${id}`);
    if (!visibleTo(user, alert.labels.district)) {
      throw new ForbiddenException(
        `alert ${id} is of district ${alert.labels.district}, which you may not see`,
      );
    }
    return alert;
  }

  private async reason(request: Request, required: boolean): Promise<string | undefined> {
    const hasBody =
      Number(request.headers['content-length'] ?? 0) > 0 ||
      request.headers['transfer-encoding'] !== undefined;
    if (!hasBody) {
      if (required) throw new BadRequestException('reason: required (send {"reason": "..."})');
      return undefined;
    }
    const body = await readJsonObject(request);
    onlyFields(body, ['reason']);
    if (!required && body.reason === undefined) return undefined;
    return requiredString(body, 'reason', 500);
  }

  private async withHistory(alerts: readonly AlertRecord[]): Promise<AlertWithHistory[]> {
    const histories = await this.audit.ofSubjects(alerts.map((a) => `alert:${a.id}`));
    return alerts.map((alert) => ({ ...toWire(alert), history: histories.get(`alert:${alert.id}`) ?? [] }));
  }
}

/** An ISO 8601 date-time with a zone (`Z` or an offset), else null: `new Date('1')` alone would read year 2001. */
function isoInstant(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at;
}

function list(value: unknown, name: string): string[] {
  if (typeof value !== 'string')
    throw new BadRequestException(`${name}: give it once, as a comma-separated list`);
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new BadRequestException(`${name}: expected a comma-separated list`);
  return items;
}
