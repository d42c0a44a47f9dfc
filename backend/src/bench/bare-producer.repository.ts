import { Kafka, logLevel, Partitioners } from 'kafkajs';

/**
 * The replay bench's baseline: an idempotent kafkajs producer sending already-encoded messages in
 * batches of the same size the replay uses, with nothing else to do. Returns seconds taken.
 */
export async function bareProduceLoop(
  brokers: readonly string[],
  batches: readonly { topic: string; messages: { key: string; value: string }[] }[][],
): Promise<number> {
  const producer = new Kafka({
    clientId: 'bench-producer',
    brokers: [...brokers],
    logLevel: logLevel.ERROR,
  }).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const started = performance.now();
  for (const topicMessages of batches) await producer.sendBatch({ acks: -1, topicMessages });
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  return seconds;
}
