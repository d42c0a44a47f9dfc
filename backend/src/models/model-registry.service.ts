import { Inject, Injectable, Logger } from '@nestjs/common';
import { HourClock, type TrainingOptions } from '@district-monitor/models';
import type { ModelRequester, ModelVersionInfo, Region } from '@district-monitor/streams';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG, REGION } from '../config/tokens.js';
import {
  ModelRegistryRepository,
  TrainingInProgressError,
  type ActiveVersion,
} from './model-registry.repository.js';
import { TrainingFailedError, type ModelTrainer } from './model-trainer.js';
import type { ActiveScorer, ScorerLoader } from './scorer.js';
import { ScoringService, type ScoringHealth } from './scoring.service.js';
import { TrainingDataRepository } from './training-data.repository.js';
import { CountPacker, trainingDataProblem } from './training-data.js';
import { MODEL_TRAINER, SCORER_LOADER } from './tokens.js';
import { metrics } from '../metrics/metrics.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** How often the schedule looks whether a training is due (it is due `retrainHours` after the last attempt). */
const CHECK_MS = 10 * 60_000;
/** Counts are read in slices this long, so batches interleave with a long read on the one PGlite connection. */
const READ_SLICE_MS = 7 * DAY_MS;
/** Progress lines at most this often (besides each new stage). */
const PROGRESS_LOG_MS = 10_000;
/** Trainings are deterministic given their data: one fixed seed. */
export const TRAINING_SEED = 1;
/**
 * The first model after a backfill, trained while a new user waits: the latest 6 weekly origins (the
 * fewest a training takes) with one branch refit, 50 trees, 30 epochs (measured: 48 s against about
 * 3 minutes for a full training of a year, on a machine at load 23 on 2 cores). A full training
 * follows at once in the background and replaces it when done.
 */
export const QUICK_TRAINING: Partial<TrainingOptions> = Object.freeze({
  maxOrigins: 6,
  refitWeeks: 8,
  trees: 50,
  maxEpochs: 30,
});

/** What the registry needs of the repositories (the classes, or fakes in specs). */
export type RegistryStore = Pick<
  ModelRegistryRepository,
  | 'startTraining'
  | 'completeAndActivate'
  | 'markFailed'
  | 'failInterrupted'
  | 'latest'
  | 'get'
  | 'activeBundle'
  | 'active'
>;
export type TrainingData = Pick<TrainingDataRepository, 'summary' | 'hourlyBetween'>;
export type Scoring = Pick<ScoringService, 'activate' | 'version' | 'health'>;

export interface ModelsHealth {
  /** The version this instance scores with (null: none trained yet, or it could not be loaded). */
  readonly active: {
    readonly id: string;
    readonly activatedAt: string;
    readonly trainedUntil: string;
  } | null;
  /** Why the stored active version could not be loaded at start, if so. */
  readonly loadError: string | null;
  /** The version training now. */
  readonly training: string | null;
  /** The latest training attempt of any status. */
  readonly lastTraining: Pick<
    ModelVersionInfo,
    'id' | 'status' | 'requestedBy' | 'createdAt' | 'finishedAt' | 'error'
  > | null;
  /** Hours between automatic trainings; 0 = off. */
  readonly retrainHours: number;
  readonly scoring: ScoringHealth;
}

interface Running {
  id: string | null;
  done: Promise<void>;
}

/**
 * The model lifecycle: trains new versions off the consumer path (one at a time, in a worker), stores
 * and activates them, hot-swaps the scorer, and keeps the previous version serving when a training
 * fails. Trainings come from `POST /api/models/retrain`, from the start-up check (no usable version and
 * enough data), and from the schedule (`MODEL_RETRAIN_HOURS` after the last attempt; 0 turns both off).
 */
@Injectable()
export class ModelRegistryService {
  private readonly logger = new Logger('Models');
  private readonly clock: HourClock;
  private running: Running | undefined;
  private activeVersion: ActiveVersion | undefined;
  private loadError: string | null = null;
  private lastTraining: ModelVersionInfo | undefined;
  private timer: NodeJS.Timeout | undefined;
  private background: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REGION) private readonly region: Region,
    @Inject(ModelRegistryRepository) private readonly store: RegistryStore,
    @Inject(TrainingDataRepository) private readonly data: TrainingData,
    @Inject(MODEL_TRAINER) private readonly trainer: ModelTrainer,
    @Inject(SCORER_LOADER) private readonly loader: ScorerLoader,
    @Inject(ScoringService) private readonly scoring: Scoring,
  ) {
    this.clock = new HourClock(region.timeZone);
  }

  /**
   * Start-up: marks trainings a previous life left running as failed, loads the active version (a bundle
   * that cannot be loaded is logged and reported, and counts as no version), then starts the schedule and,
   * with no usable version, a first training when there is enough data.
   */
  async start(now = Date.now()): Promise<void> {
    const interrupted = await this.store.failInterrupted('interrupted: the backend stopped while it trained');
    if (interrupted.length > 0) {
      this.logger.warn(`marked ${interrupted.join(', ')} failed: interrupted by a stop during training`);
    }
    await this.loadActive();
    this.lastTraining = await this.store.latest();
    const { retrainHours } = this.config.models;
    if (retrainHours === 0) {
      this.logger.log('automatic model training is off (MODEL_RETRAIN_HOURS=0)');
      return;
    }
    this.timer = setInterval(() => {
      this.background = this.background.then(() => this.tick(Date.now()));
    }, CHECK_MS);
    this.timer.unref();
    if (this.scoring.version === null) {
      this.background = this.background.then(() => this.trainIfEnoughData('startup', now));
    }
  }

  /** Shutdown: no new trainings; the one in progress is stopped and recorded as failed. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.trainer.cancel();
    await this.running?.done;
    await this.background;
  }

  /**
   * Starts a training of the events strictly before `until` (default: the start of the current local
   * hour). Returns the new version, in training; the training continues in the background. Throws
   * TrainingInProgressError while another runs (a request is refused, not queued).
   */
  async requestTraining(
    requestedBy: ModelRequester,
    options: { until?: number; now?: number; training?: Partial<TrainingOptions> } = {},
  ): Promise<ModelVersionInfo> {
    if (this.stopping) throw new Error('the backend is stopping');
    if (this.running !== undefined) throw new TrainingInProgressError(this.running.id);
    const now = options.now ?? Date.now();
    const until = options.until ?? this.clock.startOf(this.clock.hourOf(now));
    // Taken before the first await, so two requests on the same turn cannot both start.
    const running: Running = { id: null, done: Promise.resolve() };
    this.running = running;
    let version: ModelVersionInfo;
    try {
      version = await this.store.startTraining(requestedBy, new Date(until));
    } catch (error) {
      this.running = undefined;
      throw error;
    }
    running.id = version.id;
    this.lastTraining = version;
    this.logger.log(
      `${version.id}: training requested by ${requestedBy}, on events before ${version.trainedUntil}`,
    );
    running.done = this.train(version.id, until, options.training).finally(() => {
      this.running = undefined;
    });
    return version;
  }

  /**
   * After a backfill of history (the embedded default's first start): trains a version on it now unless
   * one trained on events up to this hour is already active, and resolves when that training has ended,
   * with the outcome. `none`: automatic training is off, or the history is still too small (logged).
   */
  async trainOnBackfill(now = Date.now()): Promise<'ready' | 'failed' | 'none'> {
    if (this.config.models.retrainHours === 0) return 'none';
    // The start-up check (and a scheduled training during a long backfill) go first.
    await this.background;
    await this.idle();
    const until = this.clock.startOf(this.clock.hourOf(now));
    const current = (): boolean =>
      this.activeVersion !== undefined && this.activeVersion.trainedUntil.getTime() >= until;
    if (!current()) {
      await this.trainIfEnoughData('startup', now, QUICK_TRAINING);
      await this.idle();
      // The quick version serves while the full one trains.
      if (current()) this.background = this.background.then(() => this.trainIfEnoughData('startup', now));
    }
    if (current()) return 'ready';
    return this.lastTraining?.status === 'failed' ? 'failed' : 'none';
  }

  /** Resolves when the training in progress (if any) has ended. */
  async idle(): Promise<void> {
    await this.running?.done;
  }

  /** The version training now, if any. */
  get trainingVersion(): string | null {
    return this.running?.id ?? null;
  }

  /** The version this instance scores with. */
  get active(): ActiveVersion | undefined {
    return this.activeVersion;
  }

  /** Why there is no active version, for 503 answers. */
  get unavailableReason(): string {
    if (this.loadError !== null) return `the active model could not be loaded: ${this.loadError}`;
    if (this.running !== undefined) {
      return `no model is active yet; ${this.running.id ?? 'a first version'} is training`;
    }
    return (
      'no model is active yet: a first version is trained automatically once enough events are stored ' +
      '(MODEL_RETRAIN_HOURS > 0), or on POST /api/models/retrain'
    );
  }

  health(): ModelsHealth {
    const last = this.lastTraining;
    return {
      active:
        this.activeVersion === undefined
          ? null
          : {
              id: this.activeVersion.id,
              activatedAt: this.activeVersion.activatedAt.toISOString(),
              trainedUntil: this.activeVersion.trainedUntil.toISOString(),
            },
      loadError: this.loadError,
      training: this.trainingVersion,
      lastTraining:
        last === undefined
          ? null
          : {
              id: last.id,
              status: last.status,
              requestedBy: last.requestedBy,
              createdAt: last.createdAt,
              finishedAt: last.finishedAt,
              error: last.error,
            },
      retrainHours: this.config.models.retrainHours,
      scoring: this.scoring.health(),
    };
  }

  /** The schedule's check: a training is due `retrainHours` after the last attempt (or with none yet). */
  async tick(now: number): Promise<void> {
    const { retrainHours } = this.config.models;
    if (retrainHours === 0 || this.running !== undefined || this.stopping) return;
    try {
      const latest = await this.store.latest();
      if (latest !== undefined && now - Date.parse(latest.createdAt) < retrainHours * HOUR_MS) return;
    } catch (error) {
      this.logger.error(`the training schedule could not read the registry: ${String(error)}`);
      return;
    }
    await this.trainIfEnoughData('schedule', now);
  }

  /** Starts a training when the stored history is enough (see MIN_TRAINING_DAYS); logs otherwise. */
  private async trainIfEnoughData(
    requestedBy: 'startup' | 'schedule',
    now: number,
    training?: Partial<TrainingOptions>,
  ): Promise<void> {
    if (this.running !== undefined || this.stopping) return;
    const until = this.clock.startOf(this.clock.hourOf(now));
    try {
      const summary = await this.data.summary(this.windowStart(until), new Date(until));
      const problem = trainingDataProblem(summary, until);
      if (problem !== null) {
        const line = `no ${requestedBy} training: ${problem}`;
        if (requestedBy === 'startup') this.logger.log(line);
        else this.logger.debug(line);
        return;
      }
      await this.requestTraining(requestedBy, {
        until,
        now,
        ...(training === undefined ? {} : { training }),
      });
    } catch (error) {
      if (error instanceof TrainingInProgressError) return;
      this.logger.error(`a ${requestedBy} training could not start: ${String(error)}`);
    }
  }

  private windowStart(until: number): Date {
    return new Date(until - this.config.models.trainingDays * DAY_MS);
  }

  /** The whole training of one version; never throws (a failure is recorded on the version). */
  private async train(id: string, until: number, training?: Partial<TrainingOptions>): Promise<void> {
    const started = performance.now();
    try {
      const packer = new CountPacker();
      const end = new Date(until);
      for (let from = this.windowStart(until).getTime(); from < until; from += READ_SLICE_MS) {
        const rows = await this.data.hourlyBetween(
          new Date(from),
          new Date(Math.min(until, from + READ_SLICE_MS)),
        );
        for (const row of rows) packer.add(row);
      }
      const problem = trainingDataProblem(packer.summary, until);
      if (problem !== null) throw new TrainingFailedError(`not enough data: ${problem}`, 'input');
      const counts = packer.finish();
      this.logger.log(
        `${id}: ${training === undefined ? '' : 'quick '}training on ${counts.length} hourly counts of ${counts.districts.length} districts ` +
          `(${packer.summary.events} events) before ${end.toISOString()}, ` +
          `read in ${Math.round(performance.now() - started)} ms`,
      );
      let lastStage = '';
      let lastLogged = 0;
      const text = await this.trainer.train({
        region: this.region,
        until,
        seed: TRAINING_SEED,
        counts,
        ...(training === undefined ? {} : { options: training }),
        onProgress: (stage, done, total) => {
          const at = Date.now();
          if (stage === lastStage && at - lastLogged < PROGRESS_LOG_MS) return;
          lastStage = stage;
          lastLogged = at;
          this.logger.log(`${id}: ${stage} ${done}/${total}`);
        },
      });
      const scorer = await this.loadScorer(JSON.parse(text), id);
      const activatedAt = await this.store.completeAndActivate(id, scorer.card, text);
      this.swap(scorer, { id, activatedAt, trainedUntil: end, card: scorer.card });
      metrics.trainingDuration.observe({ outcome: 'activated' }, (performance.now() - started) / 1000);
      this.logger.log(
        `${id}: trained in ${((performance.now() - started) / 1000).toFixed(1)} s and activated ` +
          `(${(text.length / 1024).toFixed(0)} KiB)`,
      );
    } catch (error) {
      const reason =
        this.stopping && error instanceof TrainingFailedError && error.kind === 'crash'
          ? 'stopped: the backend shut down during training'
          : error instanceof Error
            ? error.message
            : String(error);
      metrics.trainingDuration.observe({ outcome: 'failed' }, (performance.now() - started) / 1000);
      this.logger.warn(
        `${id}: training failed, ${this.activeVersion?.id ?? 'no version'} stays active: ${reason}`,
      );
      await this.store.markFailed(id, reason).catch((markError: unknown) => {
        // Left `training`: the next start marks it failed as interrupted.
        this.logger.error(`${id}: could not record the failure: ${String(markError)}`);
      });
    }
    try {
      this.lastTraining = (await this.store.get(id)) ?? this.lastTraining;
    } catch (error) {
      this.logger.error(`${id}: could not read back its status: ${String(error)}`);
    }
  }

  private async loadScorer(bundle: unknown, id: string): Promise<ActiveScorer> {
    try {
      return await this.loader.load(bundle, id);
    } catch (error) {
      throw new Error(`the trained bundle could not be loaded: ${String(error)}`, { cause: error });
    }
  }

  private async loadActive(): Promise<void> {
    const stored = await this.store.activeBundle();
    if (stored === undefined) {
      this.logger.log('no model version is active yet');
      return;
    }
    try {
      const [scorer, info] = await Promise.all([
        this.loader.load(stored.bundle, stored.id),
        this.store.active(),
      ]);
      if (info === undefined) throw new Error('the active version disappeared while loading');
      this.swap(scorer, info);
      this.logger.log(`model ${stored.id} loaded and active`);
    } catch (error) {
      this.loadError = `${stored.id}: ${String(error)}`;
      this.logger.error(
        `the active model ${stored.id} could not be loaded; no scores until a new version: ${String(error)}`,
      );
    }
  }

  private swap(scorer: ActiveScorer, info: ActiveVersion): void {
    this.scoring.activate(scorer);
    this.activeVersion = info;
    this.loadError = null;
  }
}
