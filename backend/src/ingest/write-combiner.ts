import type { MonitorEvent } from '@district-monitor/streams';
import type { InsertResult } from '../database/event-store.repository.js';
import { isDataError } from '../database/database.js';
import { metrics } from '../metrics/metrics.js';

/** What the combiner needs of the event store (EventStoreRepository satisfies it). */
export interface GroupStore {
  /** One batch in one transaction. */
  insert(events: readonly MonitorEvent[]): Promise<InsertResult>;
  /** Several batches in one transaction, each batch's result in their order; all or none stored. */
  insertGroup(batches: readonly (readonly MonitorEvent[])[]): Promise<InsertResult[]>;
}

export interface WriteCombinerOptions {
  /** Groups written at once, each in its own transaction. */
  readonly writers: number;
  /**
   * Events of one group at most. A group takes queued batches in arrival order while they fit; a batch
   * larger than this alone is written alone.
   */
  readonly maxGroupEvents: number;
}

interface Pending {
  readonly events: readonly MonitorEvent[];
  readonly resolve: (result: InsertResult) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit for the event store, OFF by default (INGEST_GROUP_MAX_EVENTS turns it on): measured slower
 * than one transaction per batch on both engines (docs/ingest.md, "Group commit"). Batches handled at once (kafkajs hands up to
 * `KAFKA_PARTITIONS_CONCURRENTLY` partition batches to the handler together) are queued; a free writer
 * takes every queued batch that fits the group bound and stores them in ONE transaction, one storing
 * statement. Each batch's promise settles only after that transaction has committed (or failed), so a
 * batch's offsets, resolved by the runner after its handler returns, are still committed only after its
 * rows are: crash safety and idempotency are those of one batch per transaction.
 *
 * A failure fails every batch of the group with the same error, and each batch's runner retries it as
 * before. A data exception (a value the database refuses) is the exception: the group's batches are then
 * written again one by one, each in its own transaction, so only the batch holding the refused value
 * fails, and its handler splits it to dead-letter that event, as without the combiner.
 */
export class WriteCombiner {
  private readonly queue: Pending[] = [];
  private active = 0;

  constructor(
    private readonly store: GroupStore,
    private readonly options: WriteCombinerOptions,
  ) {
    if (!Number.isInteger(options.writers) || options.writers < 1) {
      throw new RangeError(`writers: expected an integer >= 1, got ${options.writers}`);
    }
    if (!Number.isInteger(options.maxGroupEvents) || options.maxGroupEvents < 1) {
      throw new RangeError(`maxGroupEvents: expected an integer >= 1, got ${options.maxGroupEvents}`);
    }
  }

  /** Batches waiting for a writer. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Stores the batch, grouped with whatever else is queued; settles once its transaction has. */
  write(events: readonly MonitorEvent[]): Promise<InsertResult> {
    if (events.length === 0) return Promise.resolve({ stored: [], changes: [] });
    return new Promise<InsertResult>((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.active < this.options.writers && this.queue.length > 0) {
      const group = this.take();
      this.active++;
      void this.writeGroup(group).finally(() => {
        this.active--;
        this.pump();
      });
    }
  }

  /** The oldest queued batch, and the next ones in arrival order while the group stays in its bound. */
  private take(): Pending[] {
    const group: Pending[] = [];
    let events = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (next === undefined) break;
      if (group.length > 0 && events + next.events.length > this.options.maxGroupEvents) break;
      this.queue.shift();
      group.push(next);
      events += next.events.length;
    }
    return group;
  }

  private async writeGroup(group: readonly Pending[]): Promise<void> {
    metrics.writeGroupBatches.observe(group.length);
    const writing = metrics.stageDuration.startTimer({ stage: 'write' });
    let results: InsertResult[];
    try {
      results = await this.storeGroup(group);
    } catch (error) {
      writing();
      if (group.length > 1 && isDataError(error)) {
        await this.oneByOne(group);
        return;
      }
      for (const pending of group) pending.reject(error);
      return;
    }
    writing();
    group.forEach((pending, index) => {
      const result = results[index];
      if (result === undefined)
        pending.reject(new Error(`the group write returned no result for batch ${index}`));
      else pending.resolve(result);
    });
  }

  private async storeGroup(group: readonly Pending[]): Promise<InsertResult[]> {
    const [only] = group;
    if (group.length === 1 && only !== undefined) return [await this.store.insert(only.events)];
    return this.store.insertGroup(group.map((pending) => pending.events));
  }

  /** After a data exception: each batch alone, in order, so the refused value fails only its own batch. */
  private async oneByOne(group: readonly Pending[]): Promise<void> {
    for (const pending of group) {
      try {
        pending.resolve(await this.store.insert(pending.events));
      } catch (error) {
        pending.reject(error);
      }
    }
  }
}
