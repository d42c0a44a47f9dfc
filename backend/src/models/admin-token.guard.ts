import { createHash, timingSafeEqual } from 'node:crypto';
import {
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/tokens.js';

/** Compared as digests, so neither the length nor a prefix of the token leaks through timing. */
const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Admin routes until users arrive: `Authorization: Bearer <ADMIN_TOKEN>`. With ADMIN_TOKEN unset the
 * routes are off and answer 403 saying how to turn them on; a missing or wrong token gets 401 with a
 * `WWW-Authenticate` challenge (RFC 6750), as a missing producer key does.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'adminToken'>) {
    this.expected = config.adminToken === undefined ? undefined : digest(config.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.expected === undefined) {
      throw new ForbiddenException(
        'admin routes are off: start the backend with ADMIN_TOKEN set (16 or more characters) ' +
          'and send Authorization: Bearer <ADMIN_TOKEN>',
      );
    }
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const authorization = request.headers.authorization?.trim() ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    if (token === undefined || !timingSafeEqual(digest(token), this.expected)) {
      response.setHeader(
        'WWW-Authenticate',
        authorization === ''
          ? 'Bearer realm="district-monitor-admin"'
          : 'Bearer realm="district-monitor-admin", error="invalid_token"',
      );
      throw new UnauthorizedException(
        authorization === ''
          ? 'admin route: send Authorization: Bearer <ADMIN_TOKEN>'
          : 'admin route: the bearer token is not the ADMIN_TOKEN',
      );
    }
    return true;
  }
}
