import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createPostgresDatabase } from '../../backend/src/bench/bench-kit.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A service the tests need; missing means the run was not started through `npm test`, which is a failure. */
export function requireEnv(name: 'KAFKA_BROKERS' | 'DATABASE_URL' | 'CHROMIUM' | 'REDIS_URL'): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(
      `${name} is not set: run the suite with \`npm test\`, which starts Kafka, PostgreSQL, Redis and Chromium`,
    );
  }
  return value;
}

export const uniqueName = (prefix: string): string =>
  `${prefix}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

/** A fresh PostgreSQL database for one test file, dropped afterwards. */
export function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  return createPostgresDatabase(requireEnv('DATABASE_URL'), 't');
}

/** Polls `check` until it returns a value other than undefined; fails with `what` and the last value seen. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 60_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
