import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashes: scrypt (RFC 7914) with a 16-byte random salt per password, stored as
 * `scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>` so the cost can rise later without breaking
 * stored hashes. N = 2^15, r = 8 takes 32 MiB and about 50 ms a hash: slow enough against guessing,
 * cheap enough for a login.
 */
const COST = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

/** Why a password is not acceptable, or undefined when it is. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < PASSWORD_MIN) return `must be at least ${PASSWORD_MIN} characters`;
  if (password.length > PASSWORD_MAX) return `must be at most ${PASSWORD_MAX} characters`;
  return undefined;
}

/**
 * Hashes run one at a time: each takes a libuv thread and a core for ~50 ms, and a burst of them in
 * parallel starved the event loop (and, on PGlite, the file I/O of every other request) for seconds.
 * Logins queue here instead; the login limiter keeps the queue short.
 */
let hashing: Promise<unknown> = Promise.resolve();

function derive(password: string, salt: Buffer, options: ScryptOptions, bytes: number): Promise<Buffer> {
  const next = hashing.then(() => scryptNow(password, salt, options, bytes));
  hashing = next.catch(() => undefined);
  return next;
}

function scryptNow(password: string, salt: Buffer, options: ScryptOptions, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem above the default 32 MiB: N = 2^15, r = 8 needs 128 * N * r = 32 MiB plus a little.
    scrypt(password, salt, bytes, { ...options, maxmem: 64 * 1024 * 1024 }, (error, key) => {
      if (error === null) resolve(key);
      else reject(error);
    });
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, COST, KEY_BYTES);
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Compares in constant time; a stored value that is not a hash of ours never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = FORMAT.exec(stored);
  if (match === null) return false;
  const [, n, r, p, salt, hash] = match;
  const expected = Buffer.from(hash ?? '', 'base64');
  if (expected.length === 0) return false;
  const actual = await derive(
    password,
    Buffer.from(salt ?? '', 'base64'),
    { N: Number(n), r: Number(r), p: Number(p) },
    expected.length,
  );
  return timingSafeEqual(actual, expected);
}

/** A hash no password matches, checked against when a username is unknown so both cost the same time. */
export const UNKNOWN_USER_HASH = `scrypt$${COST.N}$${COST.r}$${COST.p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(KEY_BYTES).toString('base64')}`;

/** A random one-time password: 18 bytes, 24 base64url characters. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
