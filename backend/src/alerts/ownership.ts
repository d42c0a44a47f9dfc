import { Partitioners } from 'kafkajs';
import type { Assignment } from '../transport/transport.js';

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

/** The districts an assignment makes this instance the alert writer of. */
export function ownedDistricts(districts: readonly string[], assignment: Assignment | null): Set<string> {
  if (assignment === null || assignment.partitionCount === 0) return new Set();
  const held = new Set(assignment.partitions);
  return new Set(districts.filter((code) => held.has(partitionOf(code, assignment.partitionCount))));
}
