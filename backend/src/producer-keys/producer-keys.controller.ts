import {
  BadRequestException,
  ConflictException,
  Controller,
  Delete,
  Get,
  Inject,
  NotFoundException,
  Param,
  Post,
  Req,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import type { CreatedProducerKey, ProducerKeyView } from '@district-monitor/streams';
import { AuditLog } from '../audit/audit-log.js';
import { Access, actorOf } from '../http/access.js';
import { fieldError, onlyFields, readJsonObject, requiredString, typeName } from '../http/body.js';
import { DATABASE } from '../config/tokens.js';
import type { Database } from '../database/database.js';
import { DEFAULT_RATE_LIMIT, MAX_RATE_LIMIT } from './producer-key.js';
import { ProducerKeyError, ProducerKeysService, type ProducerKeyInfo } from './producer-keys.service.js';

function viewOf(info: ProducerKeyInfo): ProducerKeyView {
  return {
    id: info.id,
    name: info.name,
    ratePerSecond: info.ratePerSecond,
    burst: info.burst,
    createdAt: info.createdAt.toISOString(),
    lastUsedAt: info.lastUsedAt?.toISOString() ?? null,
    revokedAt: info.revokedAt?.toISOString() ?? null,
  };
}

function limit(body: Record<string, unknown>, field: 'ratePerSecond' | 'burst', fallback: number): number {
  const value = body[field];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_RATE_LIMIT) {
    throw fieldError(
      field,
      `expected a whole number from 1 to ${MAX_RATE_LIMIT}, got ${typeof value === 'number' ? value : typeName(value)}`,
    );
  }
  return value;
}

function httpError(error: unknown): unknown {
  if (!(error instanceof ProducerKeyError)) return error;
  switch (error.kind) {
    case 'invalid':
      return new BadRequestException(error.message, { cause: error });
    case 'taken':
      return new ConflictException(error.message, { cause: error });
    case 'not-found':
      return new NotFoundException(error.message, { cause: error });
  }
}

/**
 * Admin: producer keys over HTTP, as `npm run keys` offers them (create, list, revoke). The key is
 * shown once, in the creation's answer. Creations and revocations are written to the audit log.
 */
@ApiTags('producer keys')
@Controller('api/producer-keys')
export class ProducerKeysController {
  constructor(
    @Inject(ProducerKeysService) private readonly keys: ProducerKeysService,
    @Inject(AuditLog) private readonly audit: AuditLog,
    @Inject(DATABASE) private readonly db: Database,
  ) {}

  @Get()
  @Access('admin')
  @ApiOperation({ summary: 'Every producer key: name, id, limits, created, last used, revoked' })
  async list(): Promise<{ keys: ProducerKeyView[] }> {
    return { keys: (await this.keys.list()).map(viewOf) };
  }

  @Post()
  @Access('admin')
  @ApiOperation({ summary: 'Create a producer key; the key is in this answer only' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' },
        ratePerSecond: { type: 'integer', minimum: 1, default: DEFAULT_RATE_LIMIT.ratePerSecond },
        burst: { type: 'integer', minimum: 1, default: DEFAULT_RATE_LIMIT.burst },
      },
    },
  })
  @ApiBadRequestResponse({ description: 'a bad field, named in the message' })
  @ApiConflictResponse({ description: 'the name was used before (names are never reused)' })
  async create(@Req() request: Request): Promise<CreatedProducerKey> {
    const body = await readJsonObject(request);
    onlyFields(body, ['name', 'ratePerSecond', 'burst']);
    const name = requiredString(body, 'name', 64);
    const rate = {
      ratePerSecond: limit(body, 'ratePerSecond', DEFAULT_RATE_LIMIT.ratePerSecond),
      burst: limit(body, 'burst', DEFAULT_RATE_LIMIT.burst),
    };
    let created;
    try {
      created = await this.keys.create(name, rate);
    } catch (error) {
      throw httpError(error);
    }
    await this.audit.append(this.db, [
      {
        actor: actorOf(request),
        action: 'producer_key.created',
        subject: `producer_key:${created.info.id}`,
        details: { name: created.info.name, ratePerSecond: rate.ratePerSecond, burst: rate.burst },
      },
    ]);
    return { ...viewOf(created.info), key: created.key };
  }

  /** Revokes (idempotent); a running backend refuses the key within 5 s everywhere. */
  @Delete(':id')
  @Access('admin')
  @ApiOperation({ summary: 'Revoke a producer key (its name is never reused)' })
  @ApiParam({ name: 'id', type: 'string', description: 'the 8 hex characters after dmk_' })
  @ApiNotFoundResponse({ description: 'no key with that id' })
  async revoke(
    @Req() request: Request,
    @Param('id') id: string,
  ): Promise<{ key: ProducerKeyView; alreadyRevoked: boolean }> {
    let revoked;
    try {
      revoked = await this.keys.revokeById(id);
    } catch (error) {
      throw httpError(error);
    }
    if (!revoked.alreadyRevoked) {
      await this.audit.append(this.db, [
        {
          actor: actorOf(request),
          action: 'producer_key.revoked',
          subject: `producer_key:${revoked.info.id}`,
          details: { name: revoked.info.name },
        },
      ]);
    }
    return { key: viewOf(revoked.info), alreadyRevoked: revoked.alreadyRevoked };
  }
}
