import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Producer keys: `dmk_<id>_<secret>`. The id (8 hex characters) finds the key's row; the secret (32
 * random bytes, base64url) proves possession. Only sha256 of the secret is stored. A fast hash is
 * enough here: the secret is 256 random bits, not a password, so there is nothing to guess by
 * brute force and no need for a slow, salted hash (bcrypt, scrypt) that would cost every request.
 */
export const KEY_PREFIX = 'dmk_';
const KEY_PATTERN = /^dmk_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;

/** What the key format looks like, for messages. */
export const KEY_SHAPE = 'dmk_<8 hex characters>_<43 base64url characters>';

/** Key names: what an admin types and what 429 messages and logs show. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface RateLimit {
  /** Events per second the key may publish, on average. */
  readonly ratePerSecond: number;
  /** Events the key may publish at once; also the most one request may hold for this key. */
  readonly burst: number;
}

/**
 * Defaults for `npm run keys -- create`: the burst equals the per-request event limit, so any request
 * the size limits allow can pass with a full bucket.
 */
export const DEFAULT_RATE_LIMIT: RateLimit = { ratePerSecond: 1000, burst: 10_000 };
/** Upper bound for --rate and --burst (the columns are 32-bit integers; more is no limit at all). */
export const MAX_RATE_LIMIT = 1_000_000;

export interface GeneratedKey {
  readonly id: string;
  /** The full key, shown once to the admin and never stored. */
  readonly key: string;
  readonly secretHash: string;
}

export function generateKey(): GeneratedKey {
  const id = randomBytes(4).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, key: `${KEY_PREFIX}${id}_${secret}`, secretHash: hashSecret(secret) };
}

/** Splits a presented key into its id and secret; undefined when it does not have the key's shape. */
export function parseKey(text: string): { id: string; secret: string } | undefined {
  const match = KEY_PATTERN.exec(text);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { id: match[1], secret: match[2] };
}

/** sha256 of the secret, hex. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compares in constant time, so the time taken does not tell how much of a guessed secret was right. */
export function secretMatches(secret: string, secretHash: string): boolean {
  const expected = Buffer.from(secretHash, 'hex');
  const actual = createHash('sha256').update(secret, 'utf8').digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
