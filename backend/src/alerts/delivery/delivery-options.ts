/** How the webhook worker delivers (WEBHOOK_* variables, plus internal limits with defaults). */
export interface DeliveryOptions {
  /** Attempts before a delivery is dead (WEBHOOK_MAX_ATTEMPTS). */
  readonly maxAttempts: number;
  /** Delay after the first failure; doubled after each next one, with jitter (WEBHOOK_BACKOFF_MS). */
  readonly backoffMs: number;
  /** The longest delay between two attempts. */
  readonly backoffCapMs: number;
  /** One attempt's limit: connection, answer and body (WEBHOOK_TIMEOUT_MS). */
  readonly timeoutMs: number;
  /** Attempts in flight at once in this process. */
  readonly concurrency: number;
  /** Attempts in flight at once per subscription, so a slow receiver cannot take every slot. */
  readonly perSubscription: number;
  /** Period of the sweep that fans out and sends what no `notify()` announced (other replicas, restarts). */
  readonly sweepMs: number;
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = Object.freeze({
  maxAttempts: 8,
  backoffMs: 1000,
  backoffCapMs: 15 * 60_000,
  timeoutMs: 5000,
  concurrency: 16,
  perSubscription: 4,
  sweepMs: 10_000,
});

/**
 * The wait before the next attempt after `failures` failed attempts (1 = the first failed):
 * `backoffMs * 2^(failures-1)`, capped at `backoffCapMs`, with "equal jitter" — a uniform draw in the
 * upper half — so receivers coming back are not hit by every sender at the same instant.
 */
export function backoffDelay(
  failures: number,
  options: Pick<DeliveryOptions, 'backoffMs' | 'backoffCapMs'>,
  random: () => number = Math.random,
): number {
  if (!Number.isInteger(failures) || failures < 1) {
    throw new RangeError(`failures must be a whole number from 1, got ${failures}`);
  }
  const ceiling = Math.min(options.backoffCapMs, options.backoffMs * 2 ** Math.min(failures - 1, 40));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * How long a claimed attempt is reserved for its sender: past it (the sender's process died), another
 * worker may take the delivery again. Longer than any attempt can last.
 */
export const leaseMs = (options: Pick<DeliveryOptions, 'timeoutMs'>): number =>
  options.timeoutMs * 2 + 10_000;
