import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { AlertOwnership, ownedDistricts, partitionOf } from './ownership.js';

// kafkajs's own Java-compatible murmur2, the hash its DefaultPartitioner applies to a message key.
const require = createRequire(import.meta.url);
const murmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (key: string) => number;
/** What the DefaultPartitioner does for a keyed message (kafkajs `legacy/partitioner.js`, Java's `toPositive`). */
const kafkaPartition = (key: string, partitions: number) => (murmur2(key) & 0x7fffffff) % partitions;

const DISTRICTS = [
  'TN-CHN',
  'TN-MDU',
  'TN-CBE',
  'TN-TRY',
  'TN-SLM',
  'TN-TNV',
  'TN-VLR',
  'TN-ERD',
  'TN-TUT',
  'TN-DGL',
  'TN-KRR',
  'TN-NMK',
  'KA-BLR',
  'MH-MUM',
];

describe('partitionOf', () => {
  it('is the murmur2 of Java Kafka: its published test vectors', () => {
    // org.apache.kafka.common.utils.UtilsTest#testMurmur2
    expect(murmur2('21')).toBe(-973932308);
    expect(murmur2('foobar')).toBe(-790332482);
    expect(murmur2('a-little-bit-long-string')).toBe(-985981536);
    expect(murmur2('abc')).toBe(479470107);
    expect(partitionOf('21', 1000)).toBe((-973932308 & 0x7fffffff) % 1000);
    expect(partitionOf('abc', 7)).toBe(479470107 % 7);
  });

  it.each([1, 2, 3, 6, 12, 32])(
    "equals kafkajs's DefaultPartitioner for a keyed message, %i partitions",
    (count) => {
      for (const key of [...DISTRICTS, 'foobar', 'a-little-bit-longer-string']) {
        const partition = partitionOf(key, count);
        expect(partition, key).toBe(kafkaPartition(key, count));
        expect(partition).toBeGreaterThanOrEqual(0);
        expect(partition).toBeLessThan(count);
      }
    },
  );

  it('spreads the districts over the partitions', () => {
    expect(new Set(DISTRICTS.map((d) => partitionOf(d, 6))).size).toBeGreaterThan(2);
  });
});

describe('ownedDistricts', () => {
  it('splits the districts between two assignments with no overlap and no gap', () => {
    const a = ownedDistricts(DISTRICTS, { partitions: [0, 2, 4], partitionCount: 6 });
    const b = ownedDistricts(DISTRICTS, { partitions: [1, 3, 5], partitionCount: 6 });
    expect(a.size).toBeGreaterThan(0);
    expect(b.size).toBeGreaterThan(0);
    expect([...a].filter((d) => b.has(d))).toEqual([]);
    expect(new Set([...a, ...b])).toEqual(new Set(DISTRICTS));
    for (const d of a) expect([0, 2, 4]).toContain(kafkaPartition(d, 6));
    for (const d of b) expect([1, 3, 5]).toContain(kafkaPartition(d, 6));
  });

  it('gives everything to the holder of every partition', () => {
    expect(ownedDistricts(DISTRICTS, { partitions: [0, 1, 2], partitionCount: 3 })).toEqual(
      new Set(DISTRICTS),
    );
  });

  it('gives nothing without an assignment, with no partitions, or with an empty topic', () => {
    expect(ownedDistricts(DISTRICTS, null).size).toBe(0);
    expect(ownedDistricts(DISTRICTS, { partitions: [], partitionCount: 6 }).size).toBe(0);
    expect(ownedDistricts(DISTRICTS, { partitions: [0], partitionCount: 0 }).size).toBe(0);
  });
});

describe('AlertOwnership', () => {
  const all = { partitions: [0, 1, 2, 3, 4, 5], partitionCount: 6 };
  const even = { partitions: [0, 2, 4], partitionCount: 6 };

  it('says what an assignment gained and lost', () => {
    const ownership = new AlertOwnership(DISTRICTS, 'TN');
    expect(ownership.reassign(all)).toEqual({ gained: DISTRICTS, lost: [] });
    expect(ownership.size).toBe(DISTRICTS.length);
    const change = ownership.reassign(even);
    const kept = [...ownedDistricts(DISTRICTS, even)];
    expect(change.gained).toEqual([]);
    expect(new Set([...change.lost, ...kept])).toEqual(new Set(DISTRICTS));
    expect(ownership.list()).toEqual(kept);
    expect(ownership.reassign(null)).toEqual({ gained: [], lost: kept });
    expect(ownership.size).toBe(0);
  });

  it("writes the producer group with the region's first district", () => {
    const ownership = new AlertOwnership(DISTRICTS, 'TN');
    const first = DISTRICTS[0] ?? '';
    const firstPartition = kafkaPartition(first, 6);
    ownership.reassign({ partitions: [firstPartition], partitionCount: 6 });
    expect(ownership.producerOwner).toBe(first);
    expect(ownership.ownsProducers).toBe(true);
    expect(ownership.ownsGroup('TN')).toBe(true);
    expect(ownership.groupsOf([first, 'X'])).toEqual([first, 'X', 'TN']);

    ownership.reassign({ partitions: [(firstPartition + 1) % 6], partitionCount: 6 });
    expect(ownership.ownsProducers).toBe(false);
    expect(ownership.ownsGroup('TN')).toBe(false);
    expect(ownership.ownsGroup(first)).toBe(false);
    expect(ownership.groupsOf(['X'])).toEqual(['X']);
  });

  it('gives the producer group to the region itself when it has no district', () => {
    const ownership = new AlertOwnership([], 'TN');
    expect(ownership.producerOwner).toBe('TN');
    expect(ownership.ownsGroup('TN')).toBe(false);
  });
});
