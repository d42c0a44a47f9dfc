import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { regionWeek, type HourClock, type HourlyCounts, type RegionWeek } from '@district-monitor/models';
import {
  districtsOf,
  type DistrictFeatures,
  type DistrictScore,
  type Region,
  type RegionUnit,
} from '@district-monitor/streams';
import { REGION } from '../config/tokens.js';
import { EventBus, OnEvent } from '../events/event-bus.js';
import { FeatureService } from '../features/feature.service.js';
import { DurationStats, type DurationSummary } from './duration-stats.js';
import { toWireScore, type ActiveScorer } from './scorer.js';
import { metrics } from '../metrics/metrics.js';

/** What scoring reads of the live district state (FeatureService). */
export interface DistrictState {
  readonly clock: HourClock;
  countsOf(code: string): HourlyCounts;
  current(code: string): DistrictFeatures;
}

/**
 * Who keeps a record of the scores (the score history). Called on the scoring path after each run: it
 * must return at once and never throw (it owns its own writes and their failures).
 */
export interface ScoreRecorder {
  record(scores: readonly DistrictScore[]): void;
}

/**
 * Districts recomputed by batches are scored together at most this often: a batch costs the consumer only
 * marking its districts, and a district touched by ten batches in the window is scored once. Scores lag
 * their batch by at most this (the board's pushes are coalesced every 200 ms anyway).
 */
export const SCORE_INTERVAL_MS = 250;

export interface ScoringHealth {
  /** Districts holding a score of the active version. */
  readonly districts: number;
  readonly intervalMs: number;
  /** Time each batch's turn spends in scoring (marking its districts for the next run). */
  readonly addedPerBatch: DurationSummary;
  /** Each scoring run (the districts marked since the previous one). */
  readonly perRun: DurationSummary;
  /** Districts scored by the runs, and the mean time per district. */
  readonly scoredDistricts: number;
  readonly meanPerDistrictMs: number | null;
  readonly failures: number;
  readonly lastError: string | null;
}

/**
 * Scores districts with the active model version and keeps the latest score of each. It hears of the
 * districts FeatureService just recomputed: after each committed batch exactly those the batch touched,
 * and at each new hour every district. They are scored together {@link SCORE_INTERVAL_MS} later, from
 * their then current features and counts, by the version active at that moment. A run is synchronous,
 * so a hot swap (`activate`) never splits one between two versions; the swap rescores every district at
 * once. A score that throws is logged and counted; it never reaches the (already committed) batch.
 */
@Injectable()
export class ScoringService implements OnModuleDestroy {
  private readonly logger = new Logger('Scoring');
  private readonly units: ReadonlyMap<string, RegionUnit>;
  private readonly latest = new Map<string, DistrictScore>();
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private scorer: ActiveScorer | undefined;
  private recorder: ScoreRecorder | undefined;
  private readonly onBatch = new DurationStats();
  private readonly runs = new DurationStats();
  private runMs = 0;
  private scoredDistricts = 0;
  private failures = 0;
  private lastError: string | null = null;
  /** Versions whose scoring failure was already logged (then only counted). */
  private readonly loggedFailure = new Set<string>();

  constructor(
    @Inject(REGION) region: Region,
    @Inject(FeatureService) private readonly districts: DistrictState,
    /** Where new scores go (`scores.changed`); a service built by hand gets a bus of its own. */
    @Inject(EventBus) private readonly bus: EventBus = new EventBus(),
  ) {
    this.units = new Map(districtsOf(region).map((unit) => [unit.code, unit]));
  }

  /** Hands every run's scores to `recorder` as well (the score history, backend/src/board-history). */
  recordTo(recorder: ScoreRecorder): void {
    this.recorder = recorder;
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The version that scores now, or null before a first one is active. */
  get version(): string | null {
    return this.scorer?.version ?? null;
  }

  /** Swaps in a new version and rescores every district with it at once (the old scores are dropped). */
  activate(scorer: ActiveScorer): void {
    const previous = this.scorer;
    this.scorer = scorer;
    this.latest.clear();
    this.dirty.clear();
    // Runs are synchronous: nothing is scoring with the previous version now, so it can go.
    if (previous !== undefined && previous !== scorer) this.release(previous);
    this.scoreWith(scorer, [...this.units.keys()]);
  }

  /** The districts whose features were just recomputed (`features.changed`, on the batch's turn). */
  @OnEvent('features.changed')
  featuresChanged(features: readonly DistrictFeatures[]): void {
    if (this.scorer === undefined || features.length === 0) return;
    const started = performance.now();
    for (const item of features) this.dirty.add(item.district);
    this.timer ??= setTimeout(() => {
      this.flush();
    }, SCORE_INTERVAL_MS);
    this.onBatch.add(performance.now() - started);
  }

  /** Scores the districts marked since the last run now (the timer's call; tests call it directly). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const scorer = this.scorer;
    const codes = [...this.dirty];
    this.dirty.clear();
    if (scorer === undefined || codes.length === 0) return;
    const started = performance.now();
    this.scoreWith(scorer, codes);
    const ms = performance.now() - started;
    metrics.scoringDuration.observe(ms / 1000);
    metrics.scoredDistricts.inc(codes.length);
    this.runs.add(ms);
    this.runMs += ms;
    this.scoredDistricts += codes.length;
  }

  /** A district's latest score, if the active version has scored it. */
  scoreOf(code: string): DistrictScore | undefined {
    return this.latest.get(code);
  }

  /** Every district's latest score, in the region's order. */
  all(): DistrictScore[] {
    return [...this.units.keys()].flatMap((code) => {
      const score = this.latest.get(code);
      return score === undefined ? [] : [score];
    });
  }

  health(): ScoringHealth {
    return {
      districts: this.latest.size,
      intervalMs: SCORE_INTERVAL_MS,
      addedPerBatch: this.onBatch.summary(),
      perRun: this.runs.summary(),
      scoredDistricts: this.scoredDistricts,
      meanPerDistrictMs:
        this.scoredDistricts === 0 ? null : Math.round((this.runMs / this.scoredDistricts) * 1000) / 1000,
      failures: this.failures,
      lastError: this.lastError,
    };
  }

  private scoreWith(scorer: ActiveScorer, codes: readonly string[]): void {
    const scored: DistrictScore[] = [];
    // The region's week before each district's features (its momentum, region-momentum.ts). It depends only
    // on the hour of `asOf`, so a run reads the cubes once per hour its districts' features are at.
    const clock = this.districts.clock;
    const regionWeeks = new Map<number, RegionWeek>();
    let all: HourlyCounts[] | undefined;
    const regionAt = (asOf: number): RegionWeek => {
      const hour = clock.hourOf(asOf);
      let week = regionWeeks.get(hour);
      if (week === undefined) {
        all ??= [...this.units.keys()].map((code) => this.districts.countsOf(code));
        week = regionWeek(all, clock, asOf);
        regionWeeks.set(hour, week);
      }
      return week;
    };
    for (const code of codes) {
      const unit = this.units.get(code);
      if (unit === undefined) continue;
      try {
        const features = this.districts.current(code);
        const asOf = Date.parse(features.asOf);
        const score = scorer.score({
          unit,
          counts: this.districts.countsOf(code),
          clock: this.districts.clock,
          crimeVector: features.vector,
          asOf,
          region: regionAt(asOf),
        });
        const wire = toWireScore(score);
        this.latest.set(code, wire);
        scored.push(wire);
      } catch (error) {
        this.latest.delete(code);
        this.failed(scorer.version, code, error);
      }
    }
    if (scored.length === 0) return;
    this.bus.emit('scores.changed', scored);
    try {
      this.recorder?.record(scored);
    } catch (error) {
      // A recorder must not throw; if one does, the scores stand and the next run records again.
      this.logger.error(`recording the score history failed: ${String(error)}`);
    }
  }

  private release(scorer: ActiveScorer): void {
    try {
      scorer.dispose?.();
    } catch (error) {
      this.logger.warn(`freeing model ${scorer.version} failed: ${String(error)}`);
    }
  }

  private failed(version: string, code: string, error: unknown): void {
    this.failures++;
    this.lastError = `${version}, ${code}: ${String(error)}`;
    if (this.loggedFailure.has(version)) return;
    this.loggedFailure.add(version);
    this.logger.error(
      `scoring with model ${this.lastError} (further failures of ${version} are only counted)`,
    );
  }
}
