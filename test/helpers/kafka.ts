import { Kafka, logLevel, Partitioners, type IHeaders, type Producer } from 'kafkajs';
import { topicNames, type TopicNames } from '@district-monitor/streams';
import { requireEnv, uniqueName, waitFor } from './services.js';

/** A client of the shared broker, or of `brokers` (a broker of the test's own). */
export const kafka = (brokers = requireEnv('KAFKA_BROKERS')): Kafka =>
  new Kafka({
    clientId: 'integration-tests',
    brokers: brokers.split(','),
    logLevel: logLevel.ERROR,
  });

/**
 * Creates the four topics under a prefix unique to this test: incidents and accidents with 6 partitions.
 * `deadLetterConfig`: topic settings of the two dead-letter topics (for example a small `max.message.bytes`).
 */
export async function createTopics(
  deadLetterConfig: Readonly<Record<string, string>> = {},
  brokers?: string,
): Promise<{ prefix: string; topics: TopicNames }> {
  const prefix = `${uniqueName('it-')}-`;
  const topics = topicNames(prefix);
  const configEntries = Object.entries(deadLetterConfig).map(([name, value]) => ({ name, value }));
  const admin = kafka(brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: topics.incident, numPartitions: 6 },
        { topic: topics.accident, numPartitions: 6 },
        { topic: topics.incidentDeadLetter, numPartitions: 1, configEntries },
        { topic: topics.accidentDeadLetter, numPartitions: 1, configEntries },
      ],
    });
    // A broker started seconds ago can still answer a metadata request for the new topics with "This
    // server does not host this topic-partition" (it failed the first two fault tests of a clean clone):
    // the topics are ready when their metadata is served.
    const names = [topics.incident, topics.accident, topics.incidentDeadLetter, topics.accidentDeadLetter];
    await waitFor(`metadata of ${names.join(', ')}`, async () => {
      const { topics: served } = await admin.fetchTopicMetadata({ topics: names });
      return served.every((topic) => topic.partitions.every((partition) => partition.leader >= 0))
        ? true
        : undefined;
    });
  } finally {
    await admin.disconnect();
  }
  return { prefix, topics };
}

export interface OutboundMessage {
  topic: string;
  key: string | null;
  value: string | Buffer | null;
}

/** Produces with an idempotent producer in chunks; resolves when the broker acknowledged everything. */
export async function produce(messages: readonly OutboundMessage[], producer?: Producer): Promise<void> {
  const own =
    producer ??
    kafka().producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
    });
  if (producer === undefined) await own.connect();
  try {
    for (let i = 0; i < messages.length; i += 2_000) {
      const chunk = messages.slice(i, i + 2_000);
      const byTopic = new Map<string, OutboundMessage[]>();
      for (const message of chunk)
        byTopic.set(message.topic, [...(byTopic.get(message.topic) ?? []), message]);
      await own.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, list]) => ({
          topic,
          messages: list.map(({ key, value }) => ({ key, value })),
        })),
      });
    }
  } finally {
    if (producer === undefined) await own.disconnect();
  }
}

export interface ReadMessage {
  topic: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** Reads a topic from the beginning until `count` messages arrived (and a short grace for extras). */
export async function readTopic(topic: string, count: number, timeoutMs = 60_000): Promise<ReadMessage[]> {
  const consumer = kafka().consumer({ groupId: uniqueName('reader-') });
  const seen: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        seen.push({
          topic,
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          headers: decodeHeaders(message.headers),
        });
        return Promise.resolve();
      },
    });
    await waitFor(
      `${count} messages on ${topic} (have ${seen.length})`,
      () => (seen.length >= count ? true : undefined),
      {
        timeoutMs,
      },
    );
    // Anything beyond `count` would be a duplicate the caller must see.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined)
      out[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return out;
}
