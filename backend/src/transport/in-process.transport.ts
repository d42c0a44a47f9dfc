import { Logger } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { topicForKind, type MonitorEvent, type TopicNames } from '@district-monitor/streams';
import type {
  Assignment,
  BatchHandler,
  EventPublisher,
  EventSource,
  InboundMessage,
  SourceHealth,
  SourceState,
} from './transport.js';
import { describeError, isRetriable } from './errors.js';

interface Pending {
  readonly messages: InboundMessage[];
  resolve(): void;
  reject(error: Error): void;
}

/**
 * The embedded default's transport: an in-memory queue behind the same batch interface as the Kafka
 * consumer. `publish` resolves only after the handler has stored the batch, so an accepted event is a
 * stored event; if storing keeps failing the publisher is told, never left believing it succeeded.
 */
export class InProcessTransport implements EventSource, EventPublisher {
  readonly kind = 'in-process' as const;

  /** One process, one queue: it holds every district from the start. */
  onAssignment(listener: (assignment: Assignment | null) => void): void {
    listener({ partitions: [0], partitionCount: 1 });
  }
  private readonly logger = new Logger('InProcessTransport');
  private readonly queue: Pending[] = [];
  private nextOffset = 0;
  private current: SourceState = 'idle';
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private lastError: string | null = null;

  constructor(
    private readonly topics: TopicNames,
    private readonly options = { maxBatch: 5000, attempts: 5, firstBackoffMs: 100 },
  ) {}

  publish(events: readonly MonitorEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    if (this.current === 'stopped') return Promise.reject(new Error('the in-process transport is stopped'));
    return new Promise((resolve, reject) => {
      const messages = events.map((event) => ({
        topic: topicForKind(this.topics, event.kind),
        partition: 0,
        offset: String(this.nextOffset++),
        key: event.district,
        value: JSON.stringify(event),
      }));
      this.queue.push({ messages, resolve, reject });
      this.wake?.();
    });
  }

  start(handler: BatchHandler): Promise<void> {
    this.current = 'running';
    this.loop = this.run(handler);
    return Promise.resolve();
  }

  /** Stops accepting events, stores everything already queued, then returns. */
  async stop(): Promise<void> {
    if (this.current !== 'running') {
      this.current = 'stopped';
      return;
    }
    this.current = 'stopped';
    this.wake?.();
    await this.loop;
  }

  state(): SourceState {
    return this.current;
  }

  lag(): Promise<number> {
    return Promise.resolve(this.queue.reduce((sum, pending) => sum + pending.messages.length, 0));
  }

  async health(): Promise<SourceHealth> {
    return {
      state: this.current,
      failure: null,
      lastError: this.lastError,
      retrying: null,
      brokers: null,
      lag: await this.lag(),
      lagByPartition: null,
      lastProgressAt: null,
      stalled: false,
      stallAfterSeconds: 0,
    };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async run(handler: BatchHandler): Promise<void> {
    for (;;) {
      if (this.queue.length === 0) {
        if (this.current === 'stopped') return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      const taken = this.take();
      const messages = taken.flatMap((pending) => pending.messages);
      const error = await this.handleWithRetries(handler, messages);
      for (const pending of taken) {
        if (error === undefined) pending.resolve();
        else pending.reject(error);
      }
    }
  }

  /** Whole `publish` calls, up to `maxBatch` messages (at least one call). */
  private take(): Pending[] {
    const taken: Pending[] = [];
    let count = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0] as Pending;
      if (count > 0 && count + next.messages.length > this.options.maxBatch) break;
      taken.push(next);
      count += next.messages.length;
      this.queue.shift();
    }
    return taken;
  }

  private async handleWithRetries(
    handler: BatchHandler,
    messages: InboundMessage[],
  ): Promise<Error | undefined> {
    let backoff = this.options.firstBackoffMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await handler({ messages, heartbeat: () => Promise.resolve() });
        this.lastError = null;
        return undefined;
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        this.lastError = describeError(failure);
        this.logger.error(`batch of ${messages.length} failed (attempt ${attempt}): ${failure.message}`);
        // A programming error fails the same way every time: its publishers are told at once.
        if (attempt >= this.options.attempts || !isRetriable(failure)) {
          return new Error(`events not stored after ${attempt} attempts: ${failure.message}`, {
            cause: failure,
          });
        }
        await delay(backoff);
        backoff *= 2;
      }
    }
  }
}
