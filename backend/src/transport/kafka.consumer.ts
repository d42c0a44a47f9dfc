import { Logger } from '@nestjs/common';
import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';
import { topicNames } from '@district-monitor/streams';
import type { KafkaConfig } from '../config/app-config.js';
import { nestLogCreator } from './kafka-logging.js';
import type { Assignment, BatchHandler, EventSource, SourceState } from './transport.js';

/**
 * Consumes the incident and accident topics with one consumer group and `eachBatch`. A batch's offsets
 * are resolved only after the handler resolves (its rows committed), and kafkajs commits only resolved
 * offsets, so a crash at any point re-delivers rather than loses.
 */
export class KafkaEventSource implements EventSource {
  readonly kind = 'kafka' as const;
  private readonly logger = new Logger('KafkaEventSource');
  private readonly kafka: Kafka;
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly topics: string[];
  private current: SourceState = 'idle';
  private lagCache: { at: number; value: number } | undefined;
  private readonly assignmentListeners: ((assignment: Assignment | null) => void)[] = [];

  constructor(private readonly config: KafkaConfig) {
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: [...config.brokers],
      logLevel: logLevel.WARN,
      logCreator: nestLogCreator,
    });
    this.consumer = this.kafka.consumer({
      groupId: config.groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: 2 * 1024 * 1024,
    });
    this.admin = this.kafka.admin();
    const names = topicNames(config.topicPrefix);
    this.topics = [names.incident, names.accident];
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.logger.error(`consumer crashed (restart: ${payload.restart}): ${payload.error.message}`);
      if (!payload.restart) this.current = 'crashed';
      this.assign(null);
    });
    this.consumer.on(this.consumer.events.REBALANCING, () => {
      this.assign(null);
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      const partitions = payload.memberAssignment[this.topics[0] ?? ''] ?? [];
      this.admin
        .fetchTopicMetadata({ topics: [this.topics[0] ?? ''] })
        .then(({ topics }) => {
          const partitionCount = topics[0]?.partitions.length ?? 0;
          this.assign({ partitions: [...partitions].sort((a, b) => a - b), partitionCount });
        })
        .catch((error: unknown) => {
          this.logger.error(`reading the partition count after joining the group failed: ${String(error)}`);
        });
    });
  }

  onAssignment(listener: (assignment: Assignment | null) => void): void {
    this.assignmentListeners.push(listener);
  }

  private assign(assignment: Assignment | null): void {
    for (const listener of this.assignmentListeners) listener(assignment);
  }

  async start(handler: BatchHandler): Promise<void> {
    this.current = 'starting';
    await this.consumer.connect();
    await this.admin.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await this.consumer.run({
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 2,
      eachBatch: async (payload) => {
        const { batch } = payload;
        if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
        await handler({
          heartbeat: () => payload.heartbeat(),
          messages: batch.messages.map((message) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
            key: message.key?.toString('utf8') ?? null,
            value: message.value,
          })),
        });
        payload.resolveOffset(batch.lastOffset());
      },
    });
    this.current = 'running';
    this.logger.log(`consuming ${this.topics.join(', ')} as group ${this.config.groupId}`);
  }

  async stop(): Promise<void> {
    if (this.current === 'stopped') return;
    this.assign(null);
    // disconnect() waits for the batch in hand, commits its resolved offsets and leaves the group.
    await this.consumer.disconnect();
    await this.admin.disconnect();
    this.current = 'stopped';
  }

  state(): SourceState {
    return this.current;
  }

  /** Messages behind the group's committed offsets, summed over partitions; cached for two seconds. */
  async lag(): Promise<number | null> {
    if (this.current !== 'running') return null;
    if (this.lagCache !== undefined && Date.now() - this.lagCache.at < 2_000) return this.lagCache.value;
    const committed = await this.admin.fetchOffsets({ groupId: this.config.groupId, topics: this.topics });
    let total = 0;
    for (const { topic, partitions } of committed) {
      const ends = await this.admin.fetchTopicOffsets(topic);
      for (const end of ends) {
        const done = partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
        const from = Number(done) >= 0 ? Number(done) : Number(end.low);
        total += Math.max(0, Number(end.high) - from);
      }
    }
    this.lagCache = { at: Date.now(), value: total };
    return total;
  }
}
