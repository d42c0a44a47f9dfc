import type { AlertRule, Category, DistrictFeatures, DistrictScore } from '@district-monitor/streams';
import type { CommittedBatch } from '../../events/app-events.js';
import { SpikeSignals } from '../spike-signals.js';
import { ARRIVALS_LOOKBACK_MS, Arrivals } from './arrivals.js';
import { BlackSpotCache } from './black-spot-cache.js';
import type { Point } from './black-spot.js';
import { MinuteCounts } from './minute-counts.js';
import type { SignalSources } from './signals.js';

/** How far back the minute counts reach (the longest category window or spike history they serve). */
export const MAX_MINUTE_SPAN = 14 * 24 * 60;

/** What the state reads from the store (the alert repository). */
export interface SignalStore {
  minuteCounts(from: Date): Promise<
    Iterable<{
      readonly district: string;
      readonly category: string;
      readonly minute: Date | string;
      readonly events: number;
    }>
  >;
  lastArrivals(
    from: Date,
  ): Promise<{ districts: ReadonlyMap<string, number>; producers: ReadonlyMap<string, number> }>;
  accidentPoints(district: string, from: Date, to: Date): Promise<Point[]>;
}

/** The features and scores the rules read, from their services. */
export interface SignalServices {
  readonly features: { current(district: string): DistrictFeatures | undefined };
  readonly scoring: { scoreOf(district: string): DistrictScore | undefined };
}

/**
 * What the rules read that the engine itself keeps: minute counts by report time, the spike detectors,
 * the last arrivals and the black spots. A committed batch updates them at once (no I/O but the black
 * spots' accident points, read when the engine refreshes them).
 */
export class SignalState {
  readonly minutes: MinuteCounts;
  readonly arrivals = new Arrivals();
  readonly blackSpots: BlackSpotCache;
  private readonly spikes: SpikeSignals;

  constructor(
    districts: readonly string[],
    private readonly store: SignalStore,
    private readonly services: SignalServices,
    now = Date.now(),
  ) {
    this.minutes = new MinuteCounts(districts, MAX_MINUTE_SPAN, now);
    this.spikes = new SpikeSignals(this.minutes);
    this.blackSpots = new BlackSpotCache((district, from, to) => store.accidentPoints(district, from, to));
  }

  /** At start: the stored minute counts of the last `MAX_MINUTE_SPAN` and the last arrivals. */
  async load(now: number): Promise<void> {
    for (const row of await this.store.minuteCounts(new Date(now - MAX_MINUTE_SPAN * 60_000)))
      this.minutes.add(row.district, row.category as Category, new Date(row.minute).getTime(), row.events);
    this.arrivals.load(now, await this.store.lastArrivals(new Date(now - ARRIVALS_LOOKBACK_MS)));
  }

  /**
   * A committed batch; returns the districts it touched. The minute counts go by report time
   * (`reportedAt`), so the rules see what is being reported now rather than occurrence minutes that
   * late reports keep filling in; corrections are not new reports.
   */
  batch({ changes, received, stored }: CommittedBatch, now: number): Set<string> {
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
      if (change.category === 'road_accident') this.blackSpots.accidentsIn(change.district);
    }
    this.arrivals.received(received, now);
    return touched;
  }

  /** Black spots of districts with new accidents, before their evaluation. */
  async refreshStaleBlackSpots(
    rules: Iterable<AlertRule>,
    districts: readonly string[],
    now: number,
  ): Promise<void> {
    const stale = this.blackSpots.staleOf(districts);
    if (stale.length > 0) await this.blackSpots.refresh(rules, stale, now);
  }

  /** A tick: the minute ring slides to `now`. */
  advance(now: number): void {
    this.minutes.advance(now);
  }

  /** Rules reloaded: detectors of changed rules restart. */
  rulesChanged(rules: Iterable<AlertRule>): void {
    this.spikes.rulesChanged([...rules]);
  }

  /** The rules' sources: this state, with the features and scores of their services. */
  sources(): SignalSources {
    const { features, scoring } = this.services;
    return {
      features: (district) => features.current(district),
      score: (district) => scoring.scoreOf(district),
      minutes: this.minutes,
      blackSpot: (rule, district) => this.blackSpots.spotOf(rule, district),
      lastSeen: (district) => this.arrivals.lastSeen(district),
      spike: (rule, district, now) => this.spikes.observe(rule, district, now),
    };
  }
}
