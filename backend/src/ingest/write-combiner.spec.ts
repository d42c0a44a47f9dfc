import { readFileSync } from 'node:fs';
import { parseRegion, type MonitorEvent } from '@district-monitor/streams';
import { createSimulator } from '@district-monitor/streams/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CountChange, InsertResult } from '../database/event-store.repository.js';
import { EventStoreRepository } from '../database/event-store.repository.js';
import { bucketContext, migrate } from '../database/migrate.js';
import { PgliteDatabase } from '../database/pglite.repository.js';
import { WriteCombiner, type GroupStore } from './write-combiner.js';

const region = parseRegion(
  JSON.parse(readFileSync(new URL('../../../data/regions/tamil-nadu.json', import.meta.url), 'utf8')),
  'tamil-nadu.json',
);
const simulator = createSimulator({ region, ratePerSecond: 1, seed: 5 });
const base = Date.parse('2026-03-02T08:00:00Z');
let serial = 0;
/** `size` distinct events. */
function batch(size: number): MonitorEvent[] {
  return simulator.burst(size, base).map((event) => ({ ...event, eventId: `ev-${serial++}` }));
}

/** Whatever the store was given, reported as stored (one +1 per event), so each result names its batch. */
function storedAll(events: readonly MonitorEvent[]): InsertResult {
  return {
    stored: events.map((event) => ({
      eventId: event.eventId,
      district: event.district,
      category: event.category,
      occurredAt: new Date(base),
      amends: null,
      counts: true,
    })),
    changes: [],
  };
}

interface Call {
  readonly sizes: number[];
  /** Settles this call's transaction: commits it, or fails it with the error. */
  finish(error?: Error): void;
}

/** A store whose transactions end only when the test says so, recording what each was given. */
function heldStore(): { store: GroupStore; calls: Call[]; log: string[] } {
  const calls: Call[] = [];
  const log: string[] = [];
  const hold = (batches: readonly (readonly MonitorEvent[])[]) =>
    new Promise<InsertResult[]>((resolve, reject) => {
      const index = calls.length;
      calls.push({
        sizes: batches.map((events) => events.length),
        finish: (error) => {
          log.push(`transaction ${index} ${error === undefined ? 'committed' : 'failed'}`);
          if (error === undefined) resolve(batches.map(storedAll));
          else reject(error);
        },
      });
    });
  return {
    calls,
    log,
    store: {
      insert: async (events) => {
        const [result] = await hold([events]);
        if (result === undefined) throw new Error('no result');
        return result;
      },
      insertGroup: hold,
    },
  };
}

/** Lets every settled promise's callbacks run. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

function dataError(): Error & { code: string } {
  return Object.assign(new Error('value too long for type'), { code: '22001' });
}

describe('WriteCombiner (group commit)', () => {
  it('stores the batches queued while the writer is busy in one transaction, each getting its own result', async () => {
    const { store, calls } = heldStore();
    const combiner = new WriteCombiner(store, { writers: 1, maxGroupEvents: 1_000 });
    const [a, b, c, d] = [batch(3), batch(4), batch(5), batch(6)];
    const first = combiner.write(a);
    const rest = [combiner.write(b), combiner.write(c), combiner.write(d)];
    await flush();
    expect(calls.map((call) => call.sizes)).toEqual([[3]]);
    expect(combiner.waiting).toBe(3);
    calls[0]?.finish();
    expect((await first).stored.map((event) => event.eventId)).toEqual(a.map((event) => event.eventId));
    await flush();
    expect(calls.map((call) => call.sizes)).toEqual([[3], [4, 5, 6]]);
    calls[1]?.finish();
    const results = await Promise.all(rest);
    expect(results.map((result) => result.stored.map((event) => event.eventId))).toEqual(
      [b, c, d].map((events) => events.map((event) => event.eventId)),
    );
  });

  it('settles no batch before its group transaction has committed, and groups in arrival order', async () => {
    const { store, calls, log } = heldStore();
    const combiner = new WriteCombiner(store, { writers: 1, maxGroupEvents: 1_000 });
    const names = ['a', 'b', 'c'];
    const writes = names.map((name) =>
      combiner.write(batch(2)).then(() => {
        log.push(`batch ${name} settled`);
      }),
    );
    await flush();
    expect(log).toEqual([]);
    calls[0]?.finish();
    await flush();
    expect(log).toEqual(['transaction 0 committed', 'batch a settled']);
    calls[1]?.finish();
    await Promise.all(writes);
    expect(log).toEqual([
      'transaction 0 committed',
      'batch a settled',
      'transaction 1 committed',
      'batch b settled',
      'batch c settled',
    ]);
  });

  it('fails every batch of the group with the error of its transaction, and none is resolved', async () => {
    const { store, calls } = heldStore();
    const combiner = new WriteCombiner(store, { writers: 1, maxGroupEvents: 1_000 });
    const first = combiner.write(batch(1));
    const group = [combiner.write(batch(2)), combiner.write(batch(3))];
    await flush();
    calls[0]?.finish();
    await first;
    await flush();
    const down = new Error('connection terminated');
    calls[1]?.finish(down);
    const settled = await Promise.allSettled(group);
    expect(settled).toEqual([
      { status: 'rejected', reason: down },
      { status: 'rejected', reason: down },
    ]);
    // The writer goes on with what comes next.
    const after = combiner.write(batch(1));
    await flush();
    calls[2]?.finish();
    await expect(after).resolves.toMatchObject({ stored: [{}] });
  });

  it("after a data exception writes the group's batches one by one, so only the refused value's batch fails", async () => {
    const { store, calls } = heldStore();
    const combiner = new WriteCombiner(store, { writers: 1, maxGroupEvents: 1_000 });
    const first = combiner.write(batch(1));
    const group = [combiner.write(batch(2)), combiner.write(batch(3)), combiner.write(batch(4))];
    const outcomes = Promise.allSettled(group);
    await flush();
    calls[0]?.finish();
    await first;
    await flush();
    const refused = dataError();
    calls[1]?.finish(refused);
    // Then each batch alone, in order: the second holds the refused value.
    for (const [index, error] of [undefined, refused, undefined].entries()) {
      await flush();
      expect(calls[2 + index]?.sizes).toEqual([2 + index]);
      calls[2 + index]?.finish(error);
    }
    const settled = await outcomes;
    expect(settled.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(settled[1]).toEqual({ status: 'rejected', reason: refused });
  });

  it('bounds a group in events: the queue is taken in order while it fits; a larger batch goes alone', async () => {
    const { store, calls } = heldStore();
    const combiner = new WriteCombiner(store, { writers: 1, maxGroupEvents: 5 });
    const writes = [3, 3, 2, 7, 1, 4].map((size) => combiner.write(batch(size)));
    for (let i = 0; i < 4; i++) {
      await flush();
      calls[i]?.finish();
    }
    await Promise.all(writes);
    expect(calls.map((call) => call.sizes)).toEqual([[3], [3, 2], [7], [1, 4]]);
  });

  it('runs as many group transactions at once as it has writers', async () => {
    const { store, calls } = heldStore();
    const combiner = new WriteCombiner(store, { writers: 2, maxGroupEvents: 100 });
    const writes = [1, 2, 3, 4].map((size) => combiner.write(batch(size)));
    await flush();
    expect(calls.map((call) => call.sizes)).toEqual([[1], [2]]);
    calls[1]?.finish();
    await flush();
    expect(calls.map((call) => call.sizes)).toEqual([[1], [2], [3, 4]]);
    calls[0]?.finish();
    calls[2]?.finish();
    await Promise.all(writes);
  });

  it('settles an empty batch at once without a transaction, and refuses bad options', async () => {
    const { store, calls } = heldStore();
    await expect(new WriteCombiner(store, { writers: 1, maxGroupEvents: 1 }).write([])).resolves.toEqual({
      stored: [],
      changes: [],
    });
    expect(calls).toEqual([]);
    expect(() => new WriteCombiner(store, { writers: 0, maxGroupEvents: 1 })).toThrow(/writers/);
    expect(() => new WriteCombiner(store, { writers: 1, maxGroupEvents: 0.5 })).toThrow(/maxGroupEvents/);
  });
});

describe('a group written in one transaction on PGlite with TimescaleDB', () => {
  let db: PgliteDatabase;
  let store: EventStoreRepository;
  beforeAll(async () => {
    db = await PgliteDatabase.open('memory://');
    await migrate(db, bucketContext(region));
    store = new EventStoreRepository(db);
  });
  afterAll(() => db.close());

  /** Net events per district and category. */
  const net = (changes: readonly CountChange[]) => {
    const totals = new Map<string, number>();
    for (const c of changes) {
      const key = `${c.district}/${c.category}`;
      totals.set(key, (totals.get(key) ?? 0) + c.events);
    }
    return Object.fromEntries([...totals].filter(([, events]) => events !== 0).sort());
  };

  it('gives each batch its own events and changes, and the same net counts as storing them one by one', async () => {
    const events = createSimulator({ region, ratePerSecond: 1, seed: 33 }).burst(60, base);
    const [x, y, z] = [events.slice(0, 20), events.slice(20, 40), events.slice(40)];
    const old = x[0];
    const renamed = y[0];
    if (old === undefined || renamed === undefined) throw new Error('no events');
    // Stored before the group: an event a later batch corrects.
    const before = await store.insert([old]);
    expect(before.stored).toHaveLength(1);
    const correction: MonitorEvent = {
      ...renamed,
      eventId: 'fix-1',
      amends: old.eventId,
      district: 'TN-MDU',
    };
    // x repeats the stored event, z repeats one of y (a duplicate there), y carries the correction.
    const batches = [x, [...y, correction], [...z, renamed]];
    const results = await store.insertGroup(batches);

    expect(results.map((result) => result.stored.length)).toEqual([19, 21, 20]);
    expect(results[1]?.stored.some((event) => event.eventId === 'fix-1')).toBe(true);
    expect(results[2]?.stored.some((event) => event.eventId === renamed.eventId)).toBe(false);
    // The corrected event's -1 belongs to the batch holding the correction.
    expect(results[1]?.changes.filter((c) => c.events < 0)).toEqual([
      expect.objectContaining({ district: old.district, category: old.category, events: -1 }),
    ]);
    expect(results[0]?.changes.every((c) => c.events > 0)).toBe(true);

    // The same batches one by one, into a second database: the same net counts and the same rows.
    const other = await PgliteDatabase.open('memory://');
    try {
      await migrate(other, bucketContext(region));
      const alone = new EventStoreRepository(other);
      const sequential = [await alone.insert([old])];
      for (const events of batches) sequential.push(await alone.insert(events));
      expect(net(results.flatMap((result) => result.changes))).toEqual(
        net(sequential.slice(1).flatMap((result) => result.changes)),
      );
      const rows = async (database: PgliteDatabase) =>
        (
          await database.query<{ event_id: string; superseded_by: string | null }>(
            `SELECT event_id, superseded_by FROM event_ids ORDER BY event_id`,
          )
        ).rows;
      expect(await rows(db)).toEqual(await rows(other));
    } finally {
      await other.close();
    }
  });
});
