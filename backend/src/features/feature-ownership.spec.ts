import { describe, expect, it } from 'vitest';
import { ownedDistricts } from '../alerts/engine/ownership.js';
import type { Assignment } from '../transport/transport.js';
import { FeatureOwnership, type Aggregates, type Cubes } from './feature-ownership.js';

const CODES = ['TN-CHN', 'TN-MDU', 'TN-CBE', 'TN-TNV', 'TN-VLR', 'TN-KKI', 'TN-SLM', 'TN-TRY'];

/** Records the order of what happens: drains, reloads (with their districts), batches. */
class Journal implements Cubes, Aggregates {
  readonly steps: string[] = [];
  readonly districtCodes = CODES;
  failures = 0;
  reloadGate: Promise<void> = Promise.resolve();

  drain(): Promise<void> {
    this.steps.push('drain');
    return Promise.resolve();
  }

  async reload(codes: readonly string[]): Promise<number> {
    await this.reloadGate;
    if (this.failures > 0) {
      this.failures--;
      this.steps.push('reload failed');
      throw new Error('connection refused');
    }
    this.steps.push(`reload ${[...codes].sort().join(',')}`);
    return codes.length * 10;
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function kafkaSource() {
  const listeners: ((assignment: Assignment | null) => void)[] = [];
  return {
    kind: 'kafka' as const,
    onAssignment(listener: (assignment: Assignment | null) => void) {
      listeners.push(listener);
    },
    assign(assignment: Assignment | null) {
      for (const listener of listeners) listener(assignment);
    },
  };
}

describe('FeatureOwnership', () => {
  it('lets batches through at once on the in-process transport, and reloads nothing', async () => {
    const journal = new Journal();
    const ownership = new FeatureOwnership(journal, journal);
    ownership.follow({ kind: 'in-process', onAssignment: () => undefined });
    await ownership.run(() => {
      journal.steps.push('batch');
      return Promise.resolve();
    });
    expect(journal.steps).toEqual(['batch']);
    expect(ownership.health().gateClosed).toBe(false);
  });

  it('holds batches until the districts of the first assignment are reloaded, after a drain of the aggregates', async () => {
    const journal = new Journal();
    const ownership = new FeatureOwnership(journal, journal);
    const source = kafkaSource();
    ownership.follow(source);
    const batch = ownership.run(() => {
      journal.steps.push('batch');
      return Promise.resolve('done');
    });
    await tick();
    expect(journal.steps).toEqual([]);
    const assignment = { partitions: [0, 2], partitionCount: 4 };
    source.assign(assignment);
    expect(await batch).toBe('done');
    const owned = [...ownedDistricts(CODES, assignment)].sort();
    expect(owned.length).toBeGreaterThan(0);
    expect(owned.length).toBeLessThan(CODES.length);
    expect(journal.steps).toEqual(['drain', `reload ${owned.join(',')}`, 'batch']);
    expect(ownership.health()).toMatchObject({
      gateClosed: false,
      reloads: 1,
      reloadedDistricts: owned.length,
      lastReload: { districts: owned.length, rows: owned.length * 10 },
    });
  });

  it('reloads only after the batch in hand has finished, and before the next one', async () => {
    const journal = new Journal();
    const ownership = new FeatureOwnership(journal, journal);
    const source = kafkaSource();
    ownership.follow(source);
    source.assign({ partitions: [0], partitionCount: 2 });
    await ownership.run(() => Promise.resolve());
    journal.steps.length = 0;
    const inHand = deferred();
    const first = ownership.run(async () => {
      journal.steps.push('batch 1 starts');
      await inHand.promise;
      journal.steps.push('batch 1 committed');
    });
    await tick();
    // A rebalance: this replica now holds both partitions.
    source.assign(null);
    source.assign({ partitions: [0, 1], partitionCount: 2 });
    const second = ownership.run(() => {
      journal.steps.push('batch 2');
      return Promise.resolve();
    });
    await tick();
    expect(journal.steps).toEqual(['batch 1 starts']);
    inHand.resolve();
    await Promise.all([first, second]);
    expect(journal.steps).toEqual([
      'batch 1 starts',
      'batch 1 committed',
      'drain',
      `reload ${[...CODES].sort().join(',')}`,
      'batch 2',
    ]);
  });

  it('keeps batches waiting while a reload fails, and retries it', async () => {
    const journal = new Journal();
    journal.failures = 1;
    const ownership = new FeatureOwnership(journal, journal);
    const source = kafkaSource();
    ownership.follow(source);
    source.assign({ partitions: [1], partitionCount: 2 });
    await ownership.run(() => {
      journal.steps.push('batch');
      return Promise.resolve();
    });
    const owned = [...ownedDistricts(CODES, { partitions: [1], partitionCount: 2 })].sort();
    expect(journal.steps).toEqual(['drain', 'reload failed', 'drain', `reload ${owned.join(',')}`, 'batch']);
    expect(ownership.health().lastError).toBeNull();
  });

  it('skips a reload that a newer assignment replaced before it ran', async () => {
    const journal = new Journal();
    const slow = deferred();
    journal.reloadGate = slow.promise;
    const ownership = new FeatureOwnership(journal, journal);
    const source = kafkaSource();
    ownership.follow(source);
    source.assign({ partitions: [0], partitionCount: 2 });
    await tick();
    source.assign(null);
    source.assign({ partitions: [1], partitionCount: 2 });
    const batch = ownership.run(() => {
      journal.steps.push('batch');
      return Promise.resolve();
    });
    slow.resolve();
    await batch;
    const first = [...ownedDistricts(CODES, { partitions: [0], partitionCount: 2 })].sort();
    const second = [...ownedDistricts(CODES, { partitions: [1], partitionCount: 2 })].sort();
    // The first reload was under way already; the gate opened only after the second one.
    expect(journal.steps).toEqual([
      'drain',
      `reload ${first.join(',')}`,
      'drain',
      `reload ${second.join(',')}`,
      'batch',
    ]);
  });
});
