import { CompressionTypes, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import {
  DEAD_LETTER_HEADERS,
  deadLetterTopicFor,
  topicNames,
  type MonitorEvent,
  type TopicNames,
} from '@district-monitor/streams';
import { toKafkaMessages } from '@district-monitor/streams/producers';
import type { KafkaConfig } from '../config/app-config.js';
import { nestLogCreator } from './kafka-logging.js';
import type { DeadLetter, DeadLetterSink, EventPublisher } from './transport.js';

/**
 * The backend's one idempotent Kafka producer: valid events from HTTP ingest go to their topic keyed by
 * district; rejected messages go to the dead-letter topic with their reason and source position.
 */
export class KafkaProducerRepository implements EventPublisher, DeadLetterSink {
  private readonly producer: Producer;
  private readonly topics: TopicNames;
  private connected: Promise<void> | undefined;

  constructor(config: KafkaConfig) {
    const kafka = new Kafka({
      clientId: `${config.clientId}-producer`,
      brokers: [...config.brokers],
      logLevel: logLevel.WARN,
      logCreator: nestLogCreator,
    });
    this.producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    this.topics = topicNames(config.topicPrefix);
  }

  private async ready(): Promise<void> {
    // A failed connect is forgotten, so the next call tries again instead of failing for good.
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    await this.connected;
  }

  async publish(events: readonly MonitorEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.ready();
    await this.producer.sendBatch({
      acks: -1,
      compression: CompressionTypes.None,
      topicMessages: toKafkaMessages(events, this.topics),
    });
  }

  async deadLetter(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await this.ready();
    const failedAt = new Date().toISOString();
    const byTopic = new Map<
      string,
      { key: string | null; value: Buffer | string | null; headers: Record<string, string> }[]
    >();
    for (const { message, reason } of letters) {
      const topic = deadLetterTopicFor(this.topics, message.topic);
      const list = byTopic.get(topic) ?? [];
      list.push({
        key: message.key,
        value:
          message.value === null || typeof message.value === 'string'
            ? message.value
            : Buffer.from(message.value),
        headers: {
          [DEAD_LETTER_HEADERS.reason]: reason,
          [DEAD_LETTER_HEADERS.sourceTopic]: message.topic,
          [DEAD_LETTER_HEADERS.sourcePartition]: String(message.partition),
          [DEAD_LETTER_HEADERS.sourceOffset]: message.offset,
          [DEAD_LETTER_HEADERS.failedAt]: failedAt,
        },
      });
      byTopic.set(topic, list);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }

  async close(): Promise<void> {
    if (this.connected !== undefined) await this.producer.disconnect();
  }
}
