import { ConflictException, Logger, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditLog } from '../audit/audit-log.js';
import { bucketContext, migrate } from '../database/migrate.js';
import { PgliteDatabase } from '../database/pglite.repository.js';
import { SessionTokens } from './session-tokens.js';
import { UsersRepository } from './users.repository.js';
import { roleAtLeast, UsersService } from './users.service.js';

const SECRET = 'users-spec-secret-of-32-characters!!';

describe('users and sessions on PGlite', () => {
  let db: PgliteDatabase;
  let audit: AuditLog;
  let repository: UsersRepository;
  let now = Date.parse('2024-05-01T00:00:00Z');
  const tokens = new SessionTokens(SECRET, 12 * 3_600_000, () => now);

  /** A replica: its own service (and user cache) over the shared database. */
  const replica = (adminPassword?: string) =>
    new UsersService(repository, tokens, audit, { adminPassword, now: () => now });

  beforeAll(async () => {
    db = await PgliteDatabase.open('memory://');
    await migrate(db, bucketContext({ timeZone: 'Asia/Kolkata' }));
    audit = new AuditLog(db);
    repository = new UsersRepository(db);
  }, 60_000); // PGlite and seven migrations: seconds, more on a busy machine
  afterAll(() => db.close());
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const auditOf = async (action: string) =>
    (await audit.list({ limit: 100 })).filter((entry) => entry.action === action);

  it('creates admin once at first start, even with two replicas starting together, and logs the one-time password once', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    await Promise.all([replica().ensureFirstAdmin(), replica().ensureFirstAdmin()]);
    await replica().ensureFirstAdmin();
    const users = await replica().list();
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ username: 'admin', role: 'admin', districts: null, disabled: false });

    const printed = warn.mock.calls.map(([message]) => String(message));
    expect(printed).toHaveLength(1);
    const password = /one-time password (\S+) ;/.exec(printed[0] ?? '')?.[1];
    expect(printed[0]).toContain('change it with POST /api/auth/password');
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const login = await replica().login({ username: 'admin', password: password ?? '' });
    expect(login.user.username).toBe('admin');
    expect(await auditOf('user.created')).toMatchObject([
      { actor: 'system', subject: `user:${login.user.id}` },
    ]);

    // Bring the admin to a known password for the next cases.
    await replica().changePassword(login.user, password ?? '', 'admin-password-1');
  });

  it('logs in with the right password only, saying the same for an unknown user, and audits no failure', async () => {
    const users = replica();
    const before = (await audit.list({ limit: 100 })).length;
    await expect(users.login({ username: 'admin', password: 'wrong-password!' })).rejects.toThrow(
      new UnauthorizedException('wrong username or password'),
    );
    await expect(users.login({ username: 'nobody', password: 'admin-password-1' })).rejects.toThrow(
      new UnauthorizedException('wrong username or password'),
    );
    expect(await audit.list({ limit: 100 })).toHaveLength(before);
    const session = await users.login({ username: 'admin', password: 'admin-password-1' });
    expect(session.expiresAt).toBe('2024-05-01T12:00:00.000Z');
    expect(await users.authenticate(session.token)).toEqual({ ok: true, user: session.user });
  });

  it('creates users, refuses a taken username, and audits who did it', async () => {
    const users = replica();
    const created = await users.create('admin', {
      username: 'olga',
      password: 'operator-password',
      role: 'operator',
      districts: ['TN-CHN', 'TN-MDU'],
    });
    expect(created).toMatchObject({ username: 'olga', role: 'operator', districts: ['TN-CHN', 'TN-MDU'] });
    await expect(
      users.create('admin', {
        username: 'olga',
        password: 'another-password',
        role: 'viewer',
        districts: null,
      }),
    ).rejects.toThrow(new ConflictException('username: "olga" is taken'));
    expect(await auditOf('user.created')).toContainEqual(
      expect.objectContaining({ actor: 'admin', subject: `user:${created.id}` }),
    );
    const { user } = await users.login({ username: 'olga', password: 'operator-password' });
    expect(user.districts).toEqual(['TN-CHN', 'TN-MDU']);
  });

  it("ends a user's sessions when it is disabled, within the cache time on another replica and at once on this one", async () => {
    const here = replica();
    const elsewhere = replica();
    const { token, user } = await here.login({ username: 'olga', password: 'operator-password' });
    expect(await elsewhere.authenticate(token)).toMatchObject({ ok: true });

    await here.update('admin', user.id, { disabled: true });
    expect(await here.authenticate(token)).toEqual({ ok: false, reason: 'user "olga" is disabled' });
    expect(await elsewhere.authenticate(token)).toMatchObject({ ok: true }); // trusted from its cache
    now += UsersService.CACHE_TTL_MS;
    expect(await elsewhere.authenticate(token)).toEqual({ ok: false, reason: 'user "olga" is disabled' });
    await expect(here.login({ username: 'olga', password: 'operator-password' })).rejects.toThrow(
      'user "olga" is disabled: ask an admin to enable it',
    );

    await here.update('admin', user.id, { disabled: false, role: 'viewer' });
    const updates = await auditOf('user.updated');
    expect(updates[0]?.details).toEqual({
      username: 'olga',
      role: { from: 'operator', to: 'viewer' },
      disabled: false,
    });
    expect(await here.authenticate(token)).toMatchObject({ ok: true, user: { role: 'viewer' } });
  });

  it('ends the other sessions on a password change, and audits the change without the password', async () => {
    const users = replica();
    const old = await users.login({ username: 'olga', password: 'operator-password' });
    const fresh = await users.changePassword(old.user, 'operator-password', 'a-new-password');
    expect(await users.authenticate(old.token)).toEqual({
      ok: false,
      reason: 'session ended by a password change: log in again',
    });
    expect(await users.authenticate(fresh.token)).toMatchObject({ ok: true });
    await expect(users.changePassword(old.user, 'operator-password', 'x'.repeat(12))).rejects.toThrow(
      'current: not your current password',
    );
    const changes = await auditOf('user.password_changed');
    expect(changes[0]).toMatchObject({ actor: 'olga', subject: `user:${old.user.id}` });
    expect(JSON.stringify(changes)).not.toContain('a-new-password');
  });

  it('never leaves no enabled admin: the last one cannot be demoted, disabled or deleted', async () => {
    const users = replica();
    const [admin] = (await users.list()).filter((user) => user.username === 'admin');
    const id = admin?.id ?? '';
    const last = 'user "admin" is the last enabled admin: make another admin first';
    await expect(users.update('admin', id, { role: 'operator' })).rejects.toThrow(
      new ConflictException(last),
    );
    await expect(users.update('admin', id, { disabled: true })).rejects.toThrow(last);
    await expect(users.remove('admin', id)).rejects.toThrow(last);

    const second = await users.create('admin', {
      username: 'ada',
      password: 'second-admin-pw',
      role: 'admin',
      districts: null,
    });
    // Two admins demoting each other at once: the lock lets only one through.
    const results = await Promise.allSettled([
      users.update('ada', id, { role: 'viewer' }),
      users.update('admin', second.id, { role: 'viewer' }),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const admins = (await users.list()).filter((user) => user.role === 'admin' && !user.disabled);
    expect(admins).toHaveLength(1);
  });

  it('deletes a user, ending its sessions, and audits it; an unknown id is 404', async () => {
    const users = replica();
    const { token, user } = await users.login({ username: 'olga', password: 'a-new-password' });
    await users.remove('admin', user.id);
    expect(await users.authenticate(token)).toEqual({
      ok: false,
      reason: 'the user of this session no longer exists',
    });
    expect(await auditOf('user.deleted')).toMatchObject([{ actor: 'admin', subject: `user:${user.id}` }]);
    await expect(users.remove('admin', user.id)).rejects.toBeInstanceOf(NotFoundException);
    await expect(users.update('admin', 'no-such-id', { disabled: true })).rejects.toBeInstanceOf(
      NotFoundException,
    );
  });

  it('keeps one signing secret for every replica: the first one stored wins', async () => {
    const [first, second] = await Promise.all([
      repository.setting('jwt_secret', 'candidate-of-replica-one'),
      repository.setting('jwt_secret', 'candidate-of-replica-two'),
    ]);
    expect(first).toBe(second);
    expect(await repository.setting('jwt_secret', 'a-later-candidate')).toBe(first);
  });

  it('orders the roles admin > operator > viewer', () => {
    expect(roleAtLeast('admin', 'operator')).toBe(true);
    expect(roleAtLeast('operator', 'operator')).toBe(true);
    expect(roleAtLeast('operator', 'admin')).toBe(false);
    expect(roleAtLeast('viewer', 'operator')).toBe(false);
  });
});

describe('first start with ADMIN_PASSWORD', () => {
  it('gives admin that password and prints nothing secret', async () => {
    const db = await PgliteDatabase.open('memory://');
    try {
      await migrate(db, bucketContext({ timeZone: 'Asia/Kolkata' }));
      const log = vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
      const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      const users = new UsersService(
        new UsersRepository(db),
        new SessionTokens(SECRET, 3_600_000),
        new AuditLog(db),
        { adminPassword: 'fixed-admin-password' },
      );
      await users.ensureFirstAdmin();
      const printed = [...log.mock.calls, ...warn.mock.calls].map(([message]) => String(message));
      expect(printed).toContain('first start: created user admin with the password from ADMIN_PASSWORD');
      expect(printed.join('\n')).not.toContain('fixed-admin-password');
      expect(await users.login({ username: 'admin', password: 'fixed-admin-password' })).toMatchObject({
        user: { role: 'admin' },
      });
    } finally {
      vi.restoreAllMocks();
      await db.close();
    }
  }, 60_000);
});
