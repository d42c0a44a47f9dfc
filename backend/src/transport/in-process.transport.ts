import { Logger } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { topicForKind, type MonitorEvent, type TopicNames } from '@district-monitor/streams';
import {
  BackpressureError,
  type Assignment,
  type BatchHandler,
  type EventPublisher,
  type EventSource,
  type InboundMessage,
  type SourceHealth,
  type SourceState,
} from './transport.js';
import { describeError, isRetriable } from './errors.js';

interface Pending {
  readonly messages: InboundMessage[];
  readonly bytes: number;
  resolve(): void;
  reject(error: Error): void;
}

export interface InProcessOptions {
  /** Messages handed to the handler at once, at most (whole publish calls). */
  readonly maxBatch: number;
  readonly attempts: number;
  readonly firstBackoffMs: number;
  /** Events accepted but not yet stored, at most. */
  readonly maxEvents: number;
  /** Their encoded size (UTF-16 length of the JSON), at most. */
  readonly maxBytes: number;
}

const DEFAULT_OPTIONS: InProcessOptions = {
  maxBatch: 5000,
  attempts: 5,
  firstBackoffMs: 100,
  maxEvents: 50_000,
  maxBytes: 64 * 1024 * 1024,
};

/**
 * The embedded default's transport: an in-memory queue behind the same batch interface as the Kafka
 * consumer. `publish` resolves only after the handler has stored the batch, so an accepted event is a
 * stored event; if storing keeps failing the publisher is told, never left believing it succeeded.
 * Admission is bounded: events accepted but not yet stored are at most `maxEvents` and `maxBytes`;
 * a publish beyond that is refused whole with {@link BackpressureError} (HTTP 503 with Retry-After).
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
  /** Events (and their encoded bytes) accepted and not yet stored or refused. */
  private held = { events: 0, bytes: 0 };
  private readonly options: InProcessOptions;

  constructor(
    private readonly topics: TopicNames,
    options: Partial<InProcessOptions> = {},
  ) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
  }

  publish(events: readonly MonitorEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    if (this.current === 'stopped') return Promise.reject(new Error('the in-process transport is stopped'));
    const values = events.map((event) => JSON.stringify(event));
    const bytes = values.reduce((sum, value) => sum + value.length, 0);
    const { maxEvents, maxBytes } = this.options;
    if (this.held.events + events.length > maxEvents || this.held.bytes + bytes > maxBytes) {
      return Promise.reject(
        new BackpressureError(
          `the in-process queue holds ${this.held.events} events (${this.held.bytes} bytes) not yet stored; ` +
            `it takes at most ${maxEvents} events and ${maxBytes} bytes`,
          1,
        ),
      );
    }
    this.held.events += events.length;
    this.held.bytes += bytes;
    const release = () => {
      this.held.events -= events.length;
      this.held.bytes -= bytes;
    };
    return new Promise((resolve, reject) => {
      const messages = events.map((event, i) => ({
        topic: topicForKind(this.topics, event.kind),
        partition: 0,
        offset: String(this.nextOffset++),
        key: event.district,
        value: values[i] ?? '',
      }));
      this.queue.push({
        messages,
        bytes,
        resolve: () => {
          release();
          resolve();
        },
        reject: (error) => {
          release();
          reject(error);
        },
      });
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
