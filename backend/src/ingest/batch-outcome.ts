import type { BatchSummary } from '@district-monitor/streams';
import type { DeadLetter } from '../transport/transport.js';

/**
 * What `IngestService.handleBatch` did with one batch. Every message is accounted for once:
 * `processed = stored + duplicates + deadLettered`. The summary fields are what the boards receive; the
 * dead letters stay in the process (they hold the raw messages).
 */
export interface BatchOutcome extends BatchSummary {
  /** Messages of the batch handled. */
  readonly processed: number;
  /** The dead letters of the batch with their reasons and source positions (`deadLettered` of them). */
  readonly deadLetters: readonly DeadLetter[];
}

/** The logger calls the outcome needs (Nest's `Logger` satisfies it). */
export interface OutcomeLogger {
  warn(message: string): void;
  debug(message: unknown): void;
}

/** The one place a batch's outcome is logged: each dead letter with topic, partition, offset and reason. */
export function logOutcome(logger: OutcomeLogger, outcome: BatchOutcome): void {
  for (const { message, reason } of outcome.deadLetters) {
    logger.warn(`dead-lettered ${message.topic}/${message.partition}@${message.offset}: ${reason}`);
  }
  logger.debug({
    msg: 'batch handled',
    transport: outcome.transport,
    processed: outcome.processed,
    stored: outcome.stored,
    duplicates: outcome.duplicates,
    deadLettered: outcome.deadLettered,
  });
}
