import { Logger } from '@nestjs/common';
import { deadLetterTopicFor, type MonitorEvent } from '@district-monitor/streams';
import { KafkaSink } from '@district-monitor/streams/producers';
import type { KafkaConfig } from '../config/app-config.js';
import {
  DEAD_LETTER_REQUEST_BYTES,
  planDeadLetters,
  referenceTo,
  type PlannedLetter,
} from './dead-letter-plan.js';
import { describeError, isRetriable } from './errors.js';
import { nestLogCreator } from './kafka-logging.js';
import type { DeadLetter, DeadLetterSink, EventPublisher } from './transport.js';

/**
 * The backend's one idempotent Kafka producer (a `KafkaSink`, shared with the producer CLI): valid events from HTTP ingest go to their topic keyed by
 * district; rejected messages go to the dead-letter topic with their reason and source position.
 *
 * No input can stop ingest here: dead letters go in requests that fit the broker's record limit (a
 * large one alone), an original too large to copy goes as a reference (`oversized`), and a letter the
 * topic still refuses for good is recorded by `fallback` (the database's `dead_letters` table). Only a
 * transient failure (broker unreachable) is thrown, so the batch is retried.
 */
export class KafkaProducerRepository implements EventPublisher, DeadLetterSink {
  private readonly logger = new Logger('KafkaProducerRepository');
  private readonly sink: KafkaSink;

  constructor(
    config: KafkaConfig,
    private readonly fallback: DeadLetterSink,
    private readonly limitBytes = DEAD_LETTER_REQUEST_BYTES,
  ) {
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
    const requests = planDeadLetters(
      letters,
      (source) => deadLetterTopicFor(this.sink.topics, source),
      failedAt,
      this.limitBytes,
    );
    for (const { topic, letters: planned } of requests) await this.send(topic, planned, failedAt);
  }

  /** Sends one request; on a permanent refusal, one letter at a time, then a reference, then the fallback. */
  private async send(topic: string, planned: readonly PlannedLetter[], failedAt: string): Promise<void> {
    try {
      await this.sink.sendTopicMessages([
        {
          topic,
          messages: planned.map(({ key, value, headers }) => ({ key, value, headers })),
        },
      ]);
      return;
    } catch (error) {
      if (isRetriable(error)) throw error;
      const [only] = planned;
      if (planned.length > 1 || only === undefined) {
        this.logger.warn(
          `${topic} refused ${planned.length} dead letters at once (${describeError(error)}); one at a time`,
        );
        for (const letter of planned) await this.send(topic, [letter], failedAt);
        return;
      }
      const { message } = only.letter;
      const where = `${message.topic}/${message.partition}/${message.offset}`;
      if (only.form === 'copy') {
        this.logger.warn(
          `${topic} refused the dead letter of ${where} (${describeError(error)}); sending a reference`,
        );
        await this.send(topic, [referenceTo(only.letter, failedAt, this.limitBytes)], failedAt);
        return;
      }
      this.logger.error(
        `${topic} refused even the reference to ${where} (${describeError(error)}); recording it in the database`,
      );
      await this.fallback.deadLetter([
        {
          message,
          reason: `oversized: dead-letter topic ${topic} refused its copy and its reference (${describeError(error)}). Reason: ${only.letter.reason}`,
        },
      ]);
    }
  }

  close(): Promise<void> {
    return this.sink.close();
  }
}
