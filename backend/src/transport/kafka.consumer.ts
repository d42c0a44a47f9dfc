import { setTimeout as delay } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';
import { topicNames } from '@district-monitor/streams';
import type { KafkaConfig } from '../config/app-config.js';
import { BatchRunner } from './batch-runner.js';
import { describeError, isRetriable } from './errors.js';
import { nestLogCreator } from './kafka-logging.js';
import type {
  Assignment,
  BatchHandler,
  EventSource,
  PartitionLag,
  SourceHealth,
  SourceState,
} from './transport.js';

/** No completed batch for this long while lag is above 0: health says the consumer stalled. */
export const STALL_AFTER_MS = 15_000;
/** How long a health probe of the brokers may take before they count as unreachable. */
const PROBE_TIMEOUT_MS = 2_500;
/** Backoff of a batch retried after a transient failure (database or broker restarting). */
const BATCH_RETRY = { initialDelayMs: 250, maxDelayMs: 5_000 } as const;
/** Backoff of a (re)start that failed (broker unreachable when joining). */
const START_RETRY = { initialDelayMs: 500, maxDelayMs: 10_000 } as const;

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what} took longer than ${ms} ms`));
    }, ms);
  });
  return Promise.race([work, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/**
 * Consumes the incident and accident topics with one consumer group and `eachBatch`. A batch's offsets
 * are resolved only after the handler resolves (its rows committed), and kafkajs commits only resolved
 * offsets, so a crash at any point re-delivers rather than loses.
 *
 * Faults: `start` returns at once and joins the group in the background (HTTP does not wait for a dead
 * member's session to expire); a batch that fails transiently is retried with backoff while the
 * partition stays ours; a programming error (not retriable) stops the consumer, logged and reported in
 * health; any other crash restarts it.
 */
export class KafkaEventSource implements EventSource {
  readonly kind = 'kafka' as const;
  private readonly logger = new Logger('KafkaEventSource');
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly topics: string[];
  private consumer: Consumer | undefined;
  private current: SourceState = 'idle';
  private stopping = false;
  private readonly stopSignal = new AbortController();
  private loop: Promise<void> | undefined;
  private runner: BatchRunner | undefined;
  private lastError: string | null = null;
  private lagCache: { at: number; value: PartitionLag[] } | undefined;
  private brokerCache: { at: number; value: { reachable: boolean; error: string | null } } | undefined;
  private adminConnected: Promise<void> | undefined;
  private readonly assignmentListeners: ((assignment: Assignment | null) => void)[] = [];

  constructor(private readonly config: KafkaConfig) {
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: [...config.brokers],
      logLevel: logLevel.WARN,
      logCreator: nestLogCreator,
    });
    // Health probes must answer while a broker is down: few retries, bounded by PROBE_TIMEOUT_MS.
    this.admin = this.kafka.admin({ retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1_000 } });
    const names = topicNames(config.topicPrefix);
    this.topics = [names.incident, names.accident];
  }

  onAssignment(listener: (assignment: Assignment | null) => void): void {
    this.assignmentListeners.push(listener);
  }

  private assign(assignment: Assignment | null): void {
    for (const listener of this.assignmentListeners) listener(assignment);
  }

  /** Returns at once: connecting and joining the group go on in the background, retried until they work. */
  start(handler: BatchHandler): Promise<void> {
    this.runner = new BatchRunner(handler, BATCH_RETRY);
    this.current = 'starting';
    this.loop = this.startUntilRunning();
    return Promise.resolve();
  }

  private async startUntilRunning(): Promise<void> {
    let wait: number = START_RETRY.initialDelayMs;
    while (!this.stopping) {
      const consumer = this.createConsumer();
      this.consumer = consumer;
      try {
        await consumer.connect();
        await consumer.subscribe({ topics: this.topics, fromBeginning: true });
        await this.run(consumer);
        this.logger.log(`consuming ${this.topics.join(', ')} as group ${this.config.groupId}`);
        return;
      } catch (error) {
        this.lastError = describeError(error);
        this.logger.error(`starting the consumer failed, retrying in ${wait} ms: ${this.lastError}`);
        await consumer.disconnect().catch((disconnectError: unknown) => {
          this.logger.warn(`disconnecting the failed consumer: ${describeError(disconnectError)}`);
        });
        await delay(wait, undefined, { signal: this.stopSignal.signal }).catch(() => undefined);
        wait = Math.min(wait * 2, START_RETRY.maxDelayMs);
      }
    }
  }

  private createConsumer(): Consumer {
    const consumer = this.kafka.consumer({
      groupId: this.config.groupId,
      // A dead member (SIGKILL) holds its partitions until its session expires: keep that short, with
      // heartbeats at a third of it (kafkajs 2.2.4 has no static membership to skip the wait).
      sessionTimeout: this.config.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(this.config.sessionTimeoutMs / 3)),
      // Fetch sizes and waits: config/app-config.ts KAFKA_CONSUMER_DEFAULTS, measured in docs/ingest.md.
      maxWaitTimeInMs: this.config.consumer.maxWaitTimeMs,
      minBytes: this.config.consumer.minBytes,
      maxBytes: this.config.consumer.maxBytes,
      maxBytesPerPartition: this.config.consumer.maxBytesPerPartition,
      retry: {
        // kafkajs restarts a crashed consumer only for retriable errors; a programming error stays down.
        restartOnFailure: (error) => Promise.resolve(isRetriable(error)),
      },
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.assign(null);
      if (this.consumer !== consumer || this.stopping) return;
      this.lastError = describeError(payload.error);
      if (payload.restart) {
        this.logger.error(`consumer crashed, kafkajs restarts it: ${this.lastError}`);
        this.current = 'starting';
        return;
      }
      const failure = this.runner?.failure ?? null;
      if (failure !== null) {
        this.logger.error(`consumer stopped for good: ${failure}`);
        this.current = 'crashed';
        return;
      }
      // A crash kafkajs will not restart but that is not ours to give up on (a broker error flagged
      // non-retriable): start a fresh consumer, so ingest never stops for good.
      this.logger.error(`consumer crashed without restart (${this.lastError}); starting a new one`);
      this.current = 'starting';
      this.loop = this.startUntilRunning();
    });
    consumer.on(consumer.events.REBALANCING, () => {
      this.assign(null);
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      if (this.consumer !== consumer) return;
      this.current = 'running';
      this.lastError = null;
      if (this.runner !== undefined) this.runner.lastProgressAt = Date.now();
      const partitions = payload.memberAssignment[this.topics[0] ?? ''] ?? [];
      this.partitionCount()
        .then((partitionCount) => {
          this.assign({ partitions: [...partitions].sort((a, b) => a - b), partitionCount });
        })
        .catch((error: unknown) => {
          this.logger.error(`reading the partition count after joining the group failed: ${String(error)}`);
        });
    });
    return consumer;
  }

  private async partitionCount(): Promise<number> {
    await this.connectAdmin();
    const { topics } = await this.admin.fetchTopicMetadata({ topics: [this.topics[0] ?? ''] });
    return topics[0]?.partitions.length ?? 0;
  }

  private connectAdmin(): Promise<void> {
    // A failed connect is forgotten, so the next call tries again.
    this.adminConnected ??= this.admin.connect().catch((error: unknown) => {
      this.adminConnected = undefined;
      throw error;
    });
    return this.adminConnected;
  }

  private run(consumer: Consumer): Promise<void> {
    const runner = this.runner;
    if (runner === undefined) throw new Error('start() was not called');
    return consumer.run({
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.config.consumer.partitionsConcurrently,
      eachBatch: async (payload) => {
        const { batch } = payload;
        const live = () => payload.isRunning() && !payload.isStale();
        if (!live() || batch.messages.length === 0) return;
        const inbound = {
          heartbeat: () => payload.heartbeat(),
          messages: batch.messages.map((message) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
            key: message.key?.toString('utf8') ?? null,
            value: message.value,
          })),
        };
        await runner.run(inbound, {
          position: `${batch.topic}/${batch.partition}@${batch.firstOffset() ?? '?'}`,
          isLive: live,
          heartbeat: () => payload.heartbeat(),
          resolve: () => {
            payload.resolveOffset(batch.lastOffset());
          },
        });
      },
    });
  }

  async stop(): Promise<void> {
    if (this.current === 'stopped') return;
    this.stopping = true;
    this.stopSignal.abort();
    this.assign(null);
    await this.loop;
    // disconnect() waits for the batch in hand, commits its resolved offsets and leaves the group, so a
    // restarted backend joins without waiting for this member's session to expire.
    await this.consumer?.disconnect();
    if (this.adminConnected !== undefined) await this.admin.disconnect();
    this.current = 'stopped';
  }

  state(): SourceState {
    return this.current;
  }

  /** Messages behind the group's committed offsets, summed over partitions; cached for two seconds. */
  async lag(): Promise<number | null> {
    if (this.current !== 'running') return null;
    const partitions = await this.lagByPartition();
    return partitions.reduce((sum, partition) => sum + partition.lag, 0);
  }

  private async lagByPartition(): Promise<PartitionLag[]> {
    if (this.lagCache !== undefined && Date.now() - this.lagCache.at < 2_000) return this.lagCache.value;
    await this.connectAdmin();
    const committed = await this.admin.fetchOffsets({ groupId: this.config.groupId, topics: this.topics });
    const value: PartitionLag[] = [];
    for (const { topic, partitions } of committed) {
      const ends = await this.admin.fetchTopicOffsets(topic);
      for (const end of ends) {
        const done = partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
        const from = Number(done) >= 0 ? Number(done) : Number(end.low);
        value.push({ topic, partition: end.partition, lag: Math.max(0, Number(end.high) - from) });
      }
    }
    value.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    this.lagCache = { at: Date.now(), value };
    return value;
  }

  private async brokers(): Promise<{ reachable: boolean; error: string | null }> {
    if (this.brokerCache !== undefined && Date.now() - this.brokerCache.at < 2_000)
      return this.brokerCache.value;
    let value: { reachable: boolean; error: string | null };
    try {
      await withTimeout(
        this.connectAdmin().then(() => this.admin.describeCluster()),
        PROBE_TIMEOUT_MS,
        'describing the Kafka cluster',
      );
      value = { reachable: true, error: null };
    } catch (error) {
      value = { reachable: false, error: describeError(error) };
    }
    this.brokerCache = { at: Date.now(), value };
    return value;
  }

  async health(): Promise<SourceHealth> {
    const brokers = await this.brokers();
    let lagByPartition: PartitionLag[] | null = null;
    if (brokers.reachable) {
      lagByPartition = await withTimeout(this.lagByPartition(), PROBE_TIMEOUT_MS, 'reading the lag').catch(
        (error: unknown) => {
          this.logger.warn(`reading the lag for health failed: ${describeError(error)}`);
          return null;
        },
      );
    }
    const lag = lagByPartition === null ? null : lagByPartition.reduce((sum, p) => sum + p.lag, 0);
    const progressAt = this.runner?.lastProgressAt;
    const since = progressAt === undefined ? undefined : Date.now() - progressAt;
    return {
      state: this.current,
      failure: this.runner?.failure ?? null,
      lastError: this.lastError,
      retrying: this.runner?.retrying ?? null,
      brokers,
      lag,
      lagByPartition,
      lastProgressAt: progressAt === undefined ? null : new Date(progressAt).toISOString(),
      stalled: this.current === 'running' && (lag ?? 0) > 0 && since !== undefined && since > STALL_AFTER_MS,
      stallAfterSeconds: STALL_AFTER_MS / 1000,
    };
  }
}
