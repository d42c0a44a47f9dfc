import { partitionOf } from '../transport/partitioner.js';
import type { Assignment } from '../transport/transport.js';

export { partitionOf } from '../transport/partitioner.js';

/** The districts an assignment makes this instance the alert writer of. */
export function ownedDistricts(districts: readonly string[], assignment: Assignment | null): Set<string> {
  if (assignment === null || assignment.partitionCount === 0) return new Set();
  const held = new Set(assignment.partitions);
  return new Set(districts.filter((code) => held.has(partitionOf(code, assignment.partitionCount))));
}
