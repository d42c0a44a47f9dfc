import { Kafka, logLevel } from 'kafkajs';
import { topicNames, type MonitorEvent } from '@district-monitor/streams';
import { loadConfig } from '../config/app-config.js';
import { PostgresDatabase } from '../database/postgres.repository.js';
import { rawCopy } from './raw-copy.js';

/**
 * The replay section's floor, run as its own process as the backend is: a kafkajs consumer with the
 * ingest path's settings (`KAFKA_*`, `DATABASE_URL`) that only parses each message and COPYs each batch
 * raw into the database (bench/raw-copy.ts): no validation, no idempotency, no amendments, no counts, no
 * features. The messages are the bench's own replay of a file, so they are parsed without the schema.
 * Prints `ready` once it has joined its group; stops on SIGTERM.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const kafka = config.kafka;
  if (kafka === undefined || config.databaseUrl === undefined)
    throw new Error('copy-consumer needs KAFKA_BROKERS and DATABASE_URL');
  const db = await PostgresDatabase.open(config.databaseUrl);
  const tuning = kafka.consumer;
  const consumer = new Kafka({
    clientId: 'bench-copy-consumer',
    brokers: [...kafka.brokers],
    logLevel: logLevel.ERROR,
  }).consumer({
    groupId: kafka.groupId,
    maxWaitTimeInMs: tuning.maxWaitTimeMs,
    minBytes: tuning.minBytes,
    maxBytes: tuning.maxBytes,
    maxBytesPerPartition: tuning.maxBytesPerPartition,
  });
  consumer.on(consumer.events.GROUP_JOIN, () => process.stdout.write('ready\n'));
  process.once('SIGTERM', () => {
    consumer
      .disconnect()
      .then(() => db.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
  });
  const names = topicNames(kafka.topicPrefix);
  await consumer.connect();
  await consumer.subscribe({ topics: [names.incident, names.accident], fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: tuning.partitionsConcurrently,
    eachBatch: async ({ batch }) => {
      const events = batch.messages.flatMap((message) =>
        message.value === null ? [] : [JSON.parse(message.value.toString()) as MonitorEvent],
      );
      await rawCopy(db, events);
    },
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
