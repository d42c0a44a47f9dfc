import type { BatchSummary, BoardSnapshot } from '@district-monitor/streams';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { useBoardStore } from './board';

const T = Date.parse('2024-05-01T10:00:30Z');
const snapshot: BoardSnapshot = {
  at: new Date(T).toISOString(),
  region: { code: 'TN', name: 'Tamil Nadu', timeZone: 'Asia/Kolkata' },
  districts: [
    { code: 'TN-CHN', name: 'Chennai' },
    { code: 'TN-MDU', name: 'Madurai' },
    { code: 'TN-ARI', name: 'Ariyalur' },
  ],
  windowHours: 24,
  countsByDistrict: { 'TN-CHN': 5, 'TN-MDU': 9 },
  minutes: [{ minute: '2024-05-01T10:00:00.000Z', count: 14 }],
  totalStored: 100,
};
const batch = (at: number, byDistrict: Record<string, number>): BatchSummary => {
  const stored = Object.values(byDistrict).reduce((a, b) => a + b, 0);
  return {
    at: new Date(at).toISOString(),
    transport: 'kafka',
    stored,
    duplicates: 1,
    deadLettered: 2,
    byDistrict,
    byCategory: {},
  };
};

describe('board store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('takes the snapshot whole: districts ranked by count, zero for a district without events', () => {
    const board = useBoardStore();
    board.applySnapshot(snapshot, T);
    expect(board.districtCounts.map((d) => [d.code, d.count])).toEqual([
      ['TN-MDU', 9],
      ['TN-CHN', 5],
      ['TN-ARI', 0],
    ]);
    expect(board.totalStored).toBe(100);
    expect(board.minutes.at(-1)?.count).toBe(14);
  });

  it('adds batch deltas on the next tick, and skips batches already inside the snapshot', () => {
    const board = useBoardStore();
    board.setConnection('live');
    board.applySnapshot(snapshot, T);
    board.applyBatch(batch(T - 1_000, { 'TN-CHN': 50 }), T + 100);
    board.applyBatch(batch(T + 1_000, { 'TN-ARI': 7, 'TN-CHN': 1 }), T + 1_100);
    expect(board.totalStored).toBe(100); // not published until the tick
    board.tick(T + 2_000);
    expect(board.districtCounts.map((d) => [d.code, d.count])).toEqual([
      ['TN-MDU', 9],
      ['TN-ARI', 7],
      ['TN-CHN', 6],
    ]);
    expect(board.totalStored).toBe(108);
    expect(board.minutes.at(-1)?.count).toBe(22);
    expect(board.sinceLoad).toEqual({ stored: 58, duplicates: 2, deadLettered: 4 });
  });

  it('replaces rather than replays on a reconnect snapshot', () => {
    const board = useBoardStore();
    board.applySnapshot(snapshot, T);
    board.applyBatch(batch(T + 1_000, { 'TN-CHN': 3 }), T + 1_000);
    board.applySnapshot({ ...snapshot, at: new Date(T + 5_000).toISOString(), totalStored: 103 }, T + 5_000);
    expect(board.totalStored).toBe(103);
    expect(board.districtCounts.find((d) => d.code === 'TN-CHN')?.count).toBe(5);
  });
});
