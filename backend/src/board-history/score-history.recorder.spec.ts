import type { DistrictScore } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import { ScoreHistoryRecorder } from './score-history.recorder.js';
import type { ScoreHistoryRow, ScoreHistoryWriter } from './score-history.repository.js';

const MINUTE = 60_000;
const T0 = Date.parse('2025-06-02T10:00:00Z');

const score = (district: string, at: number, modelVersion = 'v1', elevated = 0.5): DistrictScore => ({
  district,
  asOf: new Date(at).toISOString(),
  elevated,
  classProbabilities: [0.2, 0.3, 0.5],
  expectedCount: 10,
  interval80: [5, 15],
  forecast: [],
  cluster: { label: 0, peers: [] },
  topFactors: [],
  modelVersion,
});

/** A writer whose inserts resolve or fail when the spec says so. */
class ControlledWriter implements ScoreHistoryWriter {
  readonly calls: ScoreHistoryRow[][] = [];
  readonly stored: ScoreHistoryRow[] = [];
  private pending: { resolve: () => void; reject: (error: Error) => void; rows: ScoreHistoryRow[] }[] = [];

  insert(rows: readonly ScoreHistoryRow[]): Promise<void> {
    this.calls.push([...rows]);
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject, rows: [...rows] }));
  }

  /** Settles the oldest insert in flight. */
  async finish(outcome: 'ok' | Error = 'ok'): Promise<void> {
    const next = this.pending.shift();
    if (next === undefined) throw new Error('no insert in flight');
    if (outcome === 'ok') {
      this.stored.push(...next.rows);
      next.resolve();
    } else {
      next.reject(outcome);
    }
    // Let the recorder's continuation run.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('ScoreHistoryRecorder', () => {
  it('writes each district at most once per interval, in one insert per run', async () => {
    let now = T0;
    const writer = new ControlledWriter();
    const recorder = new ScoreHistoryRecorder(writer, 5, () => now);

    recorder.record([score('TN-CHN', now), score('TN-MDU', now)]);
    expect(writer.calls).toHaveLength(1);
    await writer.finish();

    // 4 min 59 s later: both still inside their slot; a first score of Salem is written.
    now = T0 + 5 * MINUTE - 1000;
    recorder.record([score('TN-CHN', now), score('TN-MDU', now), score('TN-SLM', now)]);
    await writer.finish();

    // 5 minutes after the first row: Chennai is due again; Madurai was not scored.
    now = T0 + 5 * MINUTE;
    recorder.record([score('TN-CHN', now, 'v1', 0.75), score('TN-SLM', now)]);
    await writer.finish();
    await recorder.settled();

    expect(writer.stored.map((row) => `${row.district}@${row.asOf}`)).toEqual([
      'TN-CHN@2025-06-02T10:00:00.000Z',
      'TN-MDU@2025-06-02T10:00:00.000Z',
      'TN-SLM@2025-06-02T10:04:59.000Z',
      'TN-CHN@2025-06-02T10:05:00.000Z',
    ]);
    expect(writer.stored.at(-1)).toEqual({
      district: 'TN-CHN',
      asOf: '2025-06-02T10:05:00.000Z',
      modelVersion: 'v1',
      elevated: 0.75,
      expectedCount: 10,
    });
    expect(recorder.written).toBe(4);
  });

  it('writes at once the first score of a newly active version', async () => {
    let now = T0;
    const writer = new ControlledWriter();
    const recorder = new ScoreHistoryRecorder(writer, 5, () => now);
    recorder.record([score('TN-CHN', now, 'v1')]);
    await writer.finish();
    now += MINUTE;
    recorder.record([score('TN-CHN', now, 'v2')]);
    await writer.finish();
    expect(writer.stored.map((row) => row.modelVersion)).toEqual(['v1', 'v2']);
  });

  it('queues at most one row per district behind the insert in flight, the newest due one', async () => {
    let now = T0;
    const writer = new ControlledWriter();
    const recorder = new ScoreHistoryRecorder(writer, 5, () => now);
    recorder.record([score('TN-CHN', now)]);
    // While Chennai's insert is in flight: many runs score Madurai; its first score claims the slot.
    for (let i = 0; i < 100; i++) {
      now += 1000;
      recorder.record([score('TN-MDU', now), score('TN-CHN', now)]);
    }
    expect(writer.calls).toHaveLength(1);
    await writer.finish();
    // The queued rows went out together in the next insert: one row, Madurai's first score.
    expect(writer.calls[1]?.map((row) => `${row.district}@${row.asOf}`)).toEqual([
      'TN-MDU@2025-06-02T10:00:01.000Z',
    ]);
    await writer.finish();
    await recorder.settled();
    expect(writer.calls).toHaveLength(2);
  });

  it('never throws on a failed insert, and writes the failed districts again at their next score', async () => {
    let now = T0;
    const writer = new ControlledWriter();
    const recorder = new ScoreHistoryRecorder(writer, 5, () => now);
    recorder.record([score('TN-CHN', now), score('TN-MDU', now)]);
    await writer.finish(new Error('connection refused'));
    expect(recorder.failures).toBe(1);
    expect(writer.stored).toEqual([]);

    // The very next run (well inside the interval) retries them.
    now += 1000;
    expect(() => {
      recorder.record([score('TN-CHN', now)]);
    }).not.toThrow();
    await writer.finish();
    expect(writer.stored.map((row) => row.district)).toEqual(['TN-CHN']);
    now += 1000;
    recorder.record([score('TN-MDU', now), score('TN-CHN', now)]);
    await writer.finish();
    await recorder.settled();
    expect(writer.stored.map((row) => row.district)).toEqual(['TN-CHN', 'TN-MDU']);
  });

  it('refuses an interval that is not positive', () => {
    expect(() => new ScoreHistoryRecorder(new ControlledWriter(), 0)).toThrow(RangeError);
  });
});
