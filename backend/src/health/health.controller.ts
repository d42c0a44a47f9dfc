import { AlertEngine } from '../alerts/alert-engine.service.js';
import { Controller, Get, HttpStatus, Inject, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Access, type AuthenticatedRequest } from '../http/access.js';
import { DATABASE, EVENT_SOURCE } from '../config/tokens.js';
import type { Database, DatabaseInfo } from '../database/database.js';
import { AggregateRefresher } from '../features/aggregate-refresher.js';
import { FeatureOwnership, type FeatureOwnershipHealth } from '../features/feature-ownership.js';
import { FeatureService } from '../features/feature.service.js';
import { ModelRegistryService, type ModelsHealth } from '../models/model-registry.service.js';
import type { EventSource, SourceHealth } from '../transport/transport.js';

export interface HealthReport {
  status: 'ok' | 'degraded';
  /** Why the status is degraded, one line each (empty when ok). */
  reasons: string[];
  database: DatabaseInfo & { ok: boolean; error?: string };
  /** The source: state, broker reachability, lag per partition, stalls, a batch in retry, a failure that stopped it. */
  transport: { kind: EventSource['kind'] } & SourceHealth;
  /** Continuous-aggregate refresh (TimescaleDB): local days refreshed since start, and the last failure. */
  aggregates: { continuous: boolean; refreshedDays: number; lastError: string | null };
  /** Districts whose in-memory features fell out of step with the store (reloaded at the next start). */
  features: { staleDistricts: string[]; ownership: FeatureOwnershipHealth };
  /** Active model version, the training in progress and the last one, per-batch scoring time (not part of `status`). */
  models: ModelsHealth;
  /** Districts this instance writes alerts for, its open alerts, rules, silences in force, failed evaluations. */
  alerts: ReturnType<AlertEngine['health']>;
  uptimeSeconds: number;
}

/**
 * Why the instance is not ready: the database does not answer, the consumer is not running (joining,
 * restarting, stopped by a programming error), the brokers do not answer, or it stalled (lag and no
 * progress). Empty: ready.
 */
export function degradedReasons(database: HealthReport['database'], transport: SourceHealth): string[] {
  const reasons: string[] = [];
  if (!database.ok) reasons.push(`database unreachable: ${database.error ?? 'no answer'}`);
  if (transport.failure !== null) reasons.push(`ingest stopped: ${transport.failure}`);
  else if (transport.state !== 'running') {
    const why = transport.lastError === null ? '' : ` (last error: ${transport.lastError})`;
    reasons.push(`consumer ${transport.state}${why}`);
  }
  if (transport.brokers !== null && !transport.brokers.reachable) {
    reasons.push(`Kafka brokers unreachable: ${transport.brokers.error ?? 'no answer'}`);
  }
  if (transport.retrying !== null) {
    reasons.push(
      `batch retried ${transport.retrying.attempts} times since ${transport.retrying.since}: ${transport.retrying.error}`,
    );
  }
  if (transport.stalled) {
    reasons.push(
      `consumption stalled: lag ${transport.lag ?? '?'} and no batch for over ${transport.stallAfterSeconds} s`,
    );
  }
  return reasons;
}

/**
 * `GET /api/health` (readiness): 200 with `"status": "ok"` once the database answers, the consumer runs,
 * the brokers answer and consumption progresses, else 503 with the reasons. `GET /api/health/live`
 * (liveness): 200 while the process runs, from the moment HTTP listens. Anonymous callers get the
 * status alone; the details (versions, connection errors, reasons) only a caller with a valid session
 * token (the guard notes it on public routes).
 */
@ApiTags('health')
@Controller('api/health')
export class HealthController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EVENT_SOURCE) private readonly source: EventSource,
    @Inject(AggregateRefresher) private readonly aggregates: AggregateRefresher,
    @Inject(FeatureService) private readonly features: FeatureService,
    @Inject(FeatureOwnership) private readonly featureOwnership: FeatureOwnership,
    @Inject(ModelRegistryService) private readonly models: ModelRegistryService,
    @Inject(AlertEngine) private readonly alerts: AlertEngine,
  ) {}

  @Get('live')
  @Access('public')
  @ApiOperation({ summary: 'Liveness: 200 while the process runs, before the consumer has joined' })
  live(): { status: 'live'; uptimeSeconds: number } {
    return { status: 'live', uptimeSeconds: Math.round(process.uptime()) };
  }

  @Get()
  @Access('public')
  @ApiOperation({ summary: 'Database, transport, aggregates, features and models; 503 when degraded' })
  async health(
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<HealthReport | Pick<HealthReport, 'status'>> {
    let database: HealthReport['database'];
    try {
      await this.db.query('SELECT 1');
      database = { ...this.db.info, ok: true };
    } catch (error) {
      database = { ...this.db.info, ok: false, error: String(error) };
    }
    const transport = await this.source.health();
    const reasons = degradedReasons(database, transport);
    const status = reasons.length === 0 ? 'ok' : 'degraded';
    response.status(status === 'ok' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    const report: HealthReport = {
      status,
      reasons,
      database,
      transport: { kind: this.source.kind, ...transport },
      aggregates: {
        continuous: this.aggregates.enabled,
        refreshedDays: this.aggregates.refreshedDays,
        lastError: this.aggregates.lastError,
      },
      features: {
        staleDistricts: [...this.features.staleDistricts],
        ownership: this.featureOwnership.health(),
      },
      models: this.models.health(),
      alerts: this.alerts.health(),
      uptimeSeconds: Math.round(process.uptime()),
    };
    return request.principal?.kind === 'user' || request.signedSession === true ? report : { status };
  }
}
