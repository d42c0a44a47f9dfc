import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  BOARD_WINDOW_HOURS,
  createEventValidator,
  topicNames,
  type BatchSummary,
  type Category,
  type EventKind,
  type EventValidator,
  type MonitorEvent,
  type Region,
  type TransportKind,
  type Validation,
} from '@district-monitor/streams';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG, DEAD_LETTER_SINK, REGION } from '../config/tokens.js';
import type { DeadLetter, DeadLetterSink, InboundBatch, InboundMessage } from '../transport/transport.js';
import { isDataError } from '../database/database.js';
import { EventBus } from '../events/event-bus.js';
import { metrics } from '../metrics/metrics.js';
import { logOutcome, type BatchOutcome } from './batch-outcome.js';
import { EventStoreRepository, type CountChange } from '../database/event-store.repository.js';
import { WriteCombiner } from './write-combiner.js';

export type { CommittedBatch } from '../events/app-events.js';

/** A valid event and the message it came in. */
interface Decoded {
  readonly event: MonitorEvent;
  readonly message: InboundMessage;
}

interface StoreOutcome {
  stored: number;
  /** Ids of the events stored for the first time. */
  storedIds: string[];
  changes: CountChange[];
  refused: DeadLetter[];
}

/**
 * The ingest use case, the same for every transport: validate each message, dead-letter the bad ones
 * with their reason, store the good ones idempotently in one transaction, tell the boards.
 */
@Injectable()
export class IngestService {
  readonly validator: EventValidator;
  private readonly kindByTopic: ReadonlyMap<string, EventKind>;
  private readonly logger = new Logger('Ingest');
  /**
   * Group commit (write-combiner.ts), only when INGEST_GROUP_MAX_EVENTS is set: it was measured slower than
   * one transaction per batch on both engines (docs/ingest.md, "Group commit").
   */
  private readonly writer: WriteCombiner | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(REGION) region: Region,
    @Inject(EventStoreRepository) private readonly store: EventStoreRepository,
    @Inject(DEAD_LETTER_SINK) private readonly deadLetters: DeadLetterSink,
    @Inject(EventBus) private readonly bus: EventBus,
  ) {
    this.validator = createEventValidator({ region });
    const maxGroupEvents = config.ingest.groupMaxEvents;
    this.writer =
      maxGroupEvents === undefined
        ? undefined
        : new WriteCombiner(store, { writers: config.ingest.writers, maxGroupEvents });
    const topics = topicNames(config.kafka?.topicPrefix ?? '');
    this.kindByTopic = new Map<string, EventKind>([
      [topics.incident, 'incident'],
      [topics.accident, 'accident'],
    ]);
  }

  /**
   * Handles one transport batch and says what became of each message (stored, duplicate, dead-lettered);
   * throws (so the batch is re-delivered) if storing or dead-lettering failed, and lets a programming
   * error through for the runner to stop on (transport/errors.ts).
   */
  async handleBatch(batch: InboundBatch, transport: TransportKind): Promise<BatchOutcome> {
    const valid: Decoded[] = [];
    const letters: DeadLetter[] = [];
    const validating = metrics.stageDuration.startTimer({ stage: 'validate' });
    for (const message of batch.messages) {
      const result = this.decode(message);
      if (result.ok) valid.push({ event: result.event, message });
      else letters.push({ message, reason: result.reason });
    }
    validating();
    await batch.heartbeat();
    const storing = metrics.storeDuration.startTimer();
    const storingStage = metrics.stageDuration.startTimer({ stage: 'store' });
    const { stored, storedIds, changes, refused } = await this.storeSettingAsideRefused(valid);
    storing();
    storingStage();
    // The store has committed: its changes reach the features, aggregates and alerts now, since a
    // re-delivery of this batch (if dead-lettering fails below) finds every event stored and changes nothing.
    const applying = metrics.stageDuration.startTimer({ stage: 'apply' });
    const received = valid.map((item) => item.event);
    const fresh = new Set(storedIds);
    const storedEvents = received.filter((event) => fresh.has(event.eventId));
    this.bus.emit('batch.committed', { changes, received, stored: storedEvents });
    const newestReportedByDistrict = newestReports(valid, storedIds);
    applying();
    letters.push(...refused);
    // Dead letters go out before the batch counts as handled, so its offsets are committed only after.
    const deadLettering = metrics.stageDuration.startTimer({ stage: 'dead_letter' });
    await this.deadLetters.deadLetter(letters);
    deadLettering();

    // Net change of the counted events in the board's window: an amendment moves its count from the old
    // district/category; an event older than the window (a backfill, a replay) is not in the board's counts.
    const byDistrict: Record<string, number> = {};
    const byCategory: Partial<Record<Category, number>> = {};
    const windowStart = Date.now() - BOARD_WINDOW_HOURS * 3_600_000;
    for (const change of changes) {
      if (change.occurredAt.getTime() < windowStart) continue;
      byDistrict[change.district] = (byDistrict[change.district] ?? 0) + change.events;
      byCategory[change.category] = (byCategory[change.category] ?? 0) + change.events;
    }
    const summary: BatchSummary = {
      at: new Date().toISOString(),
      transport,
      stored,
      duplicates: valid.length - refused.length - stored,
      deadLettered: letters.length,
      byDistrict,
      byCategory,
      newestReportedByDistrict,
    };
    metrics.recordIngest(
      transport,
      summary,
      letters.map((letter) => letter.reason),
    );
    this.bus.emit('batch.handled', summary);
    const outcome: BatchOutcome = { ...summary, processed: batch.messages.length, deadLetters: letters };
    logOutcome(this.logger, outcome);
    return outcome;
  }

  /**
   * Stores the batch in one statement (with group commit on, together with the batches handled
   * meanwhile). If the database refuses a value the validator let through (a data exception), the batch
   * is split until the refused events are found; they are dead-lettered with the
   * database's reason and everything else is stored, instead of the whole batch failing forever.
   */
  private async storeSettingAsideRefused(valid: readonly Decoded[]): Promise<StoreOutcome> {
    try {
      const events = valid.map((item) => item.event);
      const result = await (this.writer === undefined
        ? this.store.insert(events)
        : this.writer.write(events));
      return {
        stored: result.stored.length,
        storedIds: result.stored.map((event) => event.eventId),
        changes: result.changes,
        refused: [],
      };
    } catch (error) {
      if (!isDataError(error)) throw error;
      const [only] = valid;
      if (valid.length === 1 && only !== undefined) {
        return {
          stored: 0,
          storedIds: [],
          changes: [],
          refused: [
            { message: only.message, reason: `database refused the event: ${(error as Error).message}` },
          ],
        };
      }
      const half = Math.ceil(valid.length / 2);
      const first = await this.storeSettingAsideRefused(valid.slice(0, half));
      const second = await this.storeSettingAsideRefused(valid.slice(half));
      return {
        stored: first.stored + second.stored,
        storedIds: [...first.storedIds, ...second.storedIds],
        changes: [...first.changes, ...second.changes],
        refused: [...first.refused, ...second.refused],
      };
    }
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

/**
 * The newest `reportedAt` per district among the events stored for the first time. Instants carry their
 * producer's offset: compared as times, sent as UTC.
 */
function newestReports(valid: readonly Decoded[], storedIds: readonly string[]): Record<string, string> {
  if (storedIds.length === 0) return {};
  const fresh = new Set(storedIds);
  const newest = new Map<string, number>();
  for (const { event } of valid) {
    if (!fresh.has(event.eventId)) continue;
    const at = Date.parse(event.reportedAt);
    if (at > (newest.get(event.district) ?? Number.NEGATIVE_INFINITY)) newest.set(event.district, at);
  }
  return Object.fromEntries([...newest].map(([code, at]) => [code, new Date(at).toISOString()]));
}
