import { HttpException, HttpStatus, PayloadTooLargeException } from '@nestjs/common';
import type { ProducerPrincipal } from './producer-keys.service.js';
import { TokenBucket, type TakeResult } from './token-bucket.js';

/**
 * One token bucket per producer key, in this process's memory. Several backend instances behind a
 * load balancer each keep their own buckets, so a key's effective limit is its rate times the
 * number of instances; a restart refills every bucket.
 */
export class ProducerRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes one token per event for `producer`, all or none. */
  take(producer: ProducerPrincipal, events: number): TakeResult {
    return this.bucketOf(producer).take(events, this.now());
  }

  refund(producer: ProducerPrincipal, events: number): void {
    this.buckets.get(producer.id)?.refund(events, this.now());
  }

  private bucketOf(producer: ProducerPrincipal): TokenBucket {
    const bucket = this.buckets.get(producer.id);
    if (
      bucket !== undefined &&
      bucket.limit.ratePerSecond === producer.ratePerSecond &&
      bucket.limit.burst === producer.burst
    ) {
      return bucket;
    }
    const fresh = new TokenBucket(
      { ratePerSecond: producer.ratePerSecond, burst: producer.burst },
      this.now(),
    );
    this.buckets.set(producer.id, fresh);
    return fresh;
  }
}

/**
 * The answer to a refused request, naming the key and its limit: 413 when the request holds more
 * events than the key's burst (waiting never helps), 429 when it must wait (send `Retry-After` too).
 */
export function rateLimitException(
  producer: ProducerPrincipal,
  events: number,
  refused: Exclude<TakeResult, { ok: true }>,
): HttpException {
  const limit = `${producer.ratePerSecond} event${producer.ratePerSecond === 1 ? '' : 's'}/s, burst ${producer.burst}`;
  switch (refused.reason) {
    case 'over-burst':
      return new PayloadTooLargeException(
        `${events} events in one request, but key "${producer.name}" takes at most ${producer.burst} at once ` +
          `(${limit}): send at most ${producer.burst} events per request`,
      );
    case 'over-rate':
      return new HttpException(
        {
          statusCode: HttpStatus.TOO_MANY_REQUESTS,
          error: 'Too Many Requests',
          message:
            `key "${producer.name}" is over its rate limit (${limit}): this request holds ${events} events ` +
            `(${refused.available} available now); nothing was accepted, retry after ${refused.retryAfterSeconds} s`,
          retryAfterSeconds: refused.retryAfterSeconds,
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
  }
}
