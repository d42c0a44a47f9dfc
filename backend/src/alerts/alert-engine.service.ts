import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  districtsOf,
  type AlertRule,
  type DistrictScore,
  type Region,
  type Silence,
} from '@district-monitor/streams';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG, EVENT_SOURCE, REGION } from '../config/tokens.js';
import type { CommittedBatch } from '../events/app-events.js';
import { OnEvent } from '../events/event-bus.js';
import { FeatureService } from '../features/feature.service.js';
import { ScoringService } from '../models/scoring.service.js';
import type { Assignment, EventSource } from '../transport/transport.js';
import { AlertActionError } from './alert-action.error.js';
import { ALERT_PUBLISHER, type AlertPublisher } from './alert-publisher.js';
import { AlertWriter } from './alert-writer.js';
import { AlertRepository } from './alert.repository.js';
import { defaultRules } from './default-rules.js';
import { AlertBook } from './engine/alert-book.js';
import { orphanSteps, producerTargets, ruleTargets } from './engine/evaluation.js';
import { flagSteps } from './engine/flags.js';
import { GroupTimers } from './engine/group-timers.js';
import { groupTiming } from './engine/grouping.js';
import { FLAP_WINDOW_MS, acknowledge, escalateByHand, resolveByHand, step } from './engine/lifecycle.js';
import type { Observation, Step } from './engine/lifecycle.js';
import { AlertOwnership } from './engine/ownership.js';
import { fingerprintOf, labelsOf, toWire, type AlertRecord } from './engine/record.js';
import { SignalState } from './engine/signal-state.js';
import { observe } from './engine/signals.js';
import { WorkQueue, errorText } from './engine/work-queue.js';

/**
 * The alert engine. It evaluates the region's rules for the districts this instance owns (those whose
 * Kafka partition its consumer holds; all of them in-process), runs each fingerprint's lifecycle,
 * stores every change with its audit line before telling anyone, and sends grouped notifications per
 * district through the outbox. All its work runs one piece at a time on one queue, off the consumer's
 * batch path: a batch only updates counters and queues an evaluation of the districts it touched.
 *
 * This class orders the work. The decisions are pure modules under engine/ (lifecycle, flags, grouping,
 * evaluation, ownership, the alert book, the signal state); the writes are the AlertWriter's.
 */
@Injectable()
export class AlertEngine implements OnModuleDestroy {
  private readonly logger = new Logger('Alerts');
  private rules = new Map<string, AlertRule>();
  private silences: Silence[] = [];
  private readonly ownership: AlertOwnership;
  private readonly signals: SignalState;
  private readonly book = new AlertBook();
  private readonly groups = new GroupTimers((district) => {
    this.queue.enqueue('group', () => this.sendGroups([district], Date.now()));
  });
  private readonly writer: AlertWriter;
  /** When the last evaluation round of every owned district ended (health: a test waits on it, not a clock). */
  private evaluatedAt: number | null = null;
  private readonly queue = new WorkQueue((what, error) => {
    this.logger.error(`alert ${what} failed: ${errorText(error)}`);
  });
  private timer: NodeJS.Timeout | undefined;
  /** Failures of queued work (logged); reported by health. */
  get failures(): number {
    return this.queue.failures;
  }

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REGION) private readonly region: Region,
    @Inject(AlertRepository) private readonly repository: AlertRepository,
    @Inject(FeatureService) features: FeatureService,
    @Inject(ScoringService) scoring: ScoringService,
    @Inject(ALERT_PUBLISHER) private readonly publisher: AlertPublisher,
    @Inject(EVENT_SOURCE) private readonly source: EventSource,
  ) {
    const districts = districtsOf(region).map((unit) => unit.code);
    this.ownership = new AlertOwnership(districts, region.code);
    this.signals = new SignalState(districts, repository, { features, scoring });
    const timing = groupTiming(config.alerts);
    this.writer = new AlertWriter(repository, publisher, this.book, this.groups, timing, this.logger);
  }

  /** Loads rules, silences, counts and arrivals, then follows the consumer's assignment. Call before the source starts. */
  async start(now = Date.now()): Promise<void> {
    const seeded = await this.repository.seedRules(
      this.region.code,
      defaultRules(this.region.code, new Date(now)),
    );
    if (seeded > 0) this.logger.log(`seeded ${seeded} default alert rules for ${this.region.code}`);
    await this.reloadRulesAndSilences(now);
    await this.signals.load(now);
    this.source.onAssignment((assignment) => {
      this.queue.enqueue('ownership', () => this.assignmentChanged(assignment));
    });
    this.timer = setInterval(() => {
      this.queue.enqueue('tick', () => this.tick(Date.now()));
    }, this.config.alerts.evaluationSeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.onModuleDestroy();
    await this.queue.settled();
  }

  onModuleDestroy(): void {
    this.queue.stop();
    clearInterval(this.timer);
    this.groups.clear();
  }

  /** A committed batch: counts and arrivals now (engine/signal-state.ts), an evaluation of the touched owned districts soon. */
  @OnEvent('batch.committed')
  batchCommitted(batch: CommittedBatch, now = Date.now()): void {
    const touched = [...this.signals.batch(batch, now)].filter((d) => this.ownership.owns(d));
    this.queue.enqueueMerged('batch', touched, (districts) => this.evaluate(districts, Date.now()));
  }

  /** New model scores: the risk rules of those districts. */
  @OnEvent('scores.changed')
  scoresChanged(scores: readonly DistrictScore[]): void {
    const districts = scores.map((s) => s.district).filter((d) => this.ownership.owns(d));
    if (districts.length === 0) return;
    this.queue.enqueue('scores', () => this.evaluate(districts, Date.now(), 'risk'));
  }

  /** The rules changed through the API: reload them at once rather than at the next tick. */
  rulesChanged(): void {
    this.queue.enqueue('rules', () => this.tick(Date.now()));
  }

  // ------------------------------------------------------------------ operator actions

  acknowledge(id: string, who: string, reason: string): Promise<AlertRecord> {
    return this.act(id, (alert, now) => acknowledge(alert, who, reason, now));
  }

  resolve(id: string, who: string, reason: string): Promise<AlertRecord> {
    return this.act(id, (alert, now) => resolveByHand(alert, who, reason, now));
  }

  escalate(id: string, who: string, reason: string): Promise<AlertRecord> {
    return this.act(id, (alert, now) => {
      const rule = this.rules.get(alert.labels.rule);
      if (rule === undefined)
        throw new AlertActionError(`the rule ${alert.labels.rule} of alert ${id} no longer exists`, 409);
      return escalateByHand(alert, rule, who, reason, now);
    });
  }

  /**
   * Applies an operator's action to the stored alert (whichever replica owns its district), guarded by
   * its version; the owner picks the change up at its next write or evaluation.
   */
  private act(id: string, change: (alert: AlertRecord, now: number) => Step): Promise<AlertRecord> {
    return this.queue.enqueueResult(async () => {
      const now = Date.now();
      const written = await this.writer.act(id, (alert) => change(alert, now));
      if (this.ownership.ownsGroup(written.labels.district)) {
        this.book.remember(written);
        await this.sendGroups([written.labels.district], now);
      }
      this.publisher.publishAlerts([toWire(written)]);
      return written;
    });
  }

  // ------------------------------------------------------------------ ownership

  private async assignmentChanged(assignment: Assignment | null): Promise<void> {
    const { gained, lost } = this.ownership.reassign(assignment);
    for (const district of lost) {
      this.book.forget(district);
      this.groups.forget(district);
    }
    if (gained.length > 0) await this.adopt(gained, Date.now());
    if (gained.length > 0 || lost.length > 0) {
      this.logger.log(
        `alert writer of ${this.ownership.size} districts (${gained.length} gained, ${lost.length} lost)`,
      );
    }
  }

  /** Takes over districts: their open alerts, recent episodes (flap history) and group timers from the database. */
  private async adopt(districts: readonly string[], now: number): Promise<void> {
    const groups = this.ownership.groupsOf(districts);
    this.book.adopt(await this.repository.ofDistricts(groups, new Date(now - FLAP_WINDOW_MS)));
    for (const [district, at] of await this.repository.lastNotified(groups)) this.groups.sent(district, at);
    await this.evaluate(groups, now);
  }

  // ------------------------------------------------------------------ evaluation

  private async tick(now: number): Promise<void> {
    this.signals.advance(now);
    await this.reloadRulesAndSilences(now);
    const owned = this.ownership.list();
    await this.signals.blackSpots.refresh(this.rules.values(), owned, now);
    await this.evaluate(owned, now);
    if (this.ownership.ownsProducers) await this.evaluateProducers(now);
    this.evaluatedAt = now;
  }

  private async reloadRulesAndSilences(now: number): Promise<void> {
    this.rules = new Map((await this.repository.rules(this.region.code)).map((rule) => [rule.id, rule]));
    this.silences = await this.repository.silences({ activeAt: new Date(now) });
    this.signals.rulesChanged(this.rules.values());
  }

  /** Runs the rules (all, or those of one kind) for owned districts, then their flags, escalations and groups. */
  private async evaluate(
    districts: readonly string[],
    now: number,
    kind?: AlertRule['condition']['kind'],
  ): Promise<void> {
    const owned = districts.filter((d) => this.ownership.ownsGroup(d));
    if (owned.length === 0) return;
    if (kind === undefined) await this.signals.refreshStaleBlackSpots(this.rules.values(), owned, now);
    const sources = this.signals.sources();
    for (const { rule, district } of ruleTargets(this.rules.values(), owned, this.region.code, kind)) {
      await this.apply(rule, labelsOf(rule, district), observe(rule, district, sources, now), now);
    }
    for (const stepped of orphanSteps(this.book.openIn(owned), this.rules, now))
      await this.writer.store(stepped);
    await this.refreshFlags(owned, now);
    await this.sendGroups(owned, now);
  }

  private async evaluateProducers(now: number): Promise<void> {
    for (const target of producerTargets(this.rules.values(), this.signals.arrivals, this.region.code, now))
      await this.apply(target.rule, target.labels, target.observation, now);
    await this.refreshFlags([this.region.code], now);
    await this.sendGroups([this.region.code], now);
  }

  /** One fingerprint's step (engine/lifecycle.ts), stored before it counts; a new value alone is kept in memory. */
  private async apply(
    rule: AlertRule,
    labels: AlertRecord['labels'],
    observation: Observation | null,
    now: number,
  ): Promise<void> {
    const fingerprint = fingerprintOf(labels);
    const stepped = step(this.book.current(fingerprint), observation, rule, {
      now,
      labels,
      fingerprint,
      newId: randomUUID,
      firings: this.book.recentFirings(fingerprint, now),
    });
    if (stepped === null) return;
    if (stepped.transitions.length === 0) this.book.keepValue(stepped.alert);
    else await this.writer.store(stepped);
  }

  /** Silences, inhibition, flapping and escalation of the open alerts (engine/flags.ts); each change stored and audited. */
  private async refreshFlags(districts: readonly string[], now: number): Promise<void> {
    const steps = flagSteps(this.book.openIn(districts), {
      silences: this.silences,
      rules: this.rules,
      recentFirings: (fingerprint) => this.book.recentFirings(fingerprint, now),
      now,
    });
    for (const stepped of steps) await this.writer.store(stepped);
  }

  private sendGroups(districts: readonly string[], now: number): Promise<void> {
    return this.writer.sendGroups(districts, this.rules, now, !this.queue.isStopped);
  }

  // ------------------------------------------------------------------ health

  /** Open alerts of the districts this instance holds, by state (the metrics' alert gauge). */
  openByState(): Record<string, number> {
    return this.book.openByState();
  }

  health(): {
    owned: number;
    open: number;
    rules: number;
    silences: number;
    failures: number;
    evaluatedAt: string | null;
  } {
    return {
      owned: this.ownership.size,
      open: this.book.openCount,
      rules: this.rules.size,
      silences: this.silences.length,
      failures: this.queue.failures,
      evaluatedAt: this.evaluatedAt === null ? null : new Date(this.evaluatedAt).toISOString(),
    };
  }
}
