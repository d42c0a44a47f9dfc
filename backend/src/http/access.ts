import { applyDecorators, SetMetadata, UnauthorizedException } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtension,
  ApiForbiddenResponse,
  ApiSecurity,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import type { Role, UserInfo } from '@district-monitor/streams';

/**
 * Who may call a route. Every controller method carries exactly one `@Access(...)`; the global guard
 * (auth/access.guard.ts) refuses a route without one, so a new route cannot be open by accident.
 *
 * - `public`: anyone (health, login, the OpenAPI document).
 * - `producer`: a producer key (`POST /api/events`), and nothing else can call it.
 * - `viewer` / `operator` / `admin`: a user session (JWT) with at least that role.
 */
export type AccessLevel = 'public' | 'producer' | Role;

export const ACCESS_KEY = 'district-monitor:access';

/**
 * The OpenAPI security scheme names (auth/openapi.ts declares them). The session's is swagger's
 * default name, so a stray `@ApiBearerAuth()` names the same scheme.
 */
export const SESSION_SCHEME = 'bearer';
export const PRODUCER_KEY_SCHEME = 'producer-key';

/**
 * Sets the route's access level, and documents it in the OpenAPI document: the `x-access` extension,
 * the security scheme it takes, and its 401 / 403 answers.
 */
export const Access = (level: AccessLevel) => {
  const documented =
    level === 'public'
      ? []
      : level === 'producer'
        ? [
            ApiSecurity(PRODUCER_KEY_SCHEME),
            ApiUnauthorizedResponse({ description: 'no, a malformed, an unknown or a revoked producer key' }),
            ApiForbiddenResponse({ description: 'a user session: only a producer key publishes' }),
          ]
        : [
            ApiBearerAuth(SESSION_SCHEME),
            ApiUnauthorizedResponse({ description: 'no session token, or an invalid or expired one' }),
            ApiForbiddenResponse({ description: `a role below ${level}, or a producer key` }),
          ];
  return applyDecorators(SetMetadata(ACCESS_KEY, level), ApiExtension('x-access', level), ...documented);
};

/** Who made a request, as the guard established it. */
export type Principal =
  | { readonly kind: 'user'; readonly user: UserInfo }
  | { readonly kind: 'producer'; readonly keyId: string; readonly name: string };

/** Where the guard leaves the principal on the request. */
export interface AuthenticatedRequest extends Request {
  principal?: Principal;
  /**
   * On a public route: a session token whose signature and expiry check out, although its user could
   * not be read (the database does not answer). Health shows its reasons to such a caller.
   */
  signedSession?: boolean;
}

/** The user behind a request to a user route (the guard has checked there is one). */
export function userOf(request: Request): UserInfo {
  const principal = (request as AuthenticatedRequest).principal;
  if (principal?.kind !== 'user') throw new UnauthorizedException('this route needs a user session');
  return principal.user;
}

/** Whether the user may see what belongs to this group (a district, or the region's producer group). */
export function visibleTo(user: UserInfo, district: string): boolean {
  return user.districts === null || user.districts.includes(district);
}

/** The audit log's name for whoever made the request: a username, or `producer:<key id>`. */
export function actorOf(request: Request): string {
  const principal = (request as AuthenticatedRequest).principal;
  if (principal === undefined) return 'anonymous';
  return principal.kind === 'user' ? principal.user.username : `producer:${principal.keyId}`;
}

/** What the Socket.IO handshake middleware leaves on `socket.data`. */
export interface SocketData {
  user: UserInfo;
}
