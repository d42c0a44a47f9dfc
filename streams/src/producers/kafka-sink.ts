import { CompressionTypes, Kafka, logLevel, Partitioners, type logCreator, type Producer } from 'kafkajs';
import type { MonitorEvent } from '../event.schema.js';
import { topicForKind, topicNames, type TopicNames } from '../topics.js';
import type { EventSink, SinkResult } from './event-sink.js';

/** Kafka messages for events: each on its kind's topic, keyed by district (the partitioning contract). */
export function toKafkaMessages(
  events: readonly MonitorEvent[],
  topics: TopicNames,
): { topic: string; messages: { key: string; value: string }[] }[] {
  const byTopic = new Map<string, { key: string; value: string }[]>();
  for (const event of events) {
    const topic = topicForKind(topics, event.kind);
    let list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, (list = []));
    list.push({ key: event.district, value: JSON.stringify(event) });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/** One message to Kafka; `headers` carry metadata such as a dead letter's reason. */
export interface OutgoingMessage {
  readonly key: string | null;
  readonly value: string | Buffer | null;
  readonly headers?: Record<string, string>;
}

export interface KafkaSinkOptions {
  readonly clientId?: string;
  /** Where kafkajs logs go (the backend routes them to its logger). */
  readonly logCreator?: logCreator;
}

/** Publishes with an idempotent kafkajs producer; a send resolves once every broker acknowledged. */
export class KafkaSink implements EventSink {
  readonly description: string;
  readonly topics: TopicNames;
  private readonly producer: Producer;
  private connected: Promise<void> | undefined;

  constructor(brokers: readonly string[], topicPrefix = '', options: KafkaSinkOptions = {}) {
    this.producer = new Kafka({
      clientId: options.clientId ?? 'producer',
      brokers: [...brokers],
      logLevel: logLevel.WARN,
      ...(options.logCreator === undefined ? {} : { logCreator: options.logCreator }),
    }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    this.topics = topicNames(topicPrefix);
    this.description = `Kafka ${brokers.join(',')} (${this.topics.incident}, ${this.topics.accident})`;
  }

  async send(events: readonly MonitorEvent[]): Promise<SinkResult> {
    await this.sendTopicMessages(toKafkaMessages(events, this.topics));
    return { accepted: events.length, rejected: [] };
  }

  /** Sends already-built messages (any topic) with every broker's acknowledgement. */
  async sendTopicMessages(
    topicMessages: readonly { topic: string; messages: readonly OutgoingMessage[] }[],
  ): Promise<void> {
    if (topicMessages.every((batch) => batch.messages.length === 0)) return;
    // A failed connect is forgotten, so the next call tries again instead of failing for good.
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    await this.connected;
    await this.producer.sendBatch({
      acks: -1,
      compression: CompressionTypes.None,
      topicMessages: topicMessages.map(({ topic, messages }) => ({ topic, messages: [...messages] })),
    });
  }

  async close(): Promise<void> {
    if (this.connected !== undefined) await this.producer.disconnect();
  }
}
