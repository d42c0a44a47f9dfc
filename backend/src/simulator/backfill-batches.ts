import type { MonitorEvent } from '@district-monitor/streams';
import type { Simulator } from '@district-monitor/streams/simulator';

const HOUR_MS = 3_600_000;

/** One batch of backfilled events: every event reported up to `reached` is in it or an earlier batch. */
export interface BackfillBatch {
  readonly events: readonly MonitorEvent[];
  /** Simulated instant (epoch ms) the batch ends at: the end of its last tick. */
  readonly reached: number;
}

/**
 * The backfill of `[from, until)` as batches of about `batchSize` events (a batch ends at an hour), from
 * a fresh simulator. The simulator ticks on the same instants whatever `resumeAfter` is: each whole
 * hour from `from`, then `until`, so one seed always gives the same events with the same ids. Batches
 * that end at or before `resumeAfter` (stored by an interrupted run) are generated and dropped.
 */
export function* backfillBatches(
  simulator: Simulator,
  span: { readonly from: number; readonly until: number },
  batchSize: number,
  resumeAfter: number | null = null,
): Generator<BackfillBatch> {
  if (!(span.from < span.until)) throw new RangeError('a backfill must end after it starts');
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize must be a whole number >= 1, got ${batchSize}`);
  simulator.tick(span.from);
  let pending: MonitorEvent[] = [];
  let at = span.from;
  while (at < span.until) {
    at = Math.min(span.until, (Math.floor(at / HOUR_MS) + 1) * HOUR_MS);
    for (const event of simulator.tick(at)) pending.push(event);
    if (pending.length >= batchSize || at === span.until) {
      // A batch ends at an hour, so `reached` can be compared across runs.
      if (resumeAfter === null || at > resumeAfter) yield { events: pending, reached: at };
      pending = [];
    }
  }
}
