import { Inject, Injectable } from '@nestjs/common';
import {
  createEventValidator,
  topicNames,
  type BatchSummary,
  type Category,
  type EventKind,
  type EventValidator,
  type Region,
  type TransportKind,
  type Validation,
} from '@district-monitor/streams';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG, DEAD_LETTER_SINK, REGION } from '../config/tokens.js';
import { LiveGateway } from '../live/live.gateway.js';
import type { DeadLetter, DeadLetterSink, InboundBatch, InboundMessage } from '../transport/transport.js';
import { EventStoreRepository } from './event-store.repository.js';

/** Who hears about committed batches (the live gateway). */
export interface BatchListener {
  publishBatch(summary: BatchSummary): void;
}

/**
 * The ingest use case, the same for every transport: validate each message, dead-letter the bad ones
 * with their reason, store the good ones idempotently in one transaction, tell the boards.
 */
@Injectable()
export class IngestService {
  readonly validator: EventValidator;
  private readonly kindByTopic: ReadonlyMap<string, EventKind>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(REGION) region: Region,
    @Inject(EventStoreRepository) private readonly store: EventStoreRepository,
    @Inject(DEAD_LETTER_SINK) private readonly deadLetters: DeadLetterSink,
    @Inject(LiveGateway) private readonly live: BatchListener,
  ) {
    this.validator = createEventValidator({ region });
    const topics = topicNames(config.kafka?.topicPrefix ?? '');
    this.kindByTopic = new Map<string, EventKind>([
      [topics.incident, 'incident'],
      [topics.accident, 'accident'],
    ]);
  }

  /** Handles one transport batch; throws (so the batch is re-delivered) only if storing failed. */
  async handleBatch(batch: InboundBatch, transport: TransportKind): Promise<BatchSummary> {
    const valid = [];
    const letters: DeadLetter[] = [];
    for (const message of batch.messages) {
      const result = this.decode(message);
      if (result.ok) valid.push(result.event);
      else letters.push({ message, reason: result.reason });
    }
    await this.deadLetters.deadLetter(letters);
    await batch.heartbeat();
    const stored = await this.store.insert(valid);

    const byDistrict: Record<string, number> = {};
    const byCategory: Partial<Record<Category, number>> = {};
    for (const event of stored) {
      byDistrict[event.district] = (byDistrict[event.district] ?? 0) + 1;
      byCategory[event.category] = (byCategory[event.category] ?? 0) + 1;
    }
    const summary: BatchSummary = {
      at: new Date().toISOString(),
      transport,
      stored: stored.length,
      duplicates: valid.length - stored.length,
      deadLettered: letters.length,
      byDistrict,
      byCategory,
    };
    this.live.publishBatch(summary);
    return summary;
  }

  private decode(message: InboundMessage): Validation {
    const kind = this.kindByTopic.get(message.topic);
    if (kind === undefined) return { ok: false, reason: `topic: "${message.topic}" carries no event kind` };
    if (message.value === null) return { ok: false, reason: 'message has no value' };
    const result = this.validator.decode(message.value, kind);
    if (result.ok && message.key !== null && message.key !== result.event.district) {
      return {
        ok: false,
        reason: `key: "${message.key}" is not the event's district ${result.event.district}`,
      };
    }
    return result;
  }
}
