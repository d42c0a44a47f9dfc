import {
  ForbiddenException,
  Inject,
  Injectable,
  RequestMethod,
  ServiceUnavailableException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { Reflector, type DiscoveryService, type MetadataScanner } from '@nestjs/core';
import { WsException } from '@nestjs/websockets';
import type { Response } from 'express';
import type { Socket } from 'socket.io';
import type { Role } from '@district-monitor/streams';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/tokens.js';
import { parseKey } from '../producer-keys/producer-key.js';
import {
  ProducerKeyGuard,
  bearerChallenge,
  producerOf,
  type BearerError,
} from '../producer-keys/producer-key.guard.js';
import { ProducerKeysService } from '../producer-keys/producer-keys.service.js';
import { ACCESS_KEY, type AccessLevel, type AuthenticatedRequest, type SocketData } from '../http/access.js';
import { roleAtLeast, UsersService, type Authentication } from './users.service.js';

/** A credential as presented on a user route. */
type Presented =
  | { readonly kind: 'none' }
  | { readonly kind: 'refused'; readonly message: string }
  | { readonly kind: 'producer-key'; readonly key: string }
  | { readonly kind: 'token'; readonly token: string };

/** From `Authorization: Bearer <token or key>`, or `X-Api-Key: <producer key>`. */
export function presentedCredential(headers: AuthenticatedRequest['headers']): Presented {
  const authorization = headers.authorization?.trim() ?? '';
  const apiKey = headers['x-api-key'];
  const headerKey = (Array.isArray(apiKey) ? apiKey.join(',') : (apiKey ?? '')).trim();
  let bearer: string | undefined;
  if (authorization !== '') {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (match?.[1] === undefined) {
      // Only the scheme is echoed: the rest may be a credential.
      const scheme = (authorization.split(/\s/)[0] ?? '').slice(0, 20);
      return {
        kind: 'refused',
        message: `Authorization: expected "Bearer <token>", got a "${scheme}" credential`,
      };
    }
    bearer = match[1];
  }
  const credential = bearer ?? (headerKey === '' ? undefined : headerKey);
  if (credential === undefined) return { kind: 'none' };
  return parseKey(credential) !== undefined
    ? { kind: 'producer-key', key: credential }
    : { kind: 'token', token: credential };
}

/**
 * The one global guard (APP_GUARD): reads the route's `@Access(level)` and lets the request through
 * only with the credential that level asks for, leaving the principal on `request.principal`.
 *
 * - No `@Access`: 403 "route has no access rule" (fail closed), and the route is named at start-up.
 * - `public`: anyone.
 * - `producer`: a producer key alone (unless INGEST_AUTH=off: anyone); a user session gets 403.
 * - a role: a user session of at least that role; a producer key gets 403 (it publishes, nothing else).
 *
 * 401 (with `WWW-Authenticate: Bearer`) when the credential is missing or invalid, 403 when it is valid
 * but not enough. Socket.IO handlers: the handshake middleware (auth/socket-auth.adapter.ts) already
 * authenticated the socket; a handler without `@Access` needs a viewer.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(ProducerKeysService) private readonly keys: ProducerKeysService,
    @Inject(ProducerKeyGuard) private readonly producerGuard: ProducerKeyGuard,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const level = this.reflector.getAllAndOverride<AccessLevel | undefined>(ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    switch (context.getType()) {
      case 'http':
        return this.http(context, level);
      case 'ws':
        return this.socket(context, level);
      case 'rpc':
        return false;
    }
  }

  private async http(context: ExecutionContext, level: AccessLevel | undefined): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    switch (level) {
      case undefined:
        throw new ForbiddenException(
          `route has no access rule: ${request.method} ${request.path} is refused`,
        );
      case 'public':
        await this.noteUser(request);
        return true;
      case 'producer':
        return this.producer(context, request);
      case 'viewer':
      case 'operator':
      case 'admin':
        return this.user(request, response, level);
    }
  }

  /**
   * On a public route, notes the user of a valid session token when one is sent (health shows its
   * details only to users); anything else is ignored, as the route needs no credential.
   */
  private async noteUser(request: AuthenticatedRequest): Promise<void> {
    const presented = presentedCredential(request.headers);
    if (presented.kind !== 'token') return;
    const authentication = await this.users.authenticate(presented.token).catch(() => undefined);
    if (authentication?.ok === true) request.principal = { kind: 'user', user: authentication.user };
    // The user could not be read (the database is down): a signed, unexpired token still sees health's details.
    else if (authentication === undefined) request.signedSession = await this.users.signed(presented.token);
  }

  private async producer(context: ExecutionContext, request: AuthenticatedRequest): Promise<boolean> {
    if (!this.config.ingest.requireProducerKey) return true;
    const presented = presentedCredential(request.headers);
    if (presented.kind === 'token' && (await this.authenticate(presented.token)).ok) {
      throw new ForbiddenException(
        'a user session cannot publish events: POST /api/events takes a producer key ' +
          '(Authorization: Bearer dmk_...)',
      );
    }
    // The producer key guard answers 401 (no, malformed, unknown or revoked key) or 503.
    await this.producerGuard.canActivate(context);
    const producer = producerOf(request);
    if (producer !== undefined)
      request.principal = { kind: 'producer', keyId: producer.id, name: producer.name };
    return true;
  }

  private async user(request: AuthenticatedRequest, response: Response, level: Role): Promise<boolean> {
    const challenge = (message: string, error?: BearerError) => bearerChallenge(response, message, error);
    const presented = presentedCredential(request.headers);
    switch (presented.kind) {
      case 'none':
        throw challenge(
          'log in first: send Authorization: Bearer <token>, the token from POST /api/auth/login',
        );
      case 'refused':
        throw challenge(presented.message, 'invalid_request');
      case 'producer-key': {
        let valid: boolean;
        try {
          valid = (await this.keys.verify(presented.key)).ok;
        } catch (error) {
          throw new ServiceUnavailableException('the credential could not be checked; retry later', {
            cause: error,
          });
        }
        if (!valid) throw challenge('unknown or revoked producer key', 'invalid_token');
        throw new ForbiddenException(
          `a producer key can only publish events (POST /api/events); this route needs a user session with the ${level} role`,
        );
      }
      case 'token':
        break;
    }
    const authentication = await this.authenticate(presented.token);
    if (!authentication.ok) throw challenge(authentication.reason, 'invalid_token');
    const { user } = authentication;
    if (!roleAtLeast(user.role, level)) {
      throw new ForbiddenException(
        `this route needs the ${level} role; user "${user.username}" is ${user.role}`,
      );
    }
    request.principal = { kind: 'user', user };
    return true;
  }

  private socket(context: ExecutionContext, level: AccessLevel | undefined): boolean {
    if (level === 'public') return true;
    const client = context.switchToWs().getClient<Socket<never, never, never, Partial<SocketData>>>();
    const user = client.data.user;
    if (user === undefined) throw new WsException('unauthorized: the connection has no user session');
    const required = level ?? 'viewer';
    if (required === 'producer') throw new WsException('forbidden: producer routes are HTTP only');
    if (!roleAtLeast(user.role, required)) {
      throw new WsException(`forbidden: needs the ${required} role; user "${user.username}" is ${user.role}`);
    }
    return true;
  }

  private async authenticate(token: string): Promise<Authentication> {
    try {
      return await this.users.authenticate(token);
    } catch (error) {
      throw new ServiceUnavailableException('the session could not be checked; retry later', {
        cause: error,
      });
    }
  }
}

/** `GET /api/x (XController.method)` for every controller method without an access level. */
export function routesWithoutAccess(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
  reflector: Reflector,
): string[] {
  const missing: string[] = [];
  for (const wrapper of discovery.getControllers()) {
    const type = wrapper.metatype;
    if (typeof type !== 'function') continue;
    const prototype = type.prototype as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name];
      if (typeof handler !== 'function') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) continue;
      const level = reflector.getAllAndOverride<AccessLevel | undefined>(ACCESS_KEY, [handler, type]);
      if (level !== undefined) continue;
      const parts = [Reflect.getMetadata(PATH_METADATA, type), Reflect.getMetadata(PATH_METADATA, handler)];
      const path = parts.filter((part): part is string => typeof part === 'string' && part !== '').join('/');
      missing.push(
        `${RequestMethod[method]} /${path.replace(/^\/+/, '').replace(/\/+/g, '/')} (${type.name}.${name})`,
      );
    }
  }
  return missing;
}
