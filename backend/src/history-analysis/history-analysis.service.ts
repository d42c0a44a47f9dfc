import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { historyHash, type HistoryTableSource } from '@district-monitor/data/history-analysis';
import type { HistoryAnalysisResponse, Region, UserInfo } from '@district-monitor/streams';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG, REGION } from '../config/tokens.js';
import { HistoryAnalysisRepository, type StoredAnalysis } from './history-analysis.repository.js';
import type { HistoryTrainer } from './history-analysis.trainer.js';
import { ServedAnalysis, parseBundle } from './history-analysis.views.js';
import { HISTORY_SOURCE, HISTORY_TRAINER } from './tokens.js';

/** The analysis is deterministic given the history: one fixed seed. */
export const HISTORY_SEED = 1;

export type HistoryStore = Pick<
  HistoryAnalysisRepository,
  'readyFor' | 'latestReady' | 'startTraining' | 'complete' | 'markFailed' | 'failInterrupted'
>;

/**
 * The analysis of the real yearly history: at start it reads the history, and serves the stored analysis
 * of that history (by content hash) or trains one in a worker and stores it; a training never blocks the
 * start or the event loop. When the history cannot be read, the newest stored analysis is served.
 */
@Injectable()
export class HistoryAnalysisService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('HistoryAnalysis');
  private served: ServedAnalysis | undefined;
  private state: HistoryAnalysisResponse['state'] = 'absent';
  private reason: string | null = 'the history analysis has not started yet';
  private running: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REGION) private readonly region: Region,
    @Inject(HistoryAnalysisRepository) private readonly store: HistoryStore,
    @Inject(HISTORY_SOURCE) private readonly source: HistoryTableSource,
    @Inject(HISTORY_TRAINER) private readonly trainer: HistoryTrainer,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.history.analysis) {
      this.reason = 'the history analysis is off (HISTORY_ANALYSIS=off)';
      this.logger.log(this.reason);
      return;
    }
    this.running = this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.trainer.cancel();
    await this.running;
  }

  /** Resolves once the start-up check (and a training it started) has ended. */
  settled(): Promise<void> {
    return this.running;
  }

  /** The analysis being served, if any. */
  get analysis(): ServedAnalysis | undefined {
    return this.served;
  }

  /** The state and, when not ready, why. */
  status(): { state: HistoryAnalysisResponse['state']; reason: string | null } {
    return { state: this.state, reason: this.reason };
  }

  response(user: UserInfo): HistoryAnalysisResponse {
    const served = this.served;
    return {
      state: this.state,
      reason: this.reason,
      analysis: served === undefined ? null : served.summary(user),
    };
  }

  private async start(): Promise<void> {
    const startedAt = performance.now();
    try {
      const interrupted = await this.store.failInterrupted(
        'interrupted: the backend stopped while it trained',
      );
      if (interrupted.length > 0) this.logger.warn(`marked ${interrupted.join(', ')} failed: interrupted`);
      let table;
      try {
        table = await this.source.load();
      } catch (error) {
        await this.serveLatest(
          `the history could not be read (${this.source.description}): ${message(error)}`,
        );
        return;
      }
      const hash = historyHash(table);
      const stored = await this.store.readyFor(hash);
      if (stored !== undefined && this.serve(stored, 'stored')) return;
      this.state = 'training';
      this.reason = `the analysis of the history (${hash.slice(0, 12)}) is training since ${new Date().toISOString()}`;
      const id = await this.store.startTraining(hash);
      this.logger.log(
        `training history analysis ${id} (history ${hash.slice(0, 12)}, ${table.units.length} units, ${table.years.length} years)`,
      );
      let bundle: string;
      try {
        bundle = await this.trainer.train(table, HISTORY_SEED, (stage, done, total) => {
          if (done === total) this.logger.log(`history analysis ${id}: ${stage} done`);
        });
      } catch (error) {
        const reason = this.stopping ? 'interrupted: the backend stopped while it trained' : message(error);
        await this.store.markFailed(id, reason);
        this.state = 'failed';
        this.reason = `the history analysis failed: ${reason}`;
        this.logger.error(this.reason);
        return;
      }
      const finishedAt = await this.store.complete(id, bundle);
      this.serve(
        { id, historyHash: hash, createdAt: finishedAt, finishedAt, bundle: JSON.parse(bundle) as unknown },
        `trained in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`,
      );
    } catch (error) {
      this.state = 'failed';
      this.reason = `the history analysis failed: ${message(error)}`;
      this.logger.error(this.reason);
    }
  }

  private async serveLatest(why: string): Promise<void> {
    this.logger.warn(why);
    const latest = await this.store.latestReady();
    if (latest !== undefined && this.serve(latest, `the newest stored one, because ${why}`)) return;
    this.state = 'failed';
    this.reason = why;
  }

  /** Serves a stored analysis; false (logged) when its bundle cannot be read. */
  private serve(stored: StoredAnalysis, how: string): boolean {
    try {
      const bundle = parseBundle(stored.bundle);
      const timings = Object.values(bundle.timings).reduce((a, b) => a + b, 0);
      this.served = new ServedAnalysis(
        bundle,
        {
          id: stored.id,
          historyHash: stored.historyHash,
          trainedAt: stored.finishedAt.toISOString(),
          trainingSeconds: Math.round(timings * 10) / 10,
          source: bundle.source,
          years: bundle.years,
          missingYears: bundle.missingYears,
        },
        this.region,
      );
      this.state = 'ready';
      this.reason = null;
      this.logger.log(`history analysis ${stored.id} ready (${how})`);
      return true;
    } catch (error) {
      this.logger.warn(`history analysis ${stored.id} cannot be served: ${message(error)}`);
      return false;
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
