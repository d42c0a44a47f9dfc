import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Region } from '@district-monitor/streams';
import { DATABASE, REGION } from '../config/tokens.js';
import type { Database } from '../database/database.js';
import { OnEvent } from '../events/event-bus.js';
import { refreshQueuedAggregates } from '../database/timescale.js';

/**
 * Refreshes the continuous aggregates over the days committed batches touched, off the ingest path:
 * one drain at a time, and a batch committed during a drain asks for one more. A failed refresh keeps
 * its queue entries and is retried at the next batch (and at start-up). Plain PostgreSQL keeps its
 * counts table exact inside each batch's transaction, so there is nothing to do there.
 */
@Injectable()
export class AggregateRefresher {
  private readonly logger = new Logger('AggregateRefresher');
  private running: Promise<void> | undefined;
  private again = false;
  private held = 0;
  /** Days refreshed since start, and the last failure (shown by the health endpoint). */
  refreshedDays = 0;
  lastError: string | null = null;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(REGION) private readonly region: Region,
  ) {}

  get enabled(): boolean {
    return this.db.info.timescaledb !== null;
  }

  /**
   * Holds the refreshes after each batch until `release` is called (a backfill: one drain at its end
   * instead of one refresh per batch, which would take the event loop for seconds at a time). The days
   * stay queued; `drain` refreshes them.
   */
  hold(): () => void {
    this.held++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held--;
    };
  }

  /** Called after each committed batch; returns at once. */
  @OnEvent('batch.committed')
  batchCommitted(): void {
    if (!this.enabled || this.held > 0) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Refreshes everything queued so far (start-up, tests, shutdown); throws if a refresh fails. */
  async drain(): Promise<void> {
    if (!this.enabled) return;
    await this.running;
    this.refreshedDays += await refreshQueuedAggregates(this.db, this.region.timeZone);
    this.lastError = null;
  }

  /** Waits for the refresh in progress (shutdown); what is still queued is refreshed at the next start. */
  async settle(): Promise<void> {
    await this.running;
  }

  private async loop(): Promise<void> {
    do {
      try {
        this.refreshedDays += await refreshQueuedAggregates(this.db, this.region.timeZone);
        this.lastError = null;
      } catch (error) {
        // Kept in the queue: the next batch (or the next start) refreshes these days again.
        this.lastError = String(error);
        this.logger.error(`refreshing the continuous aggregates failed, will retry: ${this.lastError}`);
        return;
      }
    } while (this.takeAgain());
  }

  /** Whether a batch committed during the last refresh (and so another is due); clears the request. */
  private takeAgain(): boolean {
    const again = this.again;
    this.again = false;
    return again;
  }
}
