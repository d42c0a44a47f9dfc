import { setTimeout as delay } from 'node:timers/promises';
import type { Region } from '@district-monitor/streams';
import { describe, expect, it, vi } from 'vitest';
import type { Database, Transaction } from '../database/database.js';
import { AggregateRefresher } from './aggregate-refresher.js';

const REGION = { timeZone: 'Asia/Kolkata' } as Region;
const REFRESH_MS = 30;

/**
 * A TimescaleDB stand-in that always has one queued day: each drain reads it, refreshes the aggregates
 * over it (taking REFRESH_MS) and deletes it. Records when each drain started and ended.
 */
function fakeTimescale(): { db: Database; drains: { start: number; end: number }[] } {
  const drains: { start: number; end: number }[] = [];
  const query = async (sql: string): Promise<{ rows: never[] }> => {
    if (sql.includes('FROM aggregate_refresh_queue GROUP BY day')) {
      drains.push({ start: Date.now(), end: Number.NaN });
      const row = { ids: [drains.length], start: '2026-11-20T00:00:00Z', finish: '2026-11-21T00:00:00Z' };
      return { rows: [row] as never[] };
    }
    if (sql.startsWith('CALL refresh_continuous_aggregate')) await delay(REFRESH_MS);
    if (sql.startsWith('DELETE FROM aggregate_refresh_queue')) {
      const last = drains.at(-1);
      if (last !== undefined) last.end = Date.now();
    }
    return { rows: [] };
  };
  const db: Database = {
    info: { kind: 'pglite', timescaledb: '2.23.0' },
    query,
    transaction: <T>(work: (tx: Transaction) => Promise<T>) => work({ query } as unknown as Transaction),
    close: () => Promise.resolve(),
  };
  return { db, drains };
}

describe('AggregateRefresher', () => {
  it('spaces drains while batches arrive: one at once, then one after the gap for every batch between', async () => {
    const { db, drains } = fakeTimescale();
    const refresher = new AggregateRefresher(db, REGION, { aggregateRefreshMs: 150 });
    refresher.batchCommitted();
    // Five batches during the first drain, five after it: all wait for the second.
    for (let i = 0; i < 5; i++) refresher.batchCommitted();
    await refresher.settle();
    expect(drains).toHaveLength(1);
    for (let i = 0; i < 5; i++) refresher.batchCommitted();
    await vi.waitFor(
      () => {
        expect(drains.filter((d) => !Number.isNaN(d.end))).toHaveLength(2);
      },
      {
        timeout: 2_000,
        interval: 10,
      },
    );
    await refresher.settle();
    const [first, second] = drains;
    if (first === undefined || second === undefined) throw new Error('two drains expected');
    expect(second.start - first.end).toBeGreaterThanOrEqual(150 - 5);
    // No batch came during the second drain: no third.
    await delay(400);
    expect(drains).toHaveLength(2);
    refresher.onModuleDestroy();
  });

  it('makes the gap at least twice the last drain', async () => {
    const { db, drains } = fakeTimescale();
    const refresher = new AggregateRefresher(db, REGION, { aggregateRefreshMs: 1 });
    refresher.batchCommitted();
    await delay(5);
    refresher.batchCommitted();
    await vi.waitFor(
      () => {
        expect(drains).toHaveLength(2);
      },
      { timeout: 2_000, interval: 5 },
    );
    const [first, second] = drains;
    if (first === undefined || second === undefined) throw new Error('two drains expected');
    expect(second.start - first.end).toBeGreaterThanOrEqual(2 * (first.end - first.start) - 5);
    await refresher.settle();
    refresher.onModuleDestroy();
  });

  it('drain() refreshes at once inside the gap and takes over the waiting drain', async () => {
    const { db, drains } = fakeTimescale();
    const refresher = new AggregateRefresher(db, REGION, { aggregateRefreshMs: 10_000 });
    refresher.batchCommitted();
    await refresher.settle();
    refresher.batchCommitted(); // waits for the 10 s gap
    const before = Date.now();
    await refresher.drain();
    expect(drains).toHaveLength(2);
    expect(Date.now() - before).toBeLessThan(2_000);
    await delay(50);
    expect(drains).toHaveLength(2);
    refresher.onModuleDestroy();
  });

  it('settle() waits for the drain in progress and cancels the spaced one (shutdown)', async () => {
    const { db, drains } = fakeTimescale();
    const refresher = new AggregateRefresher(db, REGION, { aggregateRefreshMs: 100 });
    refresher.batchCommitted();
    refresher.batchCommitted(); // during the drain: one more is spaced after it
    await refresher.settle();
    expect(drains).toHaveLength(1);
    await delay(300);
    expect(drains).toHaveLength(1);
  });

  it('without a configuration drains right after each batch, as before', async () => {
    const { db, drains } = fakeTimescale();
    const refresher = new AggregateRefresher(db, REGION);
    for (let i = 0; i < 3; i++) {
      refresher.batchCommitted();
      await refresher.settle();
    }
    expect(drains).toHaveLength(3);
  });
});
