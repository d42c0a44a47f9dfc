import { partitionOf } from '../../transport/partitioner.js';
import type { Assignment } from '../../transport/transport.js';

export { partitionOf } from '../../transport/partitioner.js';

/** The districts an assignment makes this instance the alert writer of. */
export function ownedDistricts(districts: readonly string[], assignment: Assignment | null): Set<string> {
  if (assignment === null || assignment.partitionCount === 0) return new Set();
  const held = new Set(assignment.partitions);
  return new Set(districts.filter((code) => held.has(partitionOf(code, assignment.partitionCount))));
}

/** What a new assignment changed. */
export interface OwnershipChange {
  readonly gained: readonly string[];
  readonly lost: readonly string[];
}

/**
 * Which alert groups this instance writes: the districts whose Kafka partition its consumer holds, and
 * the region's producer group (producers' no-data alerts), which goes with the region's first district so
 * that it too has one writer. Pure state: the engine loads and forgets what the changes name.
 */
export class AlertOwnership {
  private owned = new Set<string>();

  constructor(
    private readonly districts: readonly string[],
    private readonly regionCode: string,
  ) {}

  /** Takes the districts of a new assignment; says which were gained and which lost. */
  reassign(assignment: Assignment | null): OwnershipChange {
    const next = ownedDistricts(this.districts, assignment);
    const gained = [...next].filter((d) => !this.owned.has(d));
    const lost = [...this.owned].filter((d) => !next.has(d));
    this.owned = next;
    return { gained, lost };
  }

  get size(): number {
    return this.owned.size;
  }

  /** The owned districts, in assignment order. */
  list(): string[] {
    return [...this.owned];
  }

  owns(district: string): boolean {
    return this.owned.has(district);
  }

  /** The district whose writer also writes the producer group. */
  get producerOwner(): string {
    return this.districts[0] ?? this.regionCode;
  }

  /** Whether this instance writes the producers' no-data alerts. */
  get ownsProducers(): boolean {
    return this.owned.has(this.producerOwner);
  }

  /** Whether this instance writes the alerts of a group (a district, or the region's producer group). */
  ownsGroup(group: string): boolean {
    return group === this.regionCode ? this.ownsProducers : this.owned.has(group);
  }

  /** The groups that come with some districts: the districts, and the producer group with its owner. */
  groupsOf(districts: readonly string[]): string[] {
    return [...districts, ...(districts.includes(this.producerOwner) ? [this.regionCode] : [])];
  }
}
