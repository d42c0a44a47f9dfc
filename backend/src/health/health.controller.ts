import { AlertEngine } from '../alerts/alert-engine.service.js';
import { Controller, Get, HttpStatus, Inject, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Access, type AuthenticatedRequest } from '../auth/access.js';
import { DATABASE, EVENT_SOURCE } from '../config/tokens.js';
import type { Database, DatabaseInfo } from '../database/database.js';
import { AggregateRefresher } from '../features/aggregate-refresher.js';
import { FeatureService } from '../features/feature.service.js';
import { ModelRegistryService, type ModelsHealth } from '../models/model-registry.service.js';
import type { EventSource, SourceState } from '../transport/transport.js';

export interface HealthReport {
  status: 'ok' | 'degraded';
  database: DatabaseInfo & { ok: boolean; error?: string };
  transport: { kind: EventSource['kind']; state: SourceState; lag: number | null };
  /** Continuous-aggregate refresh (TimescaleDB): local days refreshed since start, and the last failure. */
  aggregates: { continuous: boolean; refreshedDays: number; lastError: string | null };
  /** Districts whose in-memory features fell out of step with the store (reloaded at the next start). */
  features: { staleDistricts: string[] };
  /** Active model version, the training in progress and the last one, per-batch scoring time (not part of `status`). */
  models: ModelsHealth;
  /** Districts this instance writes alerts for, its open alerts, rules, silences in force, failed evaluations. */
  alerts: ReturnType<AlertEngine['health']>;
  uptimeSeconds: number;
}

/**
 * `GET /api/health`: 200 with `"status": "ok"` once the database answers and the transport runs, else
 * 503. Anonymous callers get the status alone; the details (versions, connection errors, districts)
 * only a caller with a valid session token (the guard notes it on public routes).
 */
@ApiTags('health')
@Controller('api/health')
export class HealthController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EVENT_SOURCE) private readonly source: EventSource,
    @Inject(AggregateRefresher) private readonly aggregates: AggregateRefresher,
    @Inject(FeatureService) private readonly features: FeatureService,
    @Inject(ModelRegistryService) private readonly models: ModelRegistryService,
    @Inject(AlertEngine) private readonly alerts: AlertEngine,
  ) {}

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
    const state = this.source.state();
    let lag: number | null = null;
    if (state === 'running') lag = await this.source.lag().catch(() => null);
    const status = database.ok && state === 'running' ? 'ok' : 'degraded';
    response.status(status === 'ok' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    const report: HealthReport = {
      status,
      database,
      transport: { kind: this.source.kind, state, lag },
      aggregates: {
        continuous: this.aggregates.enabled,
        refreshedDays: this.aggregates.refreshedDays,
        lastError: this.aggregates.lastError,
      },
      features: { staleDistricts: [...this.features.staleDistricts] },
      models: this.models.health(),
      alerts: this.alerts.health(),
      uptimeSeconds: Math.round(process.uptime()),
    };
    return request.principal?.kind === 'user' ? report : { status };
  }
}
