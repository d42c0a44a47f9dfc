import { setTimeout as delay } from 'node:timers/promises';
import { isRetriable } from './errors.js';

export interface RetryOptions {
  /** First wait after a failure; doubled (with ±20 % jitter) up to `maxDelayMs`. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Asked before each new attempt; false ends the retries and the last error is thrown. */
  readonly shouldContinue: () => boolean;
  /** Runs before every attempt after the first (the Kafka consumer's heartbeat). */
  readonly beforeRetry?: () => Promise<void>;
  /** Told of each transient failure and the wait before the next attempt. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  readonly sleep?: (ms: number) => Promise<unknown>;
  readonly random?: () => number;
}

/**
 * Runs `work` until it succeeds. A transient failure (`isRetriable`) is retried with exponential
 * backoff for as long as `shouldContinue` says; any other failure is thrown at once.
 */
export async function retryTransient<T>(work: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const random = options.random ?? Math.random;
  let wait = options.initialDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isRetriable(error) || !options.shouldContinue()) throw error;
      const delayMs = Math.round(Math.min(wait, options.maxDelayMs) * (0.8 + 0.4 * random()));
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs);
      wait = Math.min(wait * 2, options.maxDelayMs);
      if (!options.shouldContinue()) throw error;
      await options.beforeRetry?.();
    }
  }
}
