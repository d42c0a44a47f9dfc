import { Logger } from '@nestjs/common';
import {
  DEFAULT_RATE_LIMIT,
  generateKey,
  hashSecret,
  MAX_RATE_LIMIT,
  NAME_PATTERN,
  parseKey,
  secretMatches,
  type RateLimit,
} from './producer-key.js';
import type { ProducerKeyRow, ProducerKeysRepository } from './producer-keys.repository.js';

/**
 * Who is calling, once a producer key is verified. A producer key grants exactly one thing: publishing
 * events through `POST /api/events`. Nothing else may accept it as a credential.
 */
export interface ProducerPrincipal extends RateLimit {
  readonly kind: 'producer';
  readonly id: string;
  readonly name: string;
}

export type Verification =
  | { readonly ok: true; readonly producer: ProducerPrincipal }
  /** `unknown-or-revoked` covers a wrong secret too: a caller learns nothing about which ids exist. */
  | { readonly ok: false; readonly problem: 'malformed' | 'unknown-or-revoked' };

/** What `list` shows of a key: everything but its hash. */
export type ProducerKeyInfo = Omit<ProducerKeyRow, 'secretHash'>;

/** A refused admin action (bad name, name taken, no such key), with a message for the admin. */
export class ProducerKeyError extends Error {
  constructor(
    message: string,
    /** What went wrong, for the HTTP routes: 400, 409, 404. */
    readonly kind: 'invalid' | 'taken' | 'not-found' = 'invalid',
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ProducerKeyError';
  }
}

type StoredKey = ProducerPrincipal & { readonly secretHash: string };

interface CacheEntry {
  /** The active key with this id, or null when there is none (unknown or revoked). */
  readonly load: Promise<StoredKey | null>;
  readonly expiresAt: number;
  touched: boolean;
}

/** Compared against when an id is unknown, so an unknown id costs the same time as a wrong secret. */
const NO_KEY_HASH = hashSecret('no key has this id');

const infoOf = ({ secretHash: _, ...info }: ProducerKeyRow): ProducerKeyInfo => info;

/** Creates, revokes, lists and verifies producer keys. */
export class ProducerKeysService {
  /**
   * How long a looked-up key is trusted without asking the database again. Ingest therefore reads
   * `producer_keys` at most once per key per TTL, and a revocation reaches a running backend (on a
   * PostgreSQL server; the embedded database is revoked with the backend stopped) within this time.
   */
  static readonly CACHE_TTL_MS = 5_000;
  private readonly logger = new Logger('ProducerKeys');
  private readonly cache = new Map<string, CacheEntry>();
  private readonly cacheTtlMs: number;
  private readonly maxCached: number;
  private readonly now: () => number;

  constructor(
    private readonly repository: ProducerKeysRepository,
    options: { cacheTtlMs?: number; maxCached?: number; now?: () => number } = {},
  ) {
    this.cacheTtlMs = options.cacheTtlMs ?? ProducerKeysService.CACHE_TTL_MS;
    this.maxCached = options.maxCached ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Creates a key named `name`; the returned `key` is the only time the full key exists outside the caller. */
  async create(
    name: string,
    limit: RateLimit = DEFAULT_RATE_LIMIT,
  ): Promise<{ key: string; info: ProducerKeyInfo }> {
    if (!NAME_PATTERN.test(name)) {
      throw new ProducerKeyError(
        `name "${name}": 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
      );
    }
    for (const [what, value] of [
      ['rate', limit.ratePerSecond],
      ['burst', limit.burst],
    ] as const) {
      if (!Number.isInteger(value) || value < 1 || value > MAX_RATE_LIMIT) {
        throw new ProducerKeyError(`${what} ${value}: expected a whole number from 1 to ${MAX_RATE_LIMIT}`);
      }
    }
    // 32-bit ids collide rarely; a collision just draws again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const generated = generateKey();
      const result = await this.repository.insert({
        id: generated.id,
        name,
        secretHash: generated.secretHash,
        ...limit,
      });
      if ('inserted' in result) return { key: generated.key, info: infoOf(result.inserted) };
      if (result.taken === 'name') {
        const existing = await this.repository.findByName(name);
        const revokedAt = existing?.revokedAt ?? null;
        const state = revokedAt === null ? 'active' : `revoked ${revokedAt.toISOString()}`;
        throw new ProducerKeyError(
          `a key named "${name}" already exists (${state}); names are never reused, choose another`,
          'taken',
        );
      }
    }
    throw new ProducerKeyError('could not draw an unused key id; try again');
  }

  /** Revokes the key named `name` (idempotent); it stops working within CACHE_TTL_MS everywhere. */
  async revoke(name: string): Promise<{ info: ProducerKeyInfo; alreadyRevoked: boolean }> {
    const before = await this.repository.findByName(name);
    if (before === undefined) throw new ProducerKeyError(`no key named "${name}"`, 'not-found');
    const after = await this.repository.revoke(name);
    if (after === undefined) throw new ProducerKeyError(`no key named "${name}"`, 'not-found');
    this.cache.delete(after.id);
    return { info: infoOf(after), alreadyRevoked: before.revokedAt !== null };
  }

  /** `revoke` by the key's id (`DELETE /api/producer-keys/:id`). */
  async revokeById(id: string): Promise<{ info: ProducerKeyInfo; alreadyRevoked: boolean }> {
    const key = await this.repository.findById(id);
    if (key === undefined) throw new ProducerKeyError(`no key with id "${id}"`, 'not-found');
    return this.revoke(key.name);
  }

  async list(): Promise<ProducerKeyInfo[]> {
    return (await this.repository.list()).map(infoOf);
  }

  /** Checks a presented key; throws only when the database could not be asked. */
  async verify(presented: string): Promise<Verification> {
    const parsed = parseKey(presented);
    if (parsed === undefined) return { ok: false, problem: 'malformed' };
    const entry = this.entryFor(parsed.id);
    let key: StoredKey | null;
    try {
      key = await entry.load;
    } catch (error) {
      if (this.cache.get(parsed.id) === entry) this.cache.delete(parsed.id);
      throw error;
    }
    if (!secretMatches(parsed.secret, key?.secretHash ?? NO_KEY_HASH) || key === null) {
      return { ok: false, problem: 'unknown-or-revoked' };
    }
    if (!entry.touched) {
      // last_used_at is therefore exact to within one TTL.
      entry.touched = true;
      await this.repository.touch(key.id).catch((error: unknown) => {
        this.logger.warn(`could not record the use of key "${key.name}": ${String(error)}`);
      });
    }
    const { secretHash: _, ...producer } = key;
    return { ok: true, producer };
  }

  /** The cache entry for `id`, loading it when missing or expired; concurrent callers share one load. */
  private entryFor(id: string): CacheEntry {
    const now = this.now();
    const cached = this.cache.get(id);
    if (cached !== undefined && cached.expiresAt > now) return cached;
    if (this.cache.size >= this.maxCached) this.evict(now);
    const entry: CacheEntry = {
      load: this.repository.findById(id).then((row) =>
        row === undefined || row.revokedAt !== null
          ? null
          : {
              kind: 'producer' as const,
              id: row.id,
              name: row.name,
              ratePerSecond: row.ratePerSecond,
              burst: row.burst,
              secretHash: row.secretHash,
            },
      ),
      expiresAt: now + this.cacheTtlMs,
      touched: false,
    };
    this.cache.set(id, entry);
    return entry;
  }

  /** Drops expired entries, and the oldest ones if unknown ids alone fill the cache. */
  private evict(now: number): void {
    for (const [id, entry] of this.cache) if (entry.expiresAt <= now) this.cache.delete(id);
    for (const id of this.cache.keys()) {
      if (this.cache.size < this.maxCached) break;
      this.cache.delete(id);
    }
  }
}
