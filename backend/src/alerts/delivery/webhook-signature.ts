import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The webhook signature: `X-DM-Signature: sha256=<hex>` where hex is HMAC-SHA256 with the
 * subscription's secret over `<X-DM-Timestamp>.<raw body>`. The timestamp (unix seconds) is signed so
 * a captured request cannot be replayed later; receivers refuse timestamps far from their clock.
 */
export const SIGNATURE_PREFIX = 'sha256=';

/** Default window a receiver accepts between the signed timestamp and its clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The `X-DM-Signature` value of `body` sent at `timestamp` (unix seconds). */
export function signWebhook(secret: string, timestamp: number | string, body: string): string {
  const hex = createHmac('sha256', secret)
    .update(`${String(timestamp)}.${body}`)
    .digest('hex');
  return `${SIGNATURE_PREFIX}${hex}`;
}

export interface VerifyOptions {
  /** Largest accepted distance between the timestamp and `nowSeconds` (default 300). */
  readonly toleranceSeconds?: number;
  /** The receiver's clock in unix seconds (default now). */
  readonly nowSeconds?: number;
}

/**
 * Whether `signature` (the `X-DM-Signature` header) signs `body` (the raw request body, as received)
 * at `timestamp` (the `X-DM-Timestamp` header) with `secret`, and the timestamp is within the
 * tolerance. Compared in constant time.
 */
export function verifyWebhook(
  secret: string,
  timestamp: string | number,
  body: string,
  signature: string,
  options: VerifyOptions = {},
): boolean {
  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds)) return false;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - seconds) > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  const expected = Buffer.from(signWebhook(secret, String(timestamp), body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
