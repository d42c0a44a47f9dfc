import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  districtsOf,
  type AlertNotification,
  type AlertRule,
  type DistrictScore,
  type Region,
  type Silence,
} from '@district-monitor/streams';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG, EVENT_SOURCE, REGION } from '../config/tokens.js';
import { FeatureService } from '../features/feature.service.js';
import type { CountChange } from '../database/event-store.repository.js';
import type { CommittedBatch } from '../events/app-events.js';
import { OnEvent } from '../events/event-bus.js';
import { ScoringService } from '../models/scoring.service.js';
import type { Assignment, EventSource } from '../transport/transport.js';
import { ALERT_PUBLISHER, type AlertPublisher } from './alert-publisher.js';
import { AlertRepository } from './alert.repository.js';
import { defaultRules } from './default-rules.js';
import { densestSpot, type BlackSpot } from './engine/black-spot.js';
import { flagSteps } from './engine/flags.js';
import { WorkQueue } from './engine/work-queue.js';
import { planGroup, told, type GroupTiming } from './engine/grouping.js';
import {
  FLAP_WINDOW_MS,
  acknowledge,
  escalateByHand,
  resolveByHand,
  step,
  type Observation,
  type Step,
  type Transition,
} from './engine/lifecycle.js';
import { MinuteCounts } from './engine/minute-counts.js';
import { fingerprintOf, isOpen, labelsOf, toWire, type AlertRecord } from './engine/record.js';
import { observe, type SignalSources } from './engine/signals.js';
import { ownedDistricts } from './ownership.js';
import { SpikeSignals } from './spike-signals.js';
import { metrics } from '../metrics/metrics.js';

/** How far back the minute counts reach (the longest category window or spike history they serve). */
const MAX_MINUTE_SPAN = 14 * 24 * 60;
/** Black spots are recomputed at least this often (the window slides), and at once for districts with new accidents. */
const BLACK_SPOT_REFRESH_MS = 60_000;
/** Last arrivals older than this are not looked up at start; a silent district counts from the start. */
const ARRIVALS_LOOKBACK_MS = 7 * 86_400_000;

/** An operator's action the alert's state or a concurrent change refused (answered 404 / 409). */
export class AlertActionError extends Error {
  override readonly name = 'AlertActionError';
  constructor(
    message: string,
    readonly status: 404 | 409,
  ) {
    super(message);
  }
}

/**
 * The alert engine. It evaluates the region's rules for the districts this instance owns (those whose
 * Kafka partition its consumer holds; all of them in-process), runs each fingerprint's lifecycle,
 * stores every change with its audit line before telling anyone, and sends grouped notifications per
 * district through the outbox. All its work runs one piece at a time on one queue, off the consumer's
 * batch path: a batch only updates counters and queues an evaluation of the districts it touched.
 */
@Injectable()
export class AlertEngine implements OnModuleDestroy {
  private readonly logger = new Logger('Alerts');
  private readonly districts: readonly string[];
  private readonly timing: GroupTiming;
  private rules = new Map<string, AlertRule>();
  private silences: Silence[] = [];
  /** Open alerts of owned districts, and resolved ones with a resolution still to tell. */
  private readonly alerts = new Map<string, AlertRecord>();
  /** When each fingerprint's episodes fired, within the flap window. */
  private readonly firings = new Map<string, number[]>();
  private readonly lastSent = new Map<string, number>();
  private readonly groupTimers = new Map<string, NodeJS.Timeout>();
  private owned = new Set<string>();
  private readonly minutes: MinuteCounts;
  private readonly lastSeenDistrict = new Map<string, number>();
  private readonly lastSeenProducer = new Map<string, number>();
  private readonly blackSpots = new Map<string, { at: number; spot: BlackSpot | null }>();
  private readonly staleBlackSpots = new Set<string>();
  private readonly spikes: SpikeSignals;
  private startedAt = 0;
  /** When the last evaluation round of every owned district ended (health: a test waits on it, not a clock). */
  private evaluatedAt: number | null = null;
  private readonly queue = new WorkQueue((what, error) => {
    this.logger.error(
      `alert ${what} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  });
  private timer: NodeJS.Timeout | undefined;
  /** Evaluations queued by batches, merged while one runs. */
  private readonly queuedDistricts = new Set<string>();
  private evaluationQueued = false;
  /** Failures of queued work (logged); reported by health. */
  get failures(): number {
    return this.queue.failures;
  }

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REGION) private readonly region: Region,
    @Inject(AlertRepository) private readonly repository: AlertRepository,
    @Inject(FeatureService) private readonly features: FeatureService,
    @Inject(ScoringService) private readonly scoring: ScoringService,
    @Inject(ALERT_PUBLISHER) private readonly publisher: AlertPublisher,
    @Inject(EVENT_SOURCE) private readonly source: EventSource,
  ) {
    this.districts = districtsOf(region).map((unit) => unit.code);
    this.timing = {
      waitMs: config.alerts.groupWaitSeconds * 1000,
      intervalMs: config.alerts.groupIntervalSeconds * 1000,
      repeatMs: config.alerts.repeatIntervalSeconds * 1000,
    };
    this.minutes = new MinuteCounts(this.districts, MAX_MINUTE_SPAN, Date.now());
    this.spikes = new SpikeSignals(this.minutes);
  }

  /** Loads rules, silences, counts and arrivals, then follows the consumer's assignment. Call before the source starts. */
  async start(now = Date.now()): Promise<void> {
    this.startedAt = now;
    const seeded = await this.repository.seedRules(
      this.region.code,
      defaultRules(this.region.code, new Date(now)),
    );
    if (seeded > 0) this.logger.log(`seeded ${seeded} default alert rules for ${this.region.code}`);
    await this.reloadRulesAndSilences(now);
    for (const row of await this.repository.minuteCounts(new Date(now - MAX_MINUTE_SPAN * 60_000))) {
      this.minutes.add(
        row.district,
        row.category as CountChange['category'],
        new Date(row.minute).getTime(),
        row.events,
      );
    }
    const arrivals = await this.repository.lastArrivals(new Date(now - ARRIVALS_LOOKBACK_MS));
    for (const [key, at] of arrivals.districts) this.lastSeenDistrict.set(key, at);
    for (const [key, at] of arrivals.producers) this.lastSeenProducer.set(key, at);
    this.source.onAssignment((assignment) => {
      this.enqueue('ownership', () => this.assignmentChanged(assignment));
    });
    this.timer = setInterval(() => {
      this.enqueue('tick', () => this.tick(Date.now()));
    }, this.config.alerts.evaluationSeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.queue.stop();
    clearInterval(this.timer);
    for (const timer of this.groupTimers.values()) clearTimeout(timer);
    await this.queue.settled();
  }

  onModuleDestroy(): void {
    this.queue.stop();
    clearInterval(this.timer);
    for (const timer of this.groupTimers.values()) clearTimeout(timer);
  }

  /**
   * A committed batch: report counts and arrivals now, an evaluation of the touched owned districts soon.
   * The minute counts go by report time (`reportedAt`), so the rules see what is being reported now
   * rather than occurrence minutes that late reports keep filling in; corrections are not new reports.
   */
  @OnEvent('batch.committed')
  batchCommitted({ changes, received, stored }: CommittedBatch, now = Date.now()): void {
    const touched = new Set<string>();
    for (const event of stored) {
      touched.add(event.district);
      if (event.amends !== undefined) continue;
      const at = Math.min(Date.parse(event.reportedAt), now);
      this.minutes.add(event.district, event.category, at, 1);
      this.spikes.reported(event.district, at);
    }
    for (const change of changes) {
      touched.add(change.district);
      if (change.category === 'road_accident') this.staleBlackSpots.add(change.district);
    }
    for (const event of received) {
      this.lastSeenDistrict.set(event.district, now);
      if (event.source !== undefined) this.lastSeenProducer.set(event.source, now);
    }
    for (const district of touched) if (this.owned.has(district)) this.queuedDistricts.add(district);
    if (this.queuedDistricts.size === 0 || this.evaluationQueued) return;
    this.evaluationQueued = true;
    this.enqueue('batch', async () => {
      this.evaluationQueued = false;
      const districts = [...this.queuedDistricts];
      this.queuedDistricts.clear();
      await this.evaluate(districts, Date.now());
    });
  }

  /** New model scores: the risk rules of those districts. */
  @OnEvent('scores.changed')
  scoresChanged(scores: readonly DistrictScore[]): void {
    const districts = scores.map((s) => s.district).filter((d) => this.owned.has(d));
    if (districts.length === 0) return;
    this.enqueue('scores', () => this.evaluate(districts, Date.now(), 'risk'));
  }

  /** The rules changed through the API: reload them at once rather than at the next tick. */
  rulesChanged(): void {
    this.enqueue('rules', () => this.tick(Date.now()));
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
    return this.enqueueResult(async () => {
      const stored = await this.repository.byId(id);
      if (stored === undefined) throw new AlertActionError(`no alert ${id}`, 404);
      const now = Date.now();
      const stepped = change(stored, now);
      const written = await this.repository.write(
        stepped.alert,
        this.auditOf(stepped.alert, stepped.transitions),
      );
      if (!written.ok)
        throw new AlertActionError(`alert ${id} changed meanwhile; read it again and retry`, 409);
      countTransitions(stepped.transitions);
      if (this.ownsGroup(written.alert.labels.district)) {
        this.remember(written.alert);
        await this.planGroups([written.alert.labels.district], now);
      }
      this.publisher.publishAlerts([toWire(written.alert)]);
      return written.alert;
    });
  }

  // ------------------------------------------------------------------ the queue

  private enqueue(what: string, work: () => Promise<void>): void {
    this.queue.enqueue(what, work);
  }

  private enqueueResult<T>(work: () => Promise<T>): Promise<T> {
    return this.queue.enqueueResult(work);
  }

  // ------------------------------------------------------------------ ownership

  private async assignmentChanged(assignment: Assignment | null): Promise<void> {
    const next = ownedDistricts(this.districts, assignment);
    const gained = [...next].filter((d) => !this.owned.has(d));
    const lost = [...this.owned].filter((d) => !next.has(d));
    for (const district of lost) this.forget(district);
    this.owned = next;
    if (gained.length > 0) await this.adopt(gained, Date.now());
    if (gained.length > 0 || lost.length > 0) {
      this.logger.log(
        `alert writer of ${next.size} districts (${gained.length} gained, ${lost.length} lost)`,
      );
    }
  }

  /** Takes over districts: their open alerts, recent episodes (flap history) and group timers from the database. */
  private async adopt(districts: readonly string[], now: number): Promise<void> {
    const groups = [
      ...districts,
      ...(districts.includes(this.producerOwnerDistrict()) ? [this.region.code] : []),
    ];
    for (const alert of await this.repository.ofDistricts(groups, new Date(now - FLAP_WINDOW_MS))) {
      if (alert.firedAt !== null)
        this.firings.set(alert.fingerprint, [...(this.firings.get(alert.fingerprint) ?? []), alert.firedAt]);
      if (isOpen(alert) || (alert.notified.firing && !alert.notified.resolved))
        this.alerts.set(alert.fingerprint, alert);
    }
    for (const [district, at] of await this.repository.lastNotified(groups)) this.lastSent.set(district, at);
    await this.evaluate(groups, now);
  }

  private forget(district: string): void {
    for (const [fingerprint, alert] of this.alerts)
      if (alert.labels.district === district) this.alerts.delete(fingerprint);
    clearTimeout(this.groupTimers.get(district));
    this.groupTimers.delete(district);
    this.lastSent.delete(district);
  }

  /** Whether this instance writes the alerts of a group (a district, or the region's producer group). */
  private ownsGroup(group: string): boolean {
    return group === this.region.code ? this.owned.has(this.producerOwnerDistrict()) : this.owned.has(group);
  }

  /** Producer no-data alerts belong to the owner of the region's first district (one writer for them too). */
  private producerOwnerDistrict(): string {
    return this.districts[0] ?? this.region.code;
  }

  // ------------------------------------------------------------------ evaluation

  private async tick(now: number): Promise<void> {
    this.minutes.advance(now);
    await this.reloadRulesAndSilences(now);
    const owned = [...this.owned];
    await this.refreshBlackSpots(owned, now);
    await this.evaluate(owned, now);
    if (this.owned.has(this.producerOwnerDistrict())) await this.evaluateProducers(now);
    this.evaluatedAt = now;
  }

  private async reloadRulesAndSilences(now: number): Promise<void> {
    this.rules = new Map((await this.repository.rules(this.region.code)).map((rule) => [rule.id, rule]));
    this.silences = await this.repository.silences({ activeAt: new Date(now) });
    this.spikes.rulesChanged([...this.rules.values()]);
  }

  private async refreshBlackSpots(districts: readonly string[], now: number): Promise<void> {
    for (const rule of this.rules.values()) {
      const c = rule.condition;
      if (!rule.enabled || c.kind !== 'black_spot') continue;
      for (const district of districts) {
        const key = `${rule.id}/${district}`;
        const cached = this.blackSpots.get(key);
        if (
          cached !== undefined &&
          !this.staleBlackSpots.has(district) &&
          now - cached.at < BLACK_SPOT_REFRESH_MS
        )
          continue;
        const points = await this.repository.accidentPoints(
          district,
          new Date(now - c.hours * 3_600_000),
          new Date(now + 60_000),
        );
        this.blackSpots.set(key, { at: now, spot: densestSpot(points, c.radiusKm) });
      }
    }
    for (const district of districts) this.staleBlackSpots.delete(district);
  }

  /** Runs the rules (all, or those of one kind) for owned districts, then their flags, escalations and groups. */
  private async evaluate(
    districts: readonly string[],
    now: number,
    kind?: AlertRule['condition']['kind'],
  ): Promise<void> {
    const owned = districts.filter((d) => this.ownsGroup(d));
    if (owned.length === 0) return;
    if (kind === undefined) {
      const withAccidents = owned.filter((d) => this.staleBlackSpots.has(d));
      if (withAccidents.length > 0) await this.refreshBlackSpots(withAccidents, now);
    }
    const sources = this.sources();
    for (const rule of this.rules.values()) {
      const c = rule.condition;
      if (!rule.enabled || (kind !== undefined && c.kind !== kind)) continue;
      if (c.kind === 'no_data' && c.scope === 'producer') continue;
      for (const district of owned) {
        if (district === this.region.code) continue;
        if (rule.districts !== null && !rule.districts.includes(district)) continue;
        const labels = labelsOf(rule, district);
        const observation = observe(rule, district, sources, now);
        await this.apply(rule, labels, observation, now);
      }
    }
    await this.retireOrphans(owned, now);
    await this.refreshFlags(owned, now);
    await this.planGroups(owned, now);
  }

  private async evaluateProducers(now: number): Promise<void> {
    for (const rule of this.rules.values()) {
      const c = rule.condition;
      if (!rule.enabled || c.kind !== 'no_data' || c.scope !== 'producer') continue;
      for (const [producer, seen] of this.lastSeenProducer) {
        const silentMinutes = (now - Math.max(seen, this.startedAt - ARRIVALS_LOOKBACK_MS)) / 60_000;
        const observation: Observation = {
          active: silentMinutes >= c.minutes,
          cleared: silentMinutes < c.minutes,
          value: Math.floor(silentMinutes),
          summary: `no event from producer ${producer} for ${Math.floor(silentMinutes)} min (fires at ${c.minutes})`,
        };
        await this.apply(rule, labelsOf(rule, this.region.code, producer), observation, now);
      }
    }
    await this.refreshFlags([this.region.code], now);
    await this.planGroups([this.region.code], now);
  }

  private sources(): SignalSources {
    return {
      features: (district) => this.features.current(district),
      score: (district) => this.scoring.scoreOf(district),
      minutes: this.minutes,
      blackSpot: (rule, district) => this.blackSpots.get(`${rule.id}/${district}`)?.spot,
      lastSeen: (district) => this.lastSeenDistrict.get(district) ?? this.startedAt,
      spike: (rule, district, now) => this.spikes.observe(rule, district, now),
    };
  }

  /** One fingerprint's step, stored (and pushed) before it counts. */
  private async apply(
    rule: AlertRule,
    labels: AlertRecord['labels'],
    observation: Observation | null,
    now: number,
  ): Promise<void> {
    const fingerprint = fingerprintOf(labels);
    const current = this.alerts.get(fingerprint);
    const stepped = step(current, observation, rule, {
      now,
      labels,
      fingerprint,
      newId: randomUUID,
      firings: this.recentFirings(fingerprint, now),
    });
    if (stepped === null) return;
    if (stepped.transitions.length === 0) {
      this.alerts.set(fingerprint, stepped.alert); // the value only: stored with the next change
      return;
    }
    await this.store(stepped);
  }

  private async store(stepped: Step): Promise<AlertRecord | undefined> {
    const { alert } = stepped;
    const written = await this.repository.write(alert, this.auditOf(alert, stepped.transitions));
    if (!written.ok) {
      // Another writer (an operator on another replica, or a previous owner) changed it: read it again.
      this.logger.warn(`alert ${alert.fingerprint} changed under this writer; reloading it`);
      const fresh = await this.repository.openByFingerprint(alert.fingerprint);
      if (fresh === undefined) this.alerts.delete(alert.fingerprint);
      else this.alerts.set(alert.fingerprint, fresh);
      return undefined;
    }
    countTransitions(stepped.transitions);
    if (stepped.transitions.some((t) => t.action === 'alert.firing')) {
      this.firings.set(alert.fingerprint, [
        ...this.recentFirings(alert.fingerprint, alert.updatedAt),
        alert.updatedAt,
      ]);
    }
    this.remember(written.alert);
    // Pushed at once: a firing alert does not wait for the rest of the round (e.g. many resolutions).
    this.publisher.publishAlerts([toWire(written.alert)]);
    return written.alert;
  }

  private remember(alert: AlertRecord): void {
    if (isOpen(alert) || (alert.notified.firing && !alert.notified.resolved && told(alert))) {
      this.alerts.set(alert.fingerprint, alert);
    } else if (this.alerts.get(alert.fingerprint)?.id === alert.id) {
      this.alerts.delete(alert.fingerprint);
    }
  }

  private recentFirings(fingerprint: string, now: number): number[] {
    return (this.firings.get(fingerprint) ?? []).filter((at) => now - at < FLAP_WINDOW_MS);
  }

  /** Open alerts whose rule was deleted, disabled or narrowed away from their district resolve. */
  private async retireOrphans(districts: readonly string[], now: number): Promise<void> {
    for (const alert of this.openIn(districts)) {
      const rule = this.rules.get(alert.labels.rule);
      const applies =
        rule !== undefined &&
        rule.enabled &&
        (rule.districts === null ||
          rule.districts.includes(alert.labels.district) ||
          alert.labels.producer !== undefined);
      if (applies) continue;
      await this.store({
        alert: {
          ...alert,
          state: 'resolved',
          resolvedAt: now,
          dueSince: alert.notified.firing ? now : null,
          updatedAt: now,
        },
        transitions: [
          {
            action: 'alert.resolved',
            reason: `rule ${alert.labels.rule} was deleted, disabled or no longer covers the district`,
          },
        ],
      });
    }
  }

  /** Silences, inhibition, flapping and escalation of the open alerts (engine/flags.ts); each change stored and audited. */
  private async refreshFlags(districts: readonly string[], now: number): Promise<void> {
    const steps = flagSteps(this.openIn(districts), {
      silences: this.silences,
      rules: this.rules,
      recentFirings: (fingerprint) => this.recentFirings(fingerprint, now),
      now,
    });
    for (const stepped of steps) await this.store(stepped);
  }

  private openIn(districts: readonly string[]): AlertRecord[] {
    const wanted = new Set(districts);
    return [...this.alerts.values()].filter((a) => isOpen(a) && wanted.has(a.labels.district));
  }

  // ------------------------------------------------------------------ notifications

  /** Sends what each district's group has due (stored once in the outbox, then handed to delivery). */
  private async planGroups(districts: readonly string[], now: number): Promise<void> {
    for (const district of new Set(districts)) {
      const members = [...this.alerts.values()].filter((a) => a.labels.district === district);
      const plan = planGroup(
        district,
        members,
        this.rules,
        this.lastSent.get(district) ?? null,
        this.timing,
        now,
      );
      for (const planned of plan.notifications) {
        const id = randomUUID();
        const notification: AlertNotification = {
          id,
          idempotencyKey: planned.idempotencyKey,
          district,
          kind: planned.kind,
          level: planned.level,
          levelName: planned.levelName,
          createdAt: new Date(now).toISOString(),
          alerts: planned.alerts.map(toWire),
        };
        const result = await this.repository.storeNotification(id, district, planned, notification);
        if (result === null) {
          this.logger.warn(`a notification of ${district} was not sent: an alert in it changed meanwhile`);
          for (const alert of planned.alerts) {
            const fresh = await this.repository.byId(alert.id);
            if (fresh !== undefined) this.remember(fresh);
          }
          continue;
        }
        for (const alert of result.alerts) this.remember(alert);
        this.lastSent.set(district, now);
        if (result.stored) {
          this.publisher.notify(notification);
          metrics.notifications.inc({ kind: notification.kind });
        }
      }
      this.schedule(district, plan.nextAt);
    }
  }

  private schedule(district: string, at: number | null): void {
    clearTimeout(this.groupTimers.get(district));
    this.groupTimers.delete(district);
    if (at === null || this.queue.isStopped) return;
    const timer = setTimeout(
      () => {
        this.groupTimers.delete(district);
        this.enqueue('group', () => this.planGroups([district], Date.now()));
      },
      Math.max(0, at - Date.now()),
    );
    timer.unref();
    this.groupTimers.set(district, timer);
  }

  private auditOf(alert: AlertRecord, transitions: readonly Transition[]) {
    return transitions.map((t) => ({
      actor: t.actor ?? 'system',
      action: t.action,
      subject: `alert:${alert.id}`,
      reason: t.reason,
      details: {
        fingerprint: alert.fingerprint,
        state: alert.state,
        value: alert.value,
        escalationLevel: alert.escalationLevel,
      },
    }));
  }

  // ------------------------------------------------------------------ health

  /** Open alerts of the districts this instance holds, by state (the metrics' alert gauge). */
  openByState(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const alert of this.alerts.values()) {
      if (isOpen(alert)) counts[alert.state] = (counts[alert.state] ?? 0) + 1;
    }
    return counts;
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
      owned: this.owned.size,
      open: [...this.alerts.values()].filter(isOpen).length,
      rules: this.rules.size,
      silences: this.silences.length,
      failures: this.queue.failures,
      evaluatedAt: this.evaluatedAt === null ? null : new Date(this.evaluatedAt).toISOString(),
    };
  }
}

function countTransitions(transitions: readonly Transition[]): void {
  for (const transition of transitions) metrics.alertTransitions.inc({ action: transition.action });
}
