import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.js';

describe('token bucket counted in events', () => {
  it('starts full, takes whole requests and refills at the rate', () => {
    const bucket = new TokenBucket({ ratePerSecond: 2, burst: 4 }, 0);
    expect(bucket.take(4, 0)).toEqual({ ok: true });
    // Empty: 3 events need 3 tokens at 2 per second, so 1.5 s, announced as 2 whole seconds.
    expect(bucket.take(3, 0)).toEqual({ ok: false, reason: 'over-rate', available: 0, retryAfterSeconds: 2 });
    // After 1 s it holds 2 tokens: still not 3, and nothing was taken by the refusal.
    expect(bucket.take(3, 1000)).toEqual({
      ok: false,
      reason: 'over-rate',
      available: 2,
      retryAfterSeconds: 1,
    });
    expect(bucket.take(3, 1500)).toEqual({ ok: true });
    expect(bucket.take(1, 1500)).toEqual({
      ok: false,
      reason: 'over-rate',
      available: 0,
      retryAfterSeconds: 1,
    });
  });

  it('never holds more than the burst, however long it waited', () => {
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 5 }, 0);
    expect(bucket.take(5, 3_600_000)).toEqual({ ok: true });
    expect(bucket.take(1, 3_600_000)).toMatchObject({ ok: false, reason: 'over-rate', available: 0 });
  });

  it('refuses a request larger than the burst as such: waiting would never help', () => {
    const bucket = new TokenBucket({ ratePerSecond: 100, burst: 10 }, 0);
    expect(bucket.take(11, 0)).toEqual({ ok: false, reason: 'over-burst' });
    expect(bucket.take(10, 0)).toEqual({ ok: true });
  });

  it('takes refunded tokens back, up to the burst', () => {
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 3 }, 0);
    expect(bucket.take(3, 0)).toEqual({ ok: true });
    bucket.refund(3, 0);
    expect(bucket.take(3, 0)).toEqual({ ok: true });
    bucket.refund(5, 0);
    expect(bucket.take(4, 0)).toEqual({ ok: false, reason: 'over-burst' });
    expect(bucket.take(3, 0)).toEqual({ ok: true });
  });
});
