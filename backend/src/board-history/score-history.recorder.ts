import { Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { DistrictScore } from '@district-monitor/streams';
import type { ScoreRecorder } from '../models/scoring.service.js';
import type { ScoreHistoryRow, ScoreHistoryWriter } from './score-history.repository.js';

/** While writes keep failing, a reminder is logged at most this often (the first failure always is). */
const FAILURE_LOG_MS = 60_000;

interface Claim {
  /** When the district's row was queued (its slot starts then). */
  readonly at: number;
  readonly version: string;
}

/**
 * Keeps each district's score in the history at most once per interval: the first score of a district,
 * of a newly active model version, or once `intervalMinutes` have passed since its last row. It runs on
 * the scoring path, so it only picks and queues the rows; one batched insert at a time writes them. The
 * queue holds at most one row per district (a newer due score replaces the one waiting). A failed write
 * is logged and its districts are freed, so their next score is written again; nothing is thrown.
 */
export class ScoreHistoryRecorder implements ScoreRecorder, BeforeApplicationShutdown {
  private readonly logger = new Logger('ScoreHistory');
  private readonly intervalMs: number;
  /** Each district's last row written or queued; freed when its write fails. */
  private readonly claims = new Map<string, Claim>();
  private readonly pending = new Map<string, { row: ScoreHistoryRow; claim: Claim }>();
  private writing: Promise<void> | undefined;
  private failingSince: number | undefined;
  private lastFailureLog = 0;
  /** Rows written and writes failed since start (health and specs). */
  written = 0;
  failures = 0;

  constructor(
    private readonly writer: ScoreHistoryWriter,
    intervalMinutes: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(intervalMinutes > 0))
      throw new RangeError(`intervalMinutes must be positive, got ${intervalMinutes}`);
    this.intervalMs = intervalMinutes * 60_000;
  }

  record(scores: readonly DistrictScore[]): void {
    const now = this.now();
    for (const score of scores) {
      const last = this.claims.get(score.district);
      if (last !== undefined && last.version === score.modelVersion && now - last.at < this.intervalMs) {
        continue;
      }
      const claim: Claim = { at: now, version: score.modelVersion };
      this.claims.set(score.district, claim);
      this.pending.set(score.district, {
        claim,
        row: {
          district: score.district,
          asOf: score.asOf,
          modelVersion: score.modelVersion,
          elevated: score.elevated,
          expectedCount: score.expectedCount,
        },
      });
    }
    if (this.writing === undefined && this.pending.size > 0) this.writing = this.drain();
  }

  /** Resolves once the write in flight, and those queued behind it, are done (shutdown and specs). */
  async settled(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
  }

  /** The write in hand finishes before the database closes (the scoring timer has stopped by then). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.settled();
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const entries = [...this.pending.values()];
        this.pending.clear();
        try {
          await this.writer.insert(entries.map((entry) => entry.row));
        } catch (error) {
          this.failed(entries, error);
          // What queued meanwhile waits for the next score: no retry loop against a failing database.
          return;
        }
        this.written += entries.length;
        if (this.failingSince !== undefined) {
          this.logger.log('writing the score history works again');
          this.failingSince = undefined;
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  private failed(entries: readonly { row: ScoreHistoryRow; claim: Claim }[], error: unknown): void {
    this.failures++;
    for (const { row, claim } of entries) {
      // Free the district unless a later score already claimed it anew.
      if (this.claims.get(row.district) === claim) this.claims.delete(row.district);
    }
    const now = this.now();
    if (this.failingSince === undefined || now - this.lastFailureLog >= FAILURE_LOG_MS) {
      const since =
        this.failingSince === undefined
          ? ''
          : ` (failing since ${new Date(this.failingSince).toISOString()})`;
      this.logger.error(
        `writing ${entries.length} district scores to the history failed${since}; ` +
          `they are written again at their next score: ${String(error)}`,
      );
      this.lastFailureLog = now;
    }
    this.failingSince ??= now;
  }
}
