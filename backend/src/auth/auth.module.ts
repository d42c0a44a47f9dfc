import { randomBytes } from 'node:crypto';
import { Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { AuditLog } from '../audit/audit-log.js';
import { AuditModule } from '../audit/audit.module.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/tokens.js';
import { ProducerKeysModule } from '../producer-keys/producer-keys.module.js';
import { AccessGuard, routesWithoutAccess } from './access.guard.js';
import { LoginLimiter } from './login-limiter.js';
import { AuthController } from './auth.controller.js';
import { OpenApiController, OpenApiDocument } from './openapi.js';
import { SessionTokens } from './session-tokens.js';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

const logger = new Logger('Auth');

/** The signing secret: JWT_SECRET, or one drawn once and kept in the database for every replica. */
async function sessionTokens(config: AppConfig, repository: UsersRepository): Promise<SessionTokens> {
  let secret = config.auth.jwtSecret;
  if (secret === undefined) {
    secret = await repository.setting('jwt_secret', randomBytes(48).toString('base64url'));
    logger.log('JWT_SECRET unset: sessions are signed with the secret kept in the database');
  }
  return new SessionTokens(secret, config.auth.sessionTtlHours * 3_600_000);
}

/**
 * Users, roles and sessions; the global access guard (every route's `@Access`); the OpenAPI document.
 * At start it creates the first admin when there is no user, and names every route without an
 * access rule (such a route answers 403 to everyone).
 */
@Module({
  imports: [ProducerKeysModule, DiscoveryModule, AuditModule],
  controllers: [AuthController, UsersController, OpenApiController],
  providers: [
    UsersRepository,
    OpenApiDocument,
    LoginLimiter,
    { provide: SessionTokens, inject: [APP_CONFIG, UsersRepository], useFactory: sessionTokens },
    {
      provide: UsersService,
      inject: [UsersRepository, SessionTokens, AuditLog, APP_CONFIG],
      useFactory: (repository: UsersRepository, tokens: SessionTokens, audit: AuditLog, config: AppConfig) =>
        new UsersService(repository, tokens, audit, { adminPassword: config.auth.adminPassword }),
    },
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [UsersService, OpenApiDocument],
})
export class AuthModule implements OnApplicationBootstrap {
  constructor(
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const route of routesWithoutAccess(this.discovery, this.scanner, this.reflector)) {
      logger.error(`route has no access rule, so it answers 403 to everyone: ${route}; add @Access(...)`);
    }
    await this.users.ensureFirstAdmin();
  }
}
