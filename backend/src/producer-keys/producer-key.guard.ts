import {
  Inject,
  Injectable,
  ServiceUnavailableException,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/tokens.js';
import { KEY_SHAPE } from './producer-key.js';
import { ProducerKeysService, type ProducerPrincipal } from './producer-keys.service.js';

const producers = new WeakMap<Request, ProducerPrincipal>();

export type BearerError = 'invalid_request' | 'invalid_token';

/** A 401 with its RFC 6750 challenge: the scheme wanted, and the error when a credential was sent. */
export function bearerChallenge(
  response: Response,
  message: string,
  error?: BearerError,
): UnauthorizedException {
  response.setHeader(
    'WWW-Authenticate',
    error === undefined
      ? 'Bearer realm="district-monitor"'
      : `Bearer realm="district-monitor", error="${error}"`,
  );
  return new UnauthorizedException(message);
}

/** The producer the guard verified for this request; undefined when INGEST_AUTH=off. */
export function producerOf(request: Request): ProducerPrincipal | undefined {
  return producers.get(request);
}

type Presented = { kind: 'key'; key: string } | { kind: 'none' } | { kind: 'refused'; message: string };

/** The key from `Authorization: Bearer <key>` or `X-Api-Key: <key>`. */
export function presentedKey(headers: Request['headers']): Presented {
  const authorization = headers.authorization?.trim();
  const apiKey = headers['x-api-key'];
  const headerKey = (Array.isArray(apiKey) ? apiKey.join(',') : apiKey)?.trim();
  let bearer: string | undefined;
  if (authorization !== undefined && authorization !== '') {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (match?.[1] === undefined) {
      // Only the scheme is echoed: the rest may be a credential.
      const scheme = authorization.split(/\s/)[0] ?? '';
      return {
        kind: 'refused',
        message: `Authorization: expected "Bearer dmk_...", got a "${scheme.slice(0, 20)}" credential`,
      };
    }
    bearer = match[1];
  }
  if (bearer !== undefined && headerKey !== undefined && headerKey !== '' && headerKey !== bearer) {
    return { kind: 'refused', message: 'Authorization and X-Api-Key hold different keys: send one key' };
  }
  const key = bearer ?? headerKey;
  return key === undefined || key === '' ? { kind: 'none' } : { kind: 'key', key };
}

/**
 * Lets a request through only with a valid producer key (unless INGEST_AUTH=off). The global access
 * guard (auth/access.guard.ts) runs it for `@Access('producer')` routes, `POST /api/events` alone: a
 * producer key can publish events and nothing else.
 */
@Injectable()
export class ProducerKeyGuard implements CanActivate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ProducerKeysService) private readonly keys: ProducerKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.config.ingest.requireProducerKey) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const refuse = (message: string, error?: BearerError) => bearerChallenge(response, message, error);

    const presented = presentedKey(request.headers);
    switch (presented.kind) {
      case 'none':
        throw refuse(
          'no producer key: send a producer key: Authorization: Bearer dmk_... (or X-Api-Key: dmk_...); ' +
            'an admin creates one with npm run keys -- create NAME',
        );
      case 'refused':
        throw refuse(presented.message, 'invalid_request');
      case 'key':
        break;
    }
    let verification;
    try {
      verification = await this.keys.verify(presented.key);
    } catch (error) {
      throw new ServiceUnavailableException(
        'the producer key could not be checked (database unavailable); retry later',
        {
          cause: error,
        },
      );
    }
    if (!verification.ok) {
      switch (verification.problem) {
        case 'malformed':
          throw refuse(`malformed producer key: expected ${KEY_SHAPE}`, 'invalid_token');
        case 'unknown-or-revoked':
          throw refuse('unknown or revoked producer key', 'invalid_token');
      }
    }
    producers.set(request, verification.producer);
    return true;
  }
}
