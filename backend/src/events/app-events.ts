import type { BatchSummary, DistrictFeatures, DistrictScore, MonitorEvent } from '@district-monitor/streams';
import type { CountChange } from '../database/event-store.repository.js';

/** What a committed batch did, for its subscribers. */
export interface CommittedBatch {
  readonly changes: readonly CountChange[];
  /** Every valid event of the batch, repeats included (a producer that repeats itself is alive). */
  readonly received: readonly MonitorEvent[];
  /** The events stored for the first time. */
  readonly stored: readonly MonitorEvent[];
}

/**
 * Every event of the batch path, by name, with its payload. Emitted synchronously, in the emitter's turn:
 * a subscriber queues its own slow work, and what it throws reaches the emitter (on the batch path, the
 * batch runner, which stops the consumer on a programming error).
 *
 * - `batch.committed` (IngestService): the store committed a batch; features, aggregates and alerts follow.
 * - `batch.handled` (IngestService): the batch's summary once its dead letters are out; the live board.
 * - `features.changed` (FeatureService): districts recomputed (after a batch, or all at a new hour); scoring
 *   and the live board.
 * - `scores.changed` (ScoringService): new scores of the active model; alerts and the live board.
 */
export interface AppEvents {
  'batch.committed': CommittedBatch;
  'batch.handled': BatchSummary;
  'features.changed': readonly DistrictFeatures[];
  'scores.changed': readonly DistrictScore[];
}

export type AppEventName = keyof AppEvents;
