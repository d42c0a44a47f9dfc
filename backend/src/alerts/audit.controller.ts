import { BadRequestException, Controller, Get, Inject, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { AuditEntry, Region, UserInfo } from '@district-monitor/streams';
import { Access, userOf } from '../http/access.js';
import { alertGroups, silenceVisible } from '../auth/scope.js';
import { AuditLog, type AuditVisibility } from '../audit/audit-log.js';
import { REGION } from '../config/tokens.js';
import { AlertRepository } from './alert.repository.js';

/** Subject kinds of what viewers and operators already read elsewhere (alerts, silences, rules). */
const SHARED_KINDS = ['alert', 'silence', 'rule'] as const;
/** What a district-scoped viewer or operator reads: its districts' alerts and silences. */
const SCOPED_KINDS = ['alert', 'silence'] as const;

/**
 * The append-only audit log, newest first; page back with `before` (an entry id). Scoped like the
 * rest: a district-scoped user reads the entries of its districts' alerts and of the silences it may
 * see; user, producer-key and subscription records only for admins, who administer them.
 */
@ApiTags('audit')
@Controller('api/audit')
export class AuditController {
  private readonly groups: string[];

  constructor(
    @Inject(AuditLog) private readonly audit: AuditLog,
    @Inject(AlertRepository) private readonly alerts: AlertRepository,
    @Inject(REGION) region: Region,
  ) {
    this.groups = alertGroups(region);
  }

  private async visibility(user: UserInfo): Promise<AuditVisibility> {
    const kinds = user.role === 'admin' ? null : SHARED_KINDS;
    if (user.districts === null) return { kinds, alertDistricts: null, silenceIds: null };
    const silences = await this.alerts.silenceMatchers();
    return {
      // Rule changes name the districts of region-wide rules: a scoped reader reads the rules themselves.
      kinds: user.role === 'admin' ? kinds : SCOPED_KINDS,
      alertDistricts: user.districts,
      silenceIds: silences.filter((s) => silenceVisible(user, s.matchers, this.groups)).map((s) => s.id),
    };
  }

  @Get()
  @Access('viewer')
  @ApiOperation({ summary: 'Audit log entries, newest first' })
  @ApiQuery({ name: 'subject', required: false, description: 'e.g. alert:<id>, or a prefix such as alert:' })
  @ApiQuery({ name: 'actor', required: false })
  @ApiQuery({ name: 'before', required: false, description: 'entry id to page back from' })
  @ApiQuery({ name: 'limit', required: false, description: 'at most 1000 (default 100)' })
  async list(
    @Req() request: Request,
    @Query('subject') subject?: string,
    @Query('actor') actor?: string,
    @Query('before') before?: string,
    @Query('limit') limit?: string,
  ): Promise<{ entries: AuditEntry[] }> {
    const count = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(count) || count < 1 || count > 1000)
      throw new BadRequestException('limit: expected 1 to 1000');
    if (before !== undefined && !/^\d{1,18}$/.test(before))
      throw new BadRequestException('before: expected an entry id');
    const bySubject =
      subject === undefined ? {} : subject.endsWith(':') ? { subjectPrefix: subject } : { subject };
    return {
      entries: await this.audit.list({
        ...bySubject,
        ...(actor === undefined ? {} : { actor }),
        ...(before === undefined ? {} : { before }),
        limit: count,
        visible: await this.visibility(userOf(request)),
      }),
    };
  }
}
