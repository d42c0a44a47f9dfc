import { Kafka, logLevel } from 'kafkajs';
import type { KafkaConfig } from '../config/app-config.js';

/**
 * The benchmark's baseline: the same kafkajs consumer settings as the ingest path (eachBatch and the
 * fetch settings of `config.consumer`), doing nothing but counting. Returns seconds from the
 * first batch to the `count`-th message.
 */
export async function bareConsumeLoop(config: KafkaConfig, topics: string[], count: number): Promise<number> {
  const kafka = new Kafka({
    clientId: 'bench-baseline',
    brokers: [...config.brokers],
    logLevel: logLevel.ERROR,
  });
  const tuning = config.consumer;
  const consumer = kafka.consumer({
    groupId: config.groupId,
    maxWaitTimeInMs: tuning.maxWaitTimeMs,
    minBytes: tuning.minBytes,
    maxBytes: tuning.maxBytes,
    maxBytesPerPartition: tuning.maxBytesPerPartition,
  });
  let seen = 0;
  let first: number | undefined;
  let finish: (seconds: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: tuning.partitionsConcurrently,
    eachBatch: ({ batch }) => {
      first ??= performance.now();
      seen += batch.messages.length;
      if (seen >= count) finish((performance.now() - first) / 1000);
      return Promise.resolve();
    },
  });
  const seconds = await finished;
  await consumer.disconnect();
  return seconds;
}
