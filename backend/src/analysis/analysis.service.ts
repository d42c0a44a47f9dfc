import { Inject, Injectable } from '@nestjs/common';
import {
  type ClusterProfilesResponse,
  type CorrelationMatrix,
  type DistrictFeatures,
  type Region,
} from '@district-monitor/streams';
import { REGION } from '../config/tokens.js';
import { FeatureService } from '../features/feature.service.js';
import { ModelRegistryService } from '../models/model-registry.service.js';
import { ScoringService } from '../models/scoring.service.js';
import { AnalysisRepository } from './analysis.repository.js';
import { clusterProfiles } from './cluster-profiles.js';
import { CORRELATION_VARIABLES, correlationColumns, correlationMatrix } from './correlations.js';

/** The correlations are computed over this many days of stored events. */
export const CORRELATION_DAYS = 365;
/** A computed matrix is served this long (a year of counts is a heavy read; it moves slowly). */
export const CORRELATION_CACHE_MS = 5 * 60_000;

const DAY = 86_400_000;

/** The analysis views: correlations across districts, and the active model's cluster profiles. */
@Injectable()
export class AnalysisService {
  private cached: { readonly until: number; readonly matrix: Promise<CorrelationMatrix> } | undefined;
  private readonly dateFormat: Intl.DateTimeFormat;

  constructor(
    @Inject(REGION) private readonly region: Region,
    @Inject(AnalysisRepository) private readonly repository: AnalysisRepository,
    @Inject(ScoringService) private readonly scoring: ScoringService,
    @Inject(ModelRegistryService) private readonly registry: ModelRegistryService,
    @Inject(FeatureService) private readonly features: FeatureService,
  ) {
    // en-CA formats a date as YYYY-MM-DD.
    this.dateFormat = new Intl.DateTimeFormat('en-CA', { timeZone: region.timeZone });
  }

  /** Pearson correlations across districts; computed at most once per {@link CORRELATION_CACHE_MS}. */
  correlations(now = Date.now()): Promise<CorrelationMatrix> {
    if (this.cached === undefined || now >= this.cached.until) {
      const matrix = this.computeCorrelations(now);
      const cached = { until: now + CORRELATION_CACHE_MS, matrix };
      this.cached = cached;
      // A failed read is not kept: the next request tries again.
      matrix.catch(() => {
        if (this.cached === cached) this.cached = undefined;
      });
    }
    return this.cached.matrix;
  }

  /** The active model's profiles from its latest scores; none (with the reason) while no model is active. */
  clusters(): ClusterProfilesResponse {
    const version = this.scoring.version;
    if (version === null) {
      return { modelVersion: null, reason: this.registry.unavailableReason, profiles: [] };
    }
    const scores = this.scoring.all();
    // Every scored district has kept features: they are what it was scored from.
    const features = new Map<string, DistrictFeatures>(
      scores.map((score) => [score.district, this.features.current(score.district)]),
    );
    return { modelVersion: version, reason: null, profiles: clusterProfiles(scores, features) };
  }

  private async computeCorrelations(now: number): Promise<CorrelationMatrix> {
    const from = new Date(now - CORRELATION_DAYS * DAY);
    const to = new Date(now);
    const { districts, columns } = correlationColumns(
      this.region.units,
      await this.repository.totals(from, to),
    );
    return {
      source: 'live',
      basis:
        `live events (simulated on the default install) that occurred in the ${CORRELATION_DAYS} days to ${this.dateFormat.format(to)}, ` +
        'per 100,000 people (census 2011 populations, apportioned for districts formed since)',
      districts: districts.length,
      variables: CORRELATION_VARIABLES,
      values: correlationMatrix(columns),
    };
  }
}
