import { Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { AuditModule } from '../audit/audit.module.js';
import { APP_CONFIG } from '../config/tokens.js';
import { ProducerKeyGuard } from './producer-key.guard.js';
import { ProducerKeysController } from './producer-keys.controller.js';
import { ProducerKeysRepository } from './producer-keys.repository.js';
import { ProducerKeysService } from './producer-keys.service.js';
import { ProducerRateLimiter } from './producer-rate-limiter.js';

/** Producer keys for HTTP ingest: verification (the guard), the per-key rate limit, the admin routes. */
@Module({
  imports: [AuditModule],
  controllers: [ProducerKeysController],
  providers: [
    ProducerKeysRepository,
    {
      provide: ProducerKeysService,
      inject: [ProducerKeysRepository],
      useFactory: (repository: ProducerKeysRepository) => new ProducerKeysService(repository),
    },
    { provide: ProducerRateLimiter, useFactory: () => new ProducerRateLimiter() },
    ProducerKeyGuard,
  ],
  exports: [ProducerKeysService, ProducerRateLimiter, ProducerKeyGuard],
})
export class ProducerKeysModule implements OnApplicationBootstrap {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  onApplicationBootstrap(): void {
    if (!this.config.ingest.requireProducerKey) {
      new Logger('ProducerKeys').warn(
        'INGEST_AUTH=off: POST /api/events accepts events from anyone, without a key or a rate limit; ' +
          'use it only for local experiments',
      );
    }
  }
}
