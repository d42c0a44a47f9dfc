import { Inject, Injectable } from '@nestjs/common';
import {
  BOARD_WINDOW_HOURS,
  districtsOf,
  usualHourlyRate,
  type BoardSnapshot,
  type Region,
} from '@district-monitor/streams';
import { REGION } from '../config/tokens.js';
import { EventStoreRepository } from '../database/event-store.repository.js';
import { FeatureService } from '../features/feature.service.js';
import { SimulationStatusStore } from './simulation-status.js';

const MINUTES = 30;

/** Builds the board's snapshot from the database: what a (re)connecting board starts from. */
@Injectable()
export class BoardService {
  constructor(
    @Inject(REGION) private readonly region: Region,
    @Inject(EventStoreRepository) private readonly store: EventStoreRepository,
    @Inject(SimulationStatusStore) private readonly simulation: Pick<SimulationStatusStore, 'status'>,
    @Inject(FeatureService) private readonly features: Pick<FeatureService, 'districtCodes' | 'find'>,
  ) {}

  /** Each district's usual events an hour, from the features kept for it (none before they are loaded). */
  private usualHourlyRates(): Record<string, number> {
    return Object.fromEntries(
      this.features.districtCodes.flatMap((code) => {
        const features = this.features.find(code);
        return features === undefined ? [] : [[code, usualHourlyRate(features)]];
      }),
    );
  }

  /**
   * `districts`: the reader's districts (null: every district). Counts and reports of other districts
   * are left out; the per-minute ingestion rate and the total are the pipeline's, with no district.
   */
  async snapshot(now = new Date(), districts: readonly string[] | null = null): Promise<BoardSnapshot> {
    const since = new Date(now.getTime() - BOARD_WINDOW_HOURS * 3_600_000);
    const firstMinute = new Date(Math.floor(now.getTime() / 60_000) * 60_000 - (MINUTES - 1) * 60_000);
    const [countsByDistrict, perMinute, totalStored, lastReportedAt] = await Promise.all([
      this.store.countsByDistrict(since),
      this.store.storedPerMinute(firstMinute),
      this.store.totalStored(),
      // The same span as the counts: one more scan of the rows the counts read, never of a week of events.
      this.store.lastReportedByDistrict(since),
    ]);
    const byMinute = new Map(perMinute.map((row) => [row.minute, row.count]));
    const minutes = Array.from({ length: MINUTES }, (_, i) => {
      const minute = new Date(firstMinute.getTime() + i * 60_000).toISOString();
      return { minute, count: byMinute.get(minute) ?? 0 };
    });
    return {
      at: now.toISOString(),
      region: { code: this.region.code, name: this.region.name, timeZone: this.region.timeZone },
      districts: districtsOf(this.region).map(({ code, name }) => ({ code, name })),
      windowHours: BOARD_WINDOW_HOURS,
      countsByDistrict: only(countsByDistrict, districts),
      minutes,
      totalStored,
      lastReportedAt: only(lastReportedAt, districts),
      usualHourlyRate: only(this.usualHourlyRates(), districts),
      simulation: this.simulation.status,
    };
  }
}

/** The entries of `record` whose key is one of `codes` (all of them when `codes` is null). */
function only<T>(record: Record<string, T>, codes: readonly string[] | null): Record<string, T> {
  if (codes === null) return record;
  return Object.fromEntries(Object.entries(record).filter(([code]) => codes.includes(code)));
}
