import { errors, jwtVerify, SignJWT } from 'jose';
import { ROLES, type Role } from '@district-monitor/streams';

const ISSUER = 'district-monitor';
const ALGORITHM = 'HS256';

/** What a session token says: who, with which role when issued, and which password generation. */
export interface SessionClaims {
  readonly userId: string;
  readonly role: Role;
  /** The user's token version when the token was issued; a password change bumps it. */
  readonly tokenVersion: number;
}

export type TokenCheck =
  { readonly ok: true; readonly claims: SessionClaims } | { readonly ok: false; readonly reason: string };

/** jose's failures of a token itself (bad shape, signature, claims): the caller's problem, not ours. */
const TOKEN_FAILURES = new Set([
  'ERR_JWS_INVALID',
  'ERR_JWT_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
]);

/**
 * Session tokens: JWTs signed with HS256 by one secret that every replica on a database shares
 * (JWT_SECRET, or the one kept in `auth_settings`). Stateless to check; the guard still re-reads the
 * user, so a disabled or deleted user, or a changed password, ends the session.
 */
export class SessionTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async sign(claims: SessionClaims): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(this.now() / 1000);
    const expiresAt = new Date((issuedAt + Math.floor(this.ttlMs / 1000)) * 1000);
    const token = await new SignJWT({ role: claims.role, ver: claims.tokenVersion })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setIssuer(ISSUER)
      .setSubject(claims.userId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
    return { token, expiresAt };
  }

  /** Checks the signature, issuer and expiry; the reason is fit to show the caller. */
  async verify(token: string): Promise<TokenCheck> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: ISSUER,
        requiredClaims: ['sub', 'exp', 'iat'],
        currentDate: new Date(this.now()),
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) {
        return { ok: false, reason: 'session expired: log in again (POST /api/auth/login)' };
      }
      if (error instanceof errors.JOSEError && TOKEN_FAILURES.has(error.code)) {
        return { ok: false, reason: 'invalid session token: log in again (POST /api/auth/login)' };
      }
      throw error;
    }
    const { sub, role, ver } = payload;
    if (
      typeof sub !== 'string' ||
      typeof role !== 'string' ||
      !(ROLES as readonly string[]).includes(role) ||
      typeof ver !== 'number' ||
      !Number.isInteger(ver)
    ) {
      return { ok: false, reason: 'invalid session token: unexpected claims' };
    }
    return { ok: true, claims: { userId: sub, role: role as Role, tokenVersion: ver } };
  }
}
