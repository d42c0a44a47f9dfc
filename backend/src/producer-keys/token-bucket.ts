import type { RateLimit } from './producer-key.js';

export type TakeResult =
  | { readonly ok: true }
  /** More events than the bucket can ever hold: waiting does not help, a smaller request does. */
  | { readonly ok: false; readonly reason: 'over-burst' }
  | {
      readonly ok: false;
      readonly reason: 'over-rate';
      /** Whole tokens in the bucket now. */
      readonly available: number;
      /** Whole seconds after which the same request fits, if nothing else is taken meanwhile (at least 1). */
      readonly retryAfterSeconds: number;
    };

/**
 * A token bucket counted in events: it holds up to `burst` tokens and refills at `ratePerSecond`.
 * A request takes one token per event, all of them or none, so a request is never half accepted.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly limit: RateLimit,
    now: number,
  ) {
    this.tokens = limit.burst;
    this.updatedAt = now;
  }

  /** Takes `count` tokens at time `now` (ms), or none and says why. */
  take(count: number, now: number): TakeResult {
    if (count > this.limit.burst) return { ok: false, reason: 'over-burst' };
    this.refill(now);
    if (count <= this.tokens) {
      this.tokens -= count;
      return { ok: true };
    }
    const waitSeconds = (count - this.tokens) / this.limit.ratePerSecond;
    return {
      ok: false,
      reason: 'over-rate',
      available: Math.floor(this.tokens),
      retryAfterSeconds: Math.max(1, Math.ceil(waitSeconds)),
    };
  }

  /** Gives back tokens taken for events that were then not accepted (the transport refused them). */
  refund(count: number, now: number): void {
    this.refill(now);
    this.tokens = Math.min(this.limit.burst, this.tokens + count);
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.limit.burst, this.tokens + elapsed * this.limit.ratePerSecond);
    this.updatedAt = now;
  }
}
