import { Logger } from '@nestjs/common';
import { batchContextOf, inBatch } from '../logging/batch-context.js';
import { metrics } from '../metrics/metrics.js';
import { describeError, isRetriable, NonRetriableError } from './errors.js';
import { retryTransient } from './retry.js';
import type { BatchHandler, InboundBatch } from './transport.js';

/** What the runner needs of a Kafka `eachBatch` payload (kafkajs's `EachBatchPayload` satisfies it). */
export interface BatchControl {
  /** Where the batch came from, for logs: `topic/partition@firstOffset`. */
  readonly position: string;
  /** False once the consumer stops or the partition went to another member. */
  isLive(): boolean;
  heartbeat(): Promise<void>;
  /** Marks the batch done: its offsets are committed next. */
  resolve(): void;
}

export interface RunnerOptions {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep?: (ms: number) => Promise<unknown>;
}

/**
 * Runs the batch handler for the Kafka consumer: a transient failure (database or broker restarting)
 * is retried with backoff, heartbeating, while the partition stays ours; a failure that retrying
 * cannot cure (a programming error) is logged with its stack and thrown as non-retriable, so kafkajs
 * stops the consumer instead of re-delivering the batch forever, and health reports `failure`.
 */
export class BatchRunner {
  private readonly logger = new Logger('BatchRunner');
  /** Why the consumer stopped for good, or null. */
  failure: string | null = null;
  /** A batch in retry after a transient failure, or null. */
  retrying: { attempts: number; since: string; error: string } | null = null;
  /** When a batch last completed (ms since the epoch), or undefined. */
  lastProgressAt: number | undefined;

  constructor(
    private readonly handler: BatchHandler,
    private readonly options: RunnerOptions,
  ) {}

  /**
   * Handles one batch under a new batch id (logging/batch-context.ts): every line logged meanwhile
   * carries it with the topic, partition and offsets; its outcome is logged and counted in the metrics.
   */
  async run(batch: InboundBatch, control: BatchControl): Promise<void> {
    if (batch.messages.length === 0) {
      await this.attempt(batch, control);
      return;
    }
    const context = batchContextOf(batch.messages);
    const timer = metrics.batchDuration.startTimer({ transport: 'kafka' });
    const outcome = await inBatch(context, () => this.attempt(batch, control));
    metrics.batches.inc({ outcome });
    if (outcome === 'committed') timer();
    // Committed batches at debug level (one line each); the others were logged as warnings or errors.
    this.logger.debug({ msg: `batch ${outcome}`, ...context, outcome });
  }

  private async attempt(batch: InboundBatch, control: BatchControl): Promise<'committed' | 'abandoned'> {
    try {
      await retryTransient(() => this.handler(batch), {
        initialDelayMs: this.options.initialDelayMs,
        maxDelayMs: this.options.maxDelayMs,
        ...(this.options.sleep === undefined ? {} : { sleep: this.options.sleep }),
        shouldContinue: () => control.isLive(),
        beforeRetry: () => control.heartbeat(),
        onRetry: (error, attempts, delayMs) => {
          const description = describeError(error);
          this.retrying = {
            attempts,
            since: this.retrying?.since ?? new Date().toISOString(),
            error: description,
          };
          metrics.batches.inc({ outcome: 'retried' });
          this.logger.warn(
            `batch ${control.position} failed (attempt ${attempts}), retrying in ${delayMs} ms: ${description}`,
          );
        },
      });
    } catch (error) {
      this.retrying = null;
      if (isRetriable(error)) {
        // Stopping, or the partition went to another member while retrying: it is delivered again there.
        if (!control.isLive()) return 'abandoned';
        metrics.batches.inc({ outcome: 'failed' });
        throw error;
      }
      metrics.batches.inc({ outcome: 'failed' });
      this.failure = `batch ${control.position}: ${describeError(error)}`;
      this.logger.error(
        `a programming error stops the consumer (not retried): ${this.failure}`,
        error instanceof Error ? error.stack : undefined,
      );
      throw new NonRetriableError(`ingest stopped: ${this.failure}`, { cause: error });
    }
    this.retrying = null;
    control.resolve();
    this.lastProgressAt = Date.now();
    return 'committed';
  }
}
