import type { BatchSummary, BoardSnapshot, DistrictFeatures } from '@district-monitor/streams';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { NO_DATA_MINUTES, useBoardStore } from './board';

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
  // Madurai reported 2 min before the snapshot, Chennai 61 min before; Ariyalur nothing in 7 days.
  lastReportedAt: {
    'TN-MDU': new Date(T - 2 * 60_000).toISOString(),
    'TN-CHN': new Date(T - 61 * 60_000).toISOString(),
  },
  usualHourlyRate: {},
  simulation: {
    simulated: false,
    ratePerSecond: null,
    eventsPerYear: null,
    rateSource: null,
    backfill: {
      state: 'off',
      reason: 'BACKFILL_DAYS=0',
      from: null,
      until: null,
      reached: null,
      events: 0,
      expectedEvents: 0,
      fraction: 0,
      eventsPerSecond: null,
    },
    firstModel: 'none',
  },
};
const batch = (
  at: number,
  byDistrict: Record<string, number>,
  newestReportedByDistrict: Record<string, string> = {},
): BatchSummary => {
  const stored = Object.values(byDistrict).reduce((a, b) => a + b, 0);
  return {
    at: new Date(at).toISOString(),
    transport: 'kafka',
    stored,
    duplicates: 1,
    deadLettered: 2,
    byDistrict,
    byCategory: {},
    newestReportedByDistrict,
  };
};
const codes = (units: readonly { code: string }[]) => units.map((unit) => unit.code);

/** Only what the no-data test reads: the last 24 hours' expected incidents and road accidents. */
const usualDay = (district: string, incidents: number, accidents: number): DistrictFeatures =>
  ({
    district,
    incidents: { baseline: { day: { expected: incidents } } },
    categories: { road_accident: { baseline: { day: { expected: accidents } } } },
  }) as unknown as DistrictFeatures;

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

  it('derives feed lag and the districts with no data from the snapshot', () => {
    expect(NO_DATA_MINUTES).toBe(60);
    const board = useBoardStore();
    expect(board.feedLagMs).toBeNull();
    board.applySnapshot(snapshot, T);
    expect(board.feedLagMs).toBe(2 * 60_000);
    expect(codes(board.noDataDistricts)).toEqual(['TN-CHN', 'TN-ARI']);
  });

  it('counts a district as reported at its own newest reportedAt in the batch', () => {
    const board = useBoardStore();
    board.applySnapshot(snapshot, T);
    board.applyBatch(
      batch(T + 1_000, { 'TN-CHN': 2 }, { 'TN-CHN': new Date(T + 500).toISOString() }),
      T + 1_000,
    );
    board.tick(T + 3_000);
    expect(board.feedLagMs).toBe(2_500);
    expect(codes(board.noDataDistricts)).toEqual(['TN-ARI']);
  });

  it('leaves out a silent district whose usual rate explains the silence, from the snapshot or its features', () => {
    const board = useBoardStore();
    // Chennai usually sends 0.5 an hour, as the snapshot says: 61 silent minutes are likely (P 60%).
    board.applySnapshot({ ...snapshot, usualHourlyRate: { 'TN-CHN': 0.5 } }, T);
    expect(codes(board.noDataDistricts)).toEqual(['TN-ARI']);
    // Without the rate, 60 minutes alone decide.
    board.applySnapshot(snapshot, T);
    expect(codes(board.noDataDistricts)).toEqual(['TN-CHN', 'TN-ARI']);
    // Chennai: 61 min silent. At 2 events an hour P(silence) = exp(-2.03) = 13%: quiet, not silent.
    board.applyFeatures([usualDay('TN-CHN', 36, 12)]);
    board.tick(T);
    expect(codes(board.noDataDistricts)).toEqual(['TN-ARI']);
    // At 24 an hour, 61 silent minutes are a 1 in 4e10 chance: no data.
    board.applyFeatures([usualDay('TN-CHN', 480, 96)]);
    board.tick(T);
    expect(codes(board.noDataDistricts)).toEqual(['TN-CHN', 'TN-ARI']);
  });

  it('does not let a fresh district vouch for a late one in the same batch', () => {
    const board = useBoardStore();
    board.applySnapshot(snapshot, T);
    // Ariyalur's event was reported two hours ago and delivered now, beside a fresh one from Chennai.
    board.applyBatch(
      batch(
        T + 1_000,
        { 'TN-CHN': 1, 'TN-ARI': 1 },
        { 'TN-CHN': new Date(T + 500).toISOString(), 'TN-ARI': new Date(T - 2 * 3_600_000).toISOString() },
      ),
      T + 1_000,
    );
    board.tick(T + 1_000);
    expect(codes(board.noDataDistricts)).toEqual(['TN-ARI']);
    expect(board.districtCounts.find((d) => d.code === 'TN-ARI')?.count).toBe(1);
  });

  it('ignores moves out of a district and batches already inside the snapshot', () => {
    const board = useBoardStore();
    board.applySnapshot(snapshot, T);
    board.applyBatch(batch(T - 1_000, { 'TN-ARI': 4 }, { 'TN-ARI': new Date(T - 1_000).toISOString() }), T);
    board.applyBatch(
      batch(T + 1_000, { 'TN-CHN': -1, 'TN-MDU': 1 }, { 'TN-MDU': new Date(T).toISOString() }),
      T + 1_000,
    );
    board.tick(T + 1_000);
    expect(codes(board.noDataDistricts)).toEqual(['TN-CHN', 'TN-ARI']);
    expect(board.feedLagMs).toBe(1_000);
  });

  it('lists a district as silent once its last report is older than NO_DATA_MINUTES', () => {
    const board = useBoardStore();
    board.applySnapshot(snapshot, T);
    const list = board.noDataDistricts;
    board.tick(T + 1_000);
    // Unchanged membership keeps the same array: no re-render every tick.
    expect(board.noDataDistricts).toBe(list);
    board.tick(T + (NO_DATA_MINUTES - 2) * 60_000 + 1);
    expect(codes(board.noDataDistricts)).toEqual(['TN-CHN', 'TN-MDU', 'TN-ARI']);
    expect(board.feedLagMs).toBe(NO_DATA_MINUTES * 60_000 + 1);
  });
});
