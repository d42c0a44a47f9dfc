import {
  BadRequestException,
  Controller,
  HttpStatus,
  Inject,
  PayloadTooLargeException,
  Post,
  Req,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { MonitorEvent } from '@district-monitor/streams';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG, EVENT_PUBLISHER } from '../config/tokens.js';
import { Access } from '../http/access.js';
import { producerOf } from '../producer-keys/producer-key.guard.js';
import { ProducerRateLimiter, rateLimitException } from '../producer-keys/producer-rate-limiter.js';
import { BackpressureError, type EventPublisher } from '../transport/transport.js';
import { readBody, splitBody } from '../http/body.js';
import { IngestService } from './ingest.service.js';

export type EventResult =
  | { index: number; eventId: string; status: 'accepted' }
  | { index: number; eventId?: string; status: 'rejected'; reason: string };

export interface IngestResponse {
  accepted: number;
  rejected: number;
  results: EventResult[];
}

/**
 * `POST /api/events`: the same validation as the Kafka path, a result per event. Accepted events are
 * handed to the transport and acknowledged only once it has them durably.
 * 202 all accepted, 207 some rejected, 422 all rejected, 400/413/415 for the body itself, 401 without
 * a valid producer key, 429 (with Retry-After) over the key's rate limit, counted in events. A refused
 * request is refused whole: no event of it is accepted.
 */
@ApiTags('ingest')
@Controller('api/events')
export class IngestController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(IngestService) private readonly ingest: IngestService,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(ProducerRateLimiter) private readonly limiter: ProducerRateLimiter,
  ) {}

  @Post()
  @Access('producer')
  @ApiOperation({ summary: 'Publish events (one, an array, or NDJSON) with a producer key' })
  @ApiConsumes('application/json', 'application/x-ndjson')
  async publish(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<IngestResponse> {
    const { maxBodyBytes, maxEventsPerRequest } = this.config.ingest;
    const items = splitBody(await readBody(request, maxBodyBytes), request.headers['content-type']);
    if (items.length === 0) throw new BadRequestException('body holds no events');
    if (items.length > maxEventsPerRequest) {
      throw new PayloadTooLargeException(
        `${items.length} events; the limit per request is ${maxEventsPerRequest}`,
      );
    }
    const producer = producerOf(request);
    if (producer !== undefined) {
      const taken = this.limiter.take(producer, items.length);
      if (!taken.ok) {
        if (taken.reason === 'over-rate') response.setHeader('Retry-After', String(taken.retryAfterSeconds));
        throw rateLimitException(producer, items.length, taken);
      }
    }

    const accepted: MonitorEvent[] = [];
    const results = items.map((item, index): EventResult => {
      const result = this.ingest.validator.decode(
        item.kind === 'line' ? item.line : JSON.stringify(item.value),
      );
      if (!result.ok) return { index, ...eventIdOf(item), status: 'rejected', reason: result.reason };
      accepted.push(result.event);
      return { index, eventId: result.event.eventId, status: 'accepted' };
    });

    try {
      await this.publisher.publish(accepted);
    } catch (error) {
      // Nothing was accepted, so the retry the 503 asks for must not find the tokens spent.
      if (producer !== undefined) this.limiter.refund(producer, items.length);
      if (error instanceof BackpressureError)
        response.setHeader('Retry-After', String(error.retryAfterSeconds));
      throw new ServiceUnavailableException(`events not accepted, retry later: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const rejected = results.length - accepted.length;
    response.status(
      rejected === 0
        ? HttpStatus.ACCEPTED
        : accepted.length === 0
          ? HttpStatus.UNPROCESSABLE_ENTITY
          : HttpStatus.MULTI_STATUS,
    );
    return { accepted: accepted.length, rejected, results };
  }
}

/** The submitted event id, when there is a readable one, so a producer can match the rejection. */
function eventIdOf(item: { kind: 'value'; value: unknown } | { kind: 'line'; line: string }): {
  eventId?: string;
} {
  let value = item.kind === 'value' ? item.value : undefined;
  if (item.kind === 'line') {
    try {
      value = JSON.parse(item.line);
    } catch {
      return {}; // an unreadable line has no id; its rejection reason already says why
    }
  }
  const id = (value as { eventId?: unknown } | null)?.eventId;
  return typeof id === 'string' ? { eventId: id } : {};
}
