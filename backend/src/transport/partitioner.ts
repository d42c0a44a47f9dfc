import { Partitioners } from 'kafkajs';

const partitioner = Partitioners.DefaultPartitioner();

/**
 * The partition a district's events land on: producers key every event by its district and use the
 * Java-compatible default partitioner (murmur2 of the key modulo the partition count), so the district
 * belongs to whoever holds that partition of the incident topic.
 */
export function partitionOf(district: string, partitionCount: number): number {
  return partitioner({
    topic: 'incidents',
    partitionMetadata: Array.from({ length: partitionCount }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      replicas: [0],
      isr: [0],
      partitionErrorCode: 0,
    })),
    message: { key: district, value: null },
  });
}
