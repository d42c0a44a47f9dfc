import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/tokens.js';

/** One throttle: `burst` attempts at once, then one more per `refillSeconds`. */
interface Limit {
  readonly burst: number;
  readonly refillSeconds: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets kept per kind at most; full buckets are dropped first (they hold nothing to remember). */
const MAX_BUCKETS = 50_000;

export type LoginAdmission =
  | { readonly ok: true; readonly release: (succeeded: boolean) => void }
  | { readonly ok: false; readonly retryAfterSeconds: number; readonly what: 'account' | 'address' };

/**
 * Login throttling per account and per client address, checked BEFORE the password hash is computed,
 * so a refused login costs a map lookup and no scrypt. Every attempt takes a token from both buckets
 * up front (parallel guesses cannot all slip in before the first failure is counted); a successful
 * login gives its tokens back, so only failures use up the allowance.
 */
@Injectable()
export class LoginLimiter {
  private readonly accounts = new Map<string, Bucket>();
  private readonly addresses = new Map<string, Bucket>();
  private readonly now: () => number;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.now = Date.now;
  }

  /** Admits an attempt, or says how long to wait; `release(succeeded)` after the password check. */
  admit(username: string, address: string): LoginAdmission {
    const now = this.now();
    const account = this.bucket(this.accounts, username.toLowerCase(), this.config.http.loginAccount, now);
    const client = this.bucket(this.addresses, address, this.config.http.loginAddress, now);
    const accountWait = wait(account, this.config.http.loginAccount);
    const addressWait = wait(client, this.config.http.loginAddress);
    if (accountWait > 0 || addressWait > 0) {
      return accountWait >= addressWait
        ? { ok: false, retryAfterSeconds: accountWait, what: 'account' }
        : { ok: false, retryAfterSeconds: addressWait, what: 'address' };
    }
    account.tokens -= 1;
    client.tokens -= 1;
    return {
      ok: true,
      release: (succeeded) => {
        if (!succeeded) return;
        account.tokens = Math.min(this.config.http.loginAccount.burst, account.tokens + 1);
        client.tokens = Math.min(this.config.http.loginAddress.burst, client.tokens + 1);
      },
    };
  }

  private bucket(buckets: Map<string, Bucket>, key: string, limit: Limit, now: number): Bucket {
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      if (buckets.size >= MAX_BUCKETS) prune(buckets, limit, now);
      bucket = { tokens: limit.burst, at: now };
      buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(limit.burst, bucket.tokens + (now - bucket.at) / 1000 / limit.refillSeconds);
    bucket.at = now;
    return bucket;
  }
}

/** Whole seconds until the bucket holds one token (0 when it holds one now). */
function wait(bucket: Bucket, limit: Limit): number {
  return bucket.tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - bucket.tokens) * limit.refillSeconds));
}

/** Drops the buckets that have refilled (they remember nothing); when none has, the oldest half. */
function prune(buckets: Map<string, Bucket>, limit: Limit, now: number): void {
  for (const [key, bucket] of buckets) {
    if (bucket.tokens + (now - bucket.at) / 1000 / limit.refillSeconds >= limit.burst) buckets.delete(key);
  }
  if (buckets.size < MAX_BUCKETS) return;
  let drop = Math.floor(buckets.size / 2);
  for (const key of buckets.keys()) {
    if (drop-- <= 0) break;
    buckets.delete(key);
  }
}

/** The 429 of a throttled login; the caller sets `Retry-After`. */
export function loginThrottled(admission: Extract<LoginAdmission, { ok: false }>): HttpException {
  return new HttpException(
    `too many failed logins for this ${admission.what}: retry in ${admission.retryAfterSeconds} s`,
    HttpStatus.TOO_MANY_REQUESTS,
  );
}
