import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { SessionTokens } from './session-tokens.js';

const SECRET = 'a-test-secret-of-at-least-32-characters';
const HOUR = 3_600_000;
const claims = { userId: 'u-1', role: 'operator', tokenVersion: 3 } as const;

describe('session tokens', () => {
  it('carry the user id, role and token version, and expire after the TTL', async () => {
    let now = Date.parse('2024-05-01T10:00:00Z');
    const tokens = new SessionTokens(SECRET, 12 * HOUR, () => now);
    const { token, expiresAt } = await tokens.sign(claims);
    expect(expiresAt.toISOString()).toBe('2024-05-01T22:00:00.000Z');
    expect(await tokens.verify(token)).toEqual({ ok: true, claims });

    now += 12 * HOUR - 1_000;
    expect(await tokens.verify(token)).toMatchObject({ ok: true });
    now += 1_000;
    expect(await tokens.verify(token)).toEqual({
      ok: false,
      reason: 'session expired: log in again (POST /api/auth/login)',
    });
  });

  it('are refused when signed with another secret, tampered with, or not JWTs at all', async () => {
    const tokens = new SessionTokens(SECRET, HOUR);
    const other = new SessionTokens(`${SECRET}-other`, HOUR);
    const { token } = await other.sign(claims);
    const invalid = { ok: false, reason: 'invalid session token: log in again (POST /api/auth/login)' };
    expect(await tokens.verify(token)).toEqual(invalid);

    const [header, payload, signature] = (await tokens.sign(claims)).token.split('.');
    const elevated = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), role: 'admin' }),
    ).toString('base64url');
    expect(await tokens.verify(`${header}.${elevated}.${signature}`)).toEqual(invalid);
    for (const garbage of ['', 'x', 'a.b.c', `${header}.${payload}.`]) {
      expect(await tokens.verify(garbage), garbage).toEqual(invalid);
    }
  });

  it('refuse an unsigned token (alg none) and one of another issuer', async () => {
    const tokens = new SessionTokens(SECRET, HOUR);
    const body = Buffer.from(
      JSON.stringify({ sub: 'u-1', role: 'admin', ver: 1, iss: 'district-monitor', iat: 1, exp: 9e9 }),
    ).toString('base64url');
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${body}.`;
    expect(await tokens.verify(none)).toMatchObject({ ok: false });

    const foreign = await new SignJWT({ role: 'admin', ver: 1 })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('someone-else')
      .setSubject('u-1')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    expect(await tokens.verify(foreign)).toMatchObject({ ok: false });
  });

  it('refuse a correctly signed token whose claims are not ours', async () => {
    const tokens = new SessionTokens(SECRET, HOUR);
    const odd = await new SignJWT({ role: 'superuser', ver: 1 })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('district-monitor')
      .setSubject('u-1')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    expect(await tokens.verify(odd)).toEqual({
      ok: false,
      reason: 'invalid session token: unexpected claims',
    });
  });
});
