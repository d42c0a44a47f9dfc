import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AlertEngine } from './alerts/alert-engine.service.js';
import { DATABASE, EVENT_PUBLISHER, EVENT_SOURCE } from './config/tokens.js';
import type { Database } from './database/database.js';
import { AggregateRefresher } from './features/aggregate-refresher.js';
import { FeatureOwnership } from './features/feature-ownership.js';
import { FeatureService } from './features/feature.service.js';
import { IngestService } from './ingest/ingest.service.js';
import { ModelRegistryService } from './models/model-registry.service.js';
import { BackfillService } from './simulator/backfill.service.js';
import { SimulatorService } from './simulator/simulator.service.js';
import type { EventPublisher, EventSource } from './transport/transport.js';

/**
 * Start and stop order in one place. Start: refresh what aggregates a crash left stale, load the
 * features, load the active model, start the alert engine, consume, then (in the background) backfill
 * simulated history when due, train the first model on it, and simulate. Stop (SIGTERM/SIGINT): stop the
 * backfill (after its batch in hand) and the simulator,
 * let the source finish and commit the batch in hand, stop a model training in progress (recorded as
 * failed), let the aggregate refresh in progress end, flush the producer; the HTTP
 * and Socket.IO servers close next, and the database last.
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
    @Inject(AggregateRefresher) private readonly aggregates: AggregateRefresher,
    @Inject(FeatureService) private readonly features: FeatureService,
    @Inject(ModelRegistryService) private readonly models: ModelRegistryService,
    @Inject(AlertEngine) private readonly alerts: AlertEngine,
    @Inject(BackfillService) private readonly backfill: BackfillService,
    @Inject(FeatureOwnership) private readonly featureOwnership: FeatureOwnership,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Aggregates refreshed over every day a batch left queued (a crash after commit), then the features
    // load from them; only then do batches flow.
    await this.aggregates.drain();
    await this.features.load();
    // A replica reloads the cubes of the districts it gains before it applies their next batch.
    this.featureOwnership.follow(this.source);
    // The batch path runs on the event bus (events/app-events.ts): batch.committed -> features, aggregates,
    // alerts; features.changed -> scoring, board; scores.changed -> alerts, board; batch.handled -> board.
    // Every minute the features slide (all districts published at each new hour).
    this.features.start();
    await this.models.start();
    // The engine follows the consumer's assignment (it writes the alerts of the districts it holds); it
    // must have loaded its rules and counts before the first batch.
    await this.alerts.start();
    await this.source.start(async (batch) => {
      await this.featureOwnership.run(
        () => this.ingest.handleBatch(batch, this.source.kind),
        () => batch.heartbeat(),
      );
    });
    // In the background (the board shows its progress): backfill of simulated history when due, the
    // first model trained on it, then the live simulator.
    this.backfill.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.backfill.stop();
    await this.simulator.stop();
    this.featureOwnership.stop();
    await this.source.stop();
    await this.alerts.stop();
    await this.models.stop();
    await this.aggregates.settle();
    await this.publisher.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
    this.logger.log('stopped');
  }
}
