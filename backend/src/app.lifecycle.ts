import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DATABASE, EVENT_PUBLISHER, EVENT_SOURCE } from './config/tokens.js';
import type { Database } from './database/database.js';
import { IngestService } from './ingest/ingest.service.js';
import { SimulatorService } from './simulator/simulator.service.js';
import type { EventPublisher, EventSource } from './transport/transport.js';

/**
 * Start and stop order in one place. Start: consume, then simulate. Stop (SIGTERM/SIGINT): stop the
 * simulator, let the source finish and commit the batch in hand, flush the producer; the HTTP and
 * Socket.IO servers close next, and the database last.
 */
@Injectable()
export class AppLifecycle
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('Lifecycle');

  constructor(
    @Inject(EVENT_SOURCE) private readonly source: EventSource,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(IngestService) private readonly ingest: IngestService,
    @Inject(SimulatorService) private readonly simulator: SimulatorService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.source.start(async (batch) => {
      await this.ingest.handleBatch(batch, this.source.kind);
    });
    this.simulator.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.simulator.stop();
    await this.source.stop();
    await this.publisher.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
    this.logger.log('stopped');
  }
}
