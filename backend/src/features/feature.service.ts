import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { districtsOf, type Region, type RegionUnit } from '@district-monitor/streams';
import {
  CUBE_HOURS,
  HourClock,
  HourlyCube,
  computeDistrictFeatures,
  type DistrictFeatures,
  type HourlyCounts,
} from '@district-monitor/models';
import { REGION } from '../config/tokens.js';
import type { CommittedBatch } from '../events/app-events.js';
import { EventBus, OnEvent } from '../events/event-bus.js';
import type { CountChange } from '../database/event-store.repository.js';
import { FeatureRepository } from './feature.repository.js';

/** Events may lie up to a few minutes ahead of this clock (the validator's skew): one hour of headroom. */
const FUTURE_HOURS = 2;
/** Every district's features are recomputed this often, so windows slide and baselines stay current. */
const REFRESH_MS = 60_000;

/**
 * The rolling features of every district, kept current incrementally. Each district has an hourly
 * cube (two years of hour buckets per category, see models/src/features/counts.ts) loaded from the
 * hourly aggregates at start-up; after each committed batch the store's signed count changes are added
 * to the cubes and only the districts they touched are recomputed. The work per batch depends on the
 * districts touched, not on how much history is stored.
 */
@Injectable()
export class FeatureService implements OnModuleDestroy {
  readonly clock: HourClock;
  private readonly logger = new Logger('Features');
  private readonly districts: ReadonlyMap<string, RegionUnit>;
  private readonly regionPopulation: number | null;
  private readonly cubes = new Map<string, HourlyCube>();
  private readonly kept = new Map<string, DistrictFeatures>();
  private endHour = 0;
  /** The hour whose every-district update listeners last got (see `tick`). */
  private publishedHour = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Count changes outside the cubes' span (older than two years): stored, but no feature reads them. */
  ignoredChanges = 0;
  /**
   * Districts whose cube refused a change (a count would go below zero): out of step with the store,
   * reported by the health endpoint and reloaded at the next start. Only another instance or an
   * out-of-order application of changes can cause it; a committed batch is never failed for it.
   */
  readonly staleDistricts = new Set<string>();

  constructor(
    @Inject(REGION) region: Region,
    @Inject(FeatureRepository) private readonly repository: FeatureRepository,
    /** Where recomputed features go (`features.changed`); a service built by hand gets a bus of its own. */
    @Inject(EventBus) private readonly bus: EventBus = new EventBus(),
  ) {
    this.clock = new HourClock(region.timeZone);
    const districts = districtsOf(region);
    this.districts = new Map(districts.map((unit) => [unit.code, unit]));
    const known = districts.every((unit) => unit.population !== undefined);
    this.regionPopulation = known ? districts.reduce((sum, unit) => sum + (unit.population ?? 0), 0) : null;
  }

  /** Loads every district's cube from the hourly aggregates and computes all features. */
  async load(now = Date.now()): Promise<void> {
    const started = performance.now();
    this.endHour = this.clock.hourOf(now) + FUTURE_HOURS;
    this.publishedHour = this.clock.hourOf(now);
    for (const code of this.districts.keys()) {
      this.cubes.set(code, new HourlyCube({ capacityHours: CUBE_HOURS, endHour: this.endHour }));
    }
    const since = new Date(this.clock.startOf(this.endHour - CUBE_HOURS));
    const rows = await this.repository.hourlySince(since);
    for (const row of rows) {
      const cube = this.cubes.get(row.district);
      if (cube === undefined) {
        this.logger.warn(`stored counts name district ${row.district}, which the region does not have`);
        continue;
      }
      const hour = this.clock.hourOf(row.bucket.getTime());
      if (!cube.add(row.category, hour, row.events, row.killed, row.injured)) this.ignoredChanges++;
    }
    this.recompute([...this.districts.keys()], now);
    this.logger.log(
      `loaded ${rows.length} hourly counts of ${this.districts.size} districts in ${Math.round(performance.now() - started)} ms`,
    );
  }

  /**
   * Rebuilds some districts' cubes from the hourly aggregates (a replica that gained their partition:
   * another replica applied their changes meanwhile), recomputes and publishes their features. The
   * caller makes sure no batch is applied while it runs. Returns the hourly rows read.
   */
  async reload(codes: readonly string[], now = Date.now()): Promise<number> {
    const known = codes.filter((code) => this.districts.has(code));
    if (known.length === 0) return 0;
    this.advance(now);
    const since = new Date(this.clock.startOf(this.endHour - CUBE_HOURS));
    const rows = await this.repository.hourlyOfDistrictsSince(known, since);
    // Built aside and swapped in at once, so a read of the features never sees a half-loaded cube.
    const fresh = new Map(
      known.map((code) => [code, new HourlyCube({ capacityHours: CUBE_HOURS, endHour: this.endHour })]),
    );
    for (const row of rows) {
      const cube = fresh.get(row.district);
      if (cube === undefined) continue;
      if (
        !cube.add(row.category, this.clock.hourOf(row.bucket.getTime()), row.events, row.killed, row.injured)
      ) {
        this.ignoredChanges++;
      }
    }
    for (const [code, cube] of fresh) {
      this.cubes.set(code, cube);
      this.staleDistricts.delete(code);
    }
    const features = this.recompute(known, now);
    this.bus.emit('features.changed', features);
    return rows.length;
  }

  /** The region's district codes. */
  get districtCodes(): readonly string[] {
    return [...this.districts.keys()];
  }

  /** Keeps windows sliding: recomputes every district each minute, and tells subscribers at each new hour. */
  start(): void {
    this.timer = setInterval(() => {
      try {
        this.tick(Date.now());
      } catch (error) {
        this.logger.error(`recomputing the features failed: ${String(error)}`);
      }
    }, REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  @OnEvent('batch.committed')
  batchCommitted(batch: CommittedBatch): void {
    this.applyChanges(batch.changes);
  }

  /** Adds a committed batch's count changes and recomputes the districts they touched. */
  applyChanges(changes: readonly CountChange[], now = Date.now()): readonly DistrictFeatures[] {
    if (changes.length === 0) return [];
    this.advance(now);
    const touched = new Set<string>();
    for (const change of changes) {
      const cube = this.cubes.get(change.district);
      if (cube === undefined) continue; // not a district of this region: the validator refuses those
      const hour = this.clock.hourOf(change.occurredAt.getTime());
      try {
        if (cube.add(change.category, hour, change.events, change.killed, change.injured)) {
          touched.add(change.district);
        } else {
          this.ignoredChanges++;
        }
      } catch (error) {
        // The batch is committed: failing it now would lose its other changes on re-delivery.
        if (!this.staleDistricts.has(change.district)) {
          this.logger.error(
            `features of ${change.district} are out of step with the store: ${String(error)}`,
          );
        }
        this.staleDistricts.add(change.district);
      }
    }
    const features = this.recompute([...touched], now);
    if (features.length > 0) this.bus.emit('features.changed', features);
    return features;
  }

  /** The kept features of a district, or undefined before they are loaded. */
  find(code: string): DistrictFeatures | undefined {
    return this.kept.get(code);
  }

  /** The kept features of a district (recomputed at its last change, and every minute). */
  current(code: string): DistrictFeatures {
    const features = this.kept.get(code);
    if (features === undefined)
      throw new Error(`no features kept for ${code}; is it a district of the region?`);
    return features;
  }

  /** A district's live hourly counts (read by the model scorer; not to be changed by the caller). */
  countsOf(code: string): HourlyCounts {
    const cube = this.cubes.get(code);
    if (cube === undefined) throw new Error(`${code} is not a district of the region`);
    return cube;
  }

  /** Computes a district's features as of `asOf` from its cube (tests compare this with a recount). */
  compute(code: string, asOf: number): DistrictFeatures {
    const unit = this.districts.get(code);
    const cube = this.cubes.get(code);
    if (unit === undefined || cube === undefined) throw new Error(`${code} is not a district of the region`);
    return computeDistrictFeatures({
      counts: cube,
      clock: this.clock,
      asOf,
      unit,
      regionPopulation: this.regionPopulation,
    });
  }

  tick(now: number): void {
    this.advance(now);
    const all = this.recompute([...this.districts.keys()], now);
    // Tracked apart from the cubes' span: a batch arriving first in a new hour advances the span too.
    const hour = this.clock.hourOf(now);
    if (hour !== this.publishedHour) {
      this.publishedHour = hour;
      this.bus.emit('features.changed', all);
    }
  }

  /** Moves every cube's span forward to the current hour. */
  private advance(now: number): void {
    const endHour = this.clock.hourOf(now) + FUTURE_HOURS;
    if (endHour <= this.endHour) return;
    for (const cube of this.cubes.values()) cube.advanceTo(endHour);
    this.endHour = endHour;
  }

  private recompute(codes: readonly string[], now: number): DistrictFeatures[] {
    return codes.map((code) => {
      const features = this.compute(code, now);
      this.kept.set(code, features);
      return features;
    });
  }
}
