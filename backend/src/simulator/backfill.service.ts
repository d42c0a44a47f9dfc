import { Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import type { BackfillProgress, Region } from '@district-monitor/streams';
import { createSimulator, type Simulator } from '@district-monitor/streams/simulator';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG, EVENT_PUBLISHER, EVENT_SOURCE, REGION } from '../config/tokens.js';
import { AggregateRefresher } from '../features/aggregate-refresher.js';
import { EventStoreRepository } from '../database/event-store.repository.js';
import { SimulationStatusStore } from '../live/simulation-status.js';
import { ModelRegistryService } from '../models/model-registry.service.js';
import { RegionMapService } from '../region/region-map.service.js';
import type { EventPublisher, EventSource } from '../transport/transport.js';
import { backfillBatches } from './backfill-batches.js';
import { BackfillRepository, type BackfillPlan } from './backfill.repository.js';
import { sharedSimulatorOptions } from './simulator-options.js';
import { formatRate, SimulatorService } from './simulator.service.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const YEAR_MS = 365.25 * DAY_MS;
/** Events per publish: half the in-process transport's largest batch, so one store blocks the loop less. */
export const BACKFILL_BATCH = 2_500;
/**
 * A pause after each batch, this share of the batch's own time (at least 20 ms). PGlite runs each
 * statement synchronously on the main thread and answers on the microtask queue: without time between
 * batches, the HTTP server (the board's files and API), socket pushes and timers would wait for the
 * whole backfill. The board stays usable during a backfill for about a fifth of its speed.
 */
const PAUSE_SHARE = 0.25;
const MIN_PAUSE_MS = 20;
/** Progress lines in the log at most this often; the board hears at most once a second. */
const LOG_EVERY_MS = 5_000;
const PUSH_EVERY_MS = 1_000;
/**
 * A backfill expected to hold more events than this is refused (tens of minutes on PGlite): a region
 * without a rate table simulates 1 event/s, 31.5 million a year, unless SIMULATOR_RATE says otherwise.
 */
export const MAX_BACKFILL_EVENTS = 5_000_000;
/** The live feed continues from the backfill's end when that is this recent; else it starts now. */
const CONTINUE_WITHIN_MS = HOUR_MS;
/** With Kafka, how long the stored history may lag behind what the backfill published before training. */
const DRAIN_TIMEOUT_MS = 15 * 60_000;

/**
 * The first start of the embedded default: before the live simulator starts, writes a history of
 * simulated events (BACKFILL_DAYS, the last 365 days by default) at the live rate through the normal
 * ingest path (validation, idempotent ids, counts, aggregates), then trains the first live model on it,
 * then starts the live feed where the history ends. So the board shows risk from its first minutes and
 * the model sees no jump between history and live.
 *
 * The plan (span, seed, rate) is stored before the first event, so a restart regenerates the same
 * events with the same ids and resumes after the last stored batch. A database that holds events
 * without a plan, or whose plan finished, is never backfilled (again).
 */
@Injectable()
export class BackfillService {
  private readonly logger = new Logger('Backfill');
  private run: Promise<void> | undefined;
  /** The writing part of the sequence: what a stop waits for (a training is stopped by the registry). */
  private writing: Promise<unknown> = Promise.resolve();
  private stopping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REGION) private readonly region: Region,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisher,
    @Inject(EVENT_SOURCE) private readonly source: EventSource,
    @Inject(BackfillRepository) private readonly plans: BackfillRepository,
    @Inject(EventStoreRepository) private readonly store: Pick<EventStoreRepository, 'totalStored'>,
    @Inject(RegionMapService) private readonly map: Pick<RegionMapService, 'map'>,
    @Inject(SimulationStatusStore) private readonly status: SimulationStatusStore,
    @Inject(AggregateRefresher) private readonly aggregates: Pick<AggregateRefresher, 'drain' | 'hold'>,
    @Inject(ModelRegistryService)
    private readonly models: Pick<ModelRegistryService, 'trainOnBackfill' | 'active'>,
    @Inject(SimulatorService) private readonly simulator: Pick<SimulatorService, 'start'>,
  ) {}

  /**
   * Starts the sequence in the background (the HTTP server listens meanwhile, and the board shows the
   * progress): backfill, first training, live simulator. Call once the event source consumes.
   */
  start(): void {
    this.run ??= this.sequence().catch((error: unknown) => {
      this.logger.error(`the start-up sequence failed: ${String(error)}`);
    });
  }

  /**
   * Shutdown: the batch in hand is stored and recorded, then the backfill ends (it resumes at the next
   * start). A first training in progress is stopped by the model registry's own shutdown.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.writing;
  }

  /** A method, not the field: a stop arrives during the awaits between two checks. */
  private isStopping(): boolean {
    return this.stopping;
  }

  /** Resolves when the sequence has ended (tests, bench). */
  async settled(): Promise<void> {
    await this.run;
  }

  private async sequence(): Promise<void> {
    const { enabled } = this.config.simulator;
    if (!enabled) {
      this.status.update({ simulated: false, backfill: off('the simulator is off (SIMULATOR=off)') });
      return;
    }
    const { calibrated, ...options } = sharedSimulatorOptions(this.config, this.region, this.map.map);
    const probe = createSimulator({ ...options, seed: this.config.simulator.seed });
    const perSecond = probe.naturalRatePerSecond * probe.multiplier;
    this.status.update({
      simulated: true,
      ratePerSecond: perSecond,
      eventsPerYear: Math.round(perSecond * (YEAR_MS / 1000)),
      rateSource:
        this.config.simulator.ratePerSecond !== undefined
          ? 'configured'
          : calibrated
            ? 'real-volumes'
            : 'uncalibrated',
    });
    const writing = this.backfill(probe.multiplier);
    this.writing = writing.catch(() => undefined);
    const ended = await writing;
    if (this.isStopping()) return;
    if (ended !== undefined) {
      this.status.update({ firstModel: 'training' });
      // The training reads the hourly aggregates: every day the backfill touched must be refreshed.
      await this.aggregates.drain();
      const outcome = await this.models.trainOnBackfill();
      this.status.update({ firstModel: outcome });
      if (this.isStopping()) return;
    } else {
      this.status.update({ firstModel: this.models.active === undefined ? 'none' : 'ready' });
    }
    const continueFrom = ended !== undefined && Date.now() - ended <= CONTINUE_WITHIN_MS ? ended : undefined;
    this.simulator.start(continueFrom);
  }

  /**
   * Writes the backfill (new or resumed); resolves with the simulated instant it ends at, or undefined
   * when there was none to write (off, skipped, failed or stopped: the status says which).
   */
  private async backfill(liveMultiplier: number): Promise<number | undefined> {
    const days = this.config.simulator.backfillDays;
    if (days === 0) {
      const why =
        this.config.databaseUrl !== undefined || this.config.kafka !== undefined
          ? 'off by default with DATABASE_URL or KAFKA_BROKERS (set BACKFILL_DAYS to backfill)'
          : 'BACKFILL_DAYS=0';
      this.status.update({ backfill: off(why) });
      this.logger.log(`no backfill: ${why}`);
      return undefined;
    }
    let plan = await this.plans.read();
    if (plan?.finishedAt != null) {
      const why = `the backfill of ${span(plan)} finished at ${new Date(plan.finishedAt).toISOString()}`;
      this.status.update({ backfill: { ...progressOf(plan, 0, null), state: 'skipped', reason: why } });
      this.logger.log(`no backfill: ${why}`);
      return undefined;
    }
    if (plan === undefined) {
      const stored = await this.store.totalStored();
      if (stored > 0) {
        const why = `the database already holds ${stored.toLocaleString('en-US')} events`;
        this.status.update({ backfill: { ...off(why), state: 'skipped' } });
        this.logger.log(`no backfill: ${why}`);
        return undefined;
      }
      const until = Date.now();
      const from = Math.floor((until - days * DAY_MS) / HOUR_MS) * HOUR_MS;
      const expected = expectedEvents(
        createSimulator({ ...this.options(liveMultiplier), seed: 1 }),
        until - from,
      );
      if (expected > MAX_BACKFILL_EVENTS) {
        const why =
          `${days} days at ${formatRate(expected / ((until - from) / 1000))} would be ` +
          `${Math.round(expected).toLocaleString('en-US')} events, more than ${MAX_BACKFILL_EVENTS.toLocaleString('en-US')}: ` +
          'lower SIMULATOR_RATE or BACKFILL_DAYS';
        this.status.update({ backfill: { ...off(why), state: 'failed' } });
        this.logger.error(`no backfill: ${why}`);
        return undefined;
      }
      plan = await this.plans.create({
        from,
        until,
        seed: this.config.simulator.seed,
        multiplier: liveMultiplier,
      });
    } else {
      this.logger.log(
        `resuming the backfill of ${span(plan)} after ${plan.reached === null ? 'its start' : new Date(plan.reached).toISOString()}` +
          ` (${plan.events.toLocaleString('en-US')} events stored by an earlier run)`,
      );
    }
    // One refresh of the aggregates after the backfill rather than one per batch (see AggregateRefresher.hold).
    const release = this.aggregates.hold();
    try {
      return await this.write(plan);
    } catch (error) {
      const why = `stopped by an error, resumes at the next start: ${String(error)}`;
      this.status.update({ backfill: { ...this.status.status.backfill, state: 'failed', reason: why } });
      this.logger.error(`backfill ${why}`);
      return undefined;
    } finally {
      release();
    }
  }

  private options(multiplier: number) {
    // The plan's multiplier, not SIMULATOR_RATE: a resumed plan keeps the rate it started with.
    const {
      calibrated: _calibrated,
      ratePerSecond: _rate,
      ...options
    } = sharedSimulatorOptions(this.config, this.region, this.map.map);
    return { ...options, multiplier };
  }

  private async write(plan: BackfillPlan): Promise<number | undefined> {
    const simulator = createSimulator({
      ...this.options(plan.multiplier),
      seed: plan.seed,
      source: 'backfill',
    });
    const expected = expectedEvents(simulator, plan.until - plan.from);
    const started = performance.now();
    let events = plan.events;
    let written = 0;
    let lastLog = 0;
    let lastPush = 0;
    const report = (reached: number | null, force: boolean): void => {
      const seconds = (performance.now() - started) / 1000;
      const rate = written > 0 && seconds > 0 ? written / seconds : null;
      const progress = progressOf(plan, events, reached, expected, rate);
      const now = performance.now();
      if (force || now - lastPush >= PUSH_EVERY_MS) {
        lastPush = now;
        this.status.update({ backfill: progress, firstModel: 'waiting' });
      }
      if (force || now - lastLog >= LOG_EVERY_MS) {
        lastLog = now;
        this.logger.log(
          `${(progress.fraction * 100).toFixed(0)}%: ${events.toLocaleString('en-US')} of ~${Math.round(expected).toLocaleString('en-US')} events, ` +
            `simulated up to ${reached === null ? new Date(plan.from).toISOString() : new Date(reached).toISOString()}` +
            (rate === null ? '' : `, ${Math.round(rate).toLocaleString('en-US')} events/s`),
        );
      }
    };
    this.logger.log(
      `backfilling ${span(plan)} at ${formatRate(simulator.naturalRatePerSecond * simulator.multiplier)} ` +
        `(~${Math.round(expected).toLocaleString('en-US')} events, seed ${plan.seed}) before the live simulator starts`,
    );
    report(plan.reached, true);
    for (const batch of backfillBatches(simulator, plan, BACKFILL_BATCH, plan.reached)) {
      const batchStarted = performance.now();
      if (this.stopping) {
        this.logger.log('stopped; the backfill resumes at the next start');
        return undefined;
      }
      for (let i = 0; i < batch.events.length; i += BACKFILL_BATCH) {
        await this.publisher.publish(batch.events.slice(i, i + BACKFILL_BATCH));
      }
      events += batch.events.length;
      written += batch.events.length;
      await this.plans.progress(batch.reached, events);
      report(batch.reached, false);
      await delay(Math.max(MIN_PAUSE_MS, (performance.now() - batchStarted) * PAUSE_SHARE));
    }
    await this.storedEverything();
    await this.plans.finish();
    const seconds = (performance.now() - started) / 1000;
    const rate = written > 0 ? written / seconds : null;
    this.status.update({
      backfill: { ...progressOf(plan, events, plan.until, expected, rate), state: 'done' },
    });
    this.logger.log(
      `backfill done: ${events.toLocaleString('en-US')} events of ${span(plan)}; ` +
        `${written.toLocaleString('en-US')} written in ${seconds.toFixed(1)} s` +
        (rate === null ? '' : ` (${Math.round(rate).toLocaleString('en-US')} events/s)`),
    );
    return plan.until;
  }

  /**
   * In-process, a publish resolves once stored. With Kafka it resolves on the broker's ack: the training
   * must wait until the consumer has stored what was published.
   */
  private async storedEverything(): Promise<void> {
    if (this.source.kind === 'in-process') return;
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    while (Date.now() < deadline && !this.stopping) {
      const lag = await this.source.lag();
      if (lag === 0) return;
      await delay(500);
    }
    this.logger.warn('the consumer has not caught up with the backfill; training on what is stored');
  }
}

function off(reason: string): BackfillProgress {
  return {
    state: 'off',
    reason,
    from: null,
    until: null,
    reached: null,
    events: 0,
    expectedEvents: 0,
    fraction: 0,
    eventsPerSecond: null,
  };
}

function span(plan: Pick<BackfillPlan, 'from' | 'until'>): string {
  const days = (plan.until - plan.from) / DAY_MS;
  return `${new Date(plan.from).toISOString()} .. ${new Date(plan.until).toISOString()} (${days.toFixed(0)} days)`;
}

/** Events the simulator is expected to produce over `ms` (its yearly rates; the profiles average 1). */
export function expectedEvents(simulator: Simulator, ms: number): number {
  let yearly = 0;
  for (const value of simulator.expectedYearly.values()) yearly += value;
  return (yearly * ms) / YEAR_MS;
}

function progressOf(
  plan: BackfillPlan,
  events: number,
  reached: number | null,
  expected = 0,
  eventsPerSecond: number | null = null,
): BackfillProgress {
  const fraction =
    reached === null ? 0 : Math.min(1, Math.max(0, (reached - plan.from) / (plan.until - plan.from)));
  return {
    state: 'running',
    reason: null,
    from: new Date(plan.from).toISOString(),
    until: new Date(plan.until).toISOString(),
    reached: reached === null ? null : new Date(reached).toISOString(),
    events,
    expectedEvents: Math.round(expected),
    fraction,
    eventsPerSecond,
  };
}
