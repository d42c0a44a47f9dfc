import { DEAD_LETTER_HEADERS, deadLetterTopicFor, type MonitorEvent } from '@district-monitor/streams';
import { KafkaSink, type OutgoingMessage } from '@district-monitor/streams/producers';
import type { KafkaConfig } from '../config/app-config.js';
import { nestLogCreator } from './kafka-logging.js';
import type { DeadLetter, DeadLetterSink, EventPublisher } from './transport.js';

/**
 * The backend's one idempotent Kafka producer (a `KafkaSink`, shared with the producer CLI): valid events from HTTP ingest go to their topic keyed by
 * district; rejected messages go to the dead-letter topic with their reason and source position.
 */
export class KafkaProducerRepository implements EventPublisher, DeadLetterSink {
  private readonly sink: KafkaSink;

  constructor(config: KafkaConfig) {
    this.sink = new KafkaSink(config.brokers, config.topicPrefix, {
      clientId: `${config.clientId}-producer`,
      logCreator: nestLogCreator,
    });
  }

  async publish(events: readonly MonitorEvent[]): Promise<void> {
    await this.sink.send(events);
  }

  async deadLetter(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const failedAt = new Date().toISOString();
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const { message, reason } of letters) {
      const topic = deadLetterTopicFor(this.sink.topics, message.topic);
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
    await this.sink.sendTopicMessages([...byTopic].map(([topic, messages]) => ({ topic, messages })));
  }

  close(): Promise<void> {
    return this.sink.close();
  }
}
