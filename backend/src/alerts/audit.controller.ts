import { BadRequestException, Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { AuditEntry } from '@district-monitor/streams';
import { Access } from '../auth/access.js';
import { AuditLog } from '../audit/audit-log.js';

/** The append-only audit log, newest first; page back with `before` (an entry id). */
@ApiTags('audit')
@Controller('api/audit')
export class AuditController {
  constructor(@Inject(AuditLog) private readonly audit: AuditLog) {}

  @Get()
  @Access('viewer')
  @ApiOperation({ summary: 'Audit log entries, newest first' })
  @ApiQuery({ name: 'subject', required: false, description: 'e.g. alert:<id>, or a prefix such as alert:' })
  @ApiQuery({ name: 'actor', required: false })
  @ApiQuery({ name: 'before', required: false, description: 'entry id to page back from' })
  @ApiQuery({ name: 'limit', required: false, description: 'at most 1000 (default 100)' })
  async list(
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
      }),
    };
  }
}
