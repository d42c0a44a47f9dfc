import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketContext, migrate } from '../database/migrate.js';
import { PgliteDatabase } from '../database/pglite.repository.js';
import { ProducerKeysRepository } from './producer-keys.repository.js';
import { ProducerKeyError, ProducerKeysService } from './producer-keys.service.js';

describe('producer keys on PGlite', () => {
  let db: PgliteDatabase;
  let repository: ProducerKeysRepository;
  let now = 0;
  /** The backend's service, with a clock the test moves. */
  let backend: ProducerKeysService;
  /** The admin command's, in effect another process: it shares only the database. */
  let admin: ProducerKeysService;

  beforeAll(async () => {
    db = await PgliteDatabase.open('memory://');
    await migrate(db, bucketContext({ timeZone: 'Asia/Kolkata' }));
    repository = new ProducerKeysRepository(db);
    backend = new ProducerKeysService(repository, { now: () => now });
    admin = new ProducerKeysService(repository);
  });
  afterAll(() => db.close());

  it('verifies a new key with its limits, and stores only the hash of its secret', async () => {
    const { key, info } = await admin.create('fir-chennai', { ratePerSecond: 50, burst: 500 });
    expect(info).toMatchObject({ name: 'fir-chennai', ratePerSecond: 50, burst: 500, revokedAt: null });
    expect(await backend.verify(key)).toEqual({
      ok: true,
      producer: { kind: 'producer', id: info.id, name: 'fir-chennai', ratePerSecond: 50, burst: 500 },
    });
    const { rows } = await db.query<Record<string, unknown>>('SELECT * FROM producer_keys WHERE id = $1', [
      info.id,
    ]);
    expect(JSON.stringify(rows)).not.toContain(key.slice(13));
    expect(rows[0]?.last_used_at).toBeInstanceOf(Date);
  });

  it('says malformed, or unknown or revoked, without telling an unknown id from a wrong secret', async () => {
    const { key } = await admin.create('dispatch-112');
    expect(await backend.verify('dmk_nope')).toEqual({ ok: false, problem: 'malformed' });
    const wrongSecret = `${key.slice(0, 13)}${'A'.repeat(43)}`;
    const unknownId = `dmk_00000000_${key.slice(13)}`;
    expect(await backend.verify(wrongSecret)).toEqual({ ok: false, problem: 'unknown-or-revoked' });
    expect(await backend.verify(unknownId)).toEqual({ ok: false, problem: 'unknown-or-revoked' });
    // A wrong secret first must not spoil the right one.
    expect(await backend.verify(key)).toMatchObject({ ok: true });
  });

  it('stops accepting a key revoked elsewhere once its cache entry is older than the TTL', async () => {
    now = 1_000_000;
    const { key } = await admin.create('road-records');
    expect(await backend.verify(key)).toMatchObject({ ok: true });
    await admin.revoke('road-records');
    now += ProducerKeysService.CACHE_TTL_MS - 1;
    expect(await backend.verify(key)).toMatchObject({ ok: true }); // trusted from the cache
    now += 1;
    expect(await backend.verify(key)).toEqual({ ok: false, problem: 'unknown-or-revoked' });
  });

  it('reads the database once per key per TTL, however many requests verify', async () => {
    now = 2_000_000;
    const { key } = await admin.create('cctns');
    let lookups = 0;
    const counting = Object.assign(Object.create(repository) as ProducerKeysRepository, {
      findById: (id: string) => {
        lookups++;
        return repository.findById(id);
      },
    });
    const service = new ProducerKeysService(counting, { now: () => now });
    await Promise.all(Array.from({ length: 20 }, () => service.verify(key)));
    expect(lookups).toBe(1);
    now += ProducerKeysService.CACHE_TTL_MS;
    await service.verify(key);
    expect(lookups).toBe(2);
  });

  it('revokes by name, idempotently, and never reuses a name', async () => {
    const { key } = await admin.create('fir-madurai');
    expect(await admin.revoke('fir-madurai')).toMatchObject({ alreadyRevoked: false });
    expect(await admin.revoke('fir-madurai')).toMatchObject({ alreadyRevoked: true });
    // The revoking service forgets the key at once.
    expect(await admin.verify(key)).toEqual({ ok: false, problem: 'unknown-or-revoked' });
    await expect(admin.create('fir-madurai')).rejects.toThrow(
      /^a key named "fir-madurai" already exists \(revoked .+\); names are never reused/,
    );
    await expect(admin.revoke('no-such-key')).rejects.toThrow('no key named "no-such-key"');
  });

  it('refuses bad names and limits before touching the database', async () => {
    await expect(admin.create('has space')).rejects.toBeInstanceOf(ProducerKeyError);
    await expect(admin.create('-dash')).rejects.toThrow(/^name "-dash": 1-64 letters/);
    await expect(admin.create('ok', { ratePerSecond: 0, burst: 1 })).rejects.toThrow(
      'rate 0: expected a whole number from 1 to 1000000',
    );
    await expect(admin.create('ok', { ratePerSecond: 1, burst: 1.5 })).rejects.toThrow(/^burst 1.5/);
    expect((await admin.list()).map((key) => key.name)).not.toContain('ok');
  });

  it('lists every key without its hash', async () => {
    const keys = await admin.list();
    expect(keys.map((key) => key.name)).toEqual([
      'fir-chennai',
      'dispatch-112',
      'road-records',
      'cctns',
      'fir-madurai',
    ]);
    expect(keys[0]).not.toHaveProperty('secretHash');
    expect(keys.find((key) => key.name === 'road-records')?.revokedAt).toBeInstanceOf(Date);
  });
});
