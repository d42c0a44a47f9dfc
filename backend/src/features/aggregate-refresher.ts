import { Inject, Injectable, Logger, Optional, type OnModuleDestroy } from '@nestjs/common';
import type { Region } from '@district-monitor/streams';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG, DATABASE, REGION } from '../config/tokens.js';
import type { Database } from '../database/database.js';
import { OnEvent } from '../events/event-bus.js';
import { refreshQueuedAggregates } from '../database/timescale.js';
import { metrics } from '../metrics/metrics.js';

/**
 * Refreshes the continuous aggregates over the days committed batches touched, off the ingest path:
 * one drain at a time, and a batch committed during a drain asks for one more. Drains are spaced
 * (`AGGREGATE_REFRESH_MS`, default 1 s; 0 = none): the next starts at least that long, and at least
 * twice the last drain's own time, after the last one ended. While events stream in, a drain then covers
 * many batches and takes at most about a third of the database (PGlite runs both on one thread). The
 * days stay queued in the batch's own transaction, so spacing delays the aggregates, never loses a day.
 * A failed refresh keeps its queue entries and is retried at the next batch (and at start-up). Plain
 * PostgreSQL keeps its counts table exact inside each batch's transaction, so there is nothing to do there.
 */
@Injectable()
export class AggregateRefresher implements OnModuleDestroy {
  private readonly logger = new Logger('AggregateRefresher');
  private running: Promise<void> | undefined;
  private again = false;
  private held = 0;
  private timer: NodeJS.Timeout | undefined;
  /** When the next drain may start (ms since the epoch). */
  private notBefore = 0;
  private readonly minGapMs: number;
  /** Days refreshed since start, and the last failure (shown by the health endpoint). */
  refreshedDays = 0;
  lastError: string | null = null;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(REGION) private readonly region: Region,
    /** Without one (a test building it by hand): no spacing, a drain right after each batch. */
    @Optional() @Inject(APP_CONFIG) config?: Pick<AppConfig, 'aggregateRefreshMs'>,
  ) {
    this.minGapMs = config?.aggregateRefreshMs ?? 0;
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

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
    this.schedule();
  }

  /**
   * Refreshes everything queued so far that needs it (start-up, tests, shutdown): the open local day stays
   * queued and real-time (`refreshQueuedAggregates`), exact all the same. Throws if a refresh fails.
   */
  async drain(): Promise<void> {
    if (!this.enabled) return;
    // Whatever a spaced drain would have refreshed, this one does now.
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    this.refreshedDays += await refreshQueuedAggregates(this.db, this.region.timeZone);
    this.lastError = null;
  }

  /**
   * Waits for the refresh in progress and cancels a spaced one not yet started (shutdown); what is
   * still queued is refreshed at the next start.
   */
  async settle(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    // The drain that ended may have spaced another after it.
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Starts a drain now, or when the gap after the last one has passed. */
  private schedule(): void {
    if (this.running !== undefined || this.timer !== undefined) return;
    const wait = this.notBefore - Date.now();
    if (wait <= 0) {
      this.start();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.held === 0) this.start();
    }, wait);
    // Nothing is lost if the process ends first: the days stay queued for the next start's drain.
    this.timer.unref();
  }

  private start(): void {
    this.running = this.refreshOnce().finally(() => {
      this.running = undefined;
      // A batch committed during the drain: one more, after the gap.
      if (this.takeAgain()) this.schedule();
    });
  }

  private async refreshOnce(): Promise<void> {
    const started = Date.now();
    const refreshing = metrics.stageDuration.startTimer({ stage: 'refresh' });
    try {
      this.refreshedDays += await refreshQueuedAggregates(this.db, this.region.timeZone);
      this.lastError = null;
      refreshing();
    } catch (error) {
      // Kept in the queue: the next batch (or the next start) refreshes these days again.
      this.lastError = String(error);
      this.logger.error(`refreshing the continuous aggregates failed, will retry: ${this.lastError}`);
    } finally {
      const ended = Date.now();
      this.notBefore = this.minGapMs === 0 ? 0 : ended + Math.max(this.minGapMs, 2 * (ended - started));
    }
  }

  /** Whether a batch committed during the last refresh (and so another is due); clears the request. */
  private takeAgain(): boolean {
    const again = this.again;
    this.again = false;
    return again;
  }
}
