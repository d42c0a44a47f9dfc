import type {
  Category,
  DistrictScore as WireDistrictScore,
  ModelCard,
  Region,
  RegionUnit,
} from '@district-monitor/streams';
import type { HourlyCounts } from '../features/counts.js';
import type { HourClock } from '../features/hour-clock.js';
import type { RegionWeek } from './region-momentum.js';

/**
 * The live models of one region as one unit: per-district forecasts (trend branch), the random forest
 * (crime-statistics branch), the k-means profiles (profile branch) and the fusion network, trained
 * together on the same window and versioned together. Everything is plain JSON (the model registry
 * stores it in the database).
 *
 * The period they predict is the next 7 days from the scoring instant: `elevated` is the probability
 * that a district's incidents over the next 7 days fall in the top tercile of its own weekly history,
 * `expectedCount` their expected number.
 */
export interface ModelBundleJson {
  readonly format: 'district-models@1';
  readonly region: string;
  /** Epoch ms: the bundle was trained on events strictly before this instant. */
  readonly trainedUntil: number;
  readonly card: ModelCard;
  /**
   * Opaque per-branch payloads (each branch's own `toJSON()` with its format tag); `interval`, the fusion's
   * 80% interval (live-interval.ts), and `momentum`, the region momentum's weight (region-momentum.ts), are
   * absent in bundles trained before them.
   */
  readonly branches: Readonly<Record<'forecasts' | 'forest' | 'profiles' | 'fusion', unknown>> & {
    readonly interval?: unknown;
    readonly momentum?: unknown;
  };
}

/** What a model card says: the wire type of `streams/src/scores.ts` (the board's model panel and the REST API show it). */
export type { ModelCard } from '@district-monitor/streams';

/** One district-category-hour count, as the aggregates hold it. */
export interface HourlyCountInput {
  readonly district: string;
  readonly category: Category;
  /** Epoch ms of the bucket start. */
  readonly hour: number;
  readonly events: number;
  readonly killed: number;
  readonly injured: number;
}

export interface TrainingInput {
  readonly region: Region;
  /** The hourly counts of every district, from at least a year before `until` if available. */
  readonly counts: readonly HourlyCountInput[];
  /** Train on events strictly before this instant (epoch ms). */
  readonly until: number;
  readonly seed?: number;
  /** Progress of long stages, for logs: stage name, done, total. */
  readonly onProgress?: (stage: string, done: number, total: number) => void;
}

/** What the scorer says about one district at one instant: the wire type, with `asOf` in epoch ms. */
export interface DistrictScore extends Omit<WireDistrictScore, 'asOf'> {
  /** Epoch ms the score describes. */
  readonly asOf: number;
}

/** The inputs the scorer reads for one district: its live counts and crime-statistics vector. */
export interface ScoringInput {
  readonly unit: RegionUnit;
  readonly counts: HourlyCounts;
  readonly clock: HourClock;
  /** The 128 crime-statistics features at `asOf` (FeatureService already has them). */
  readonly crimeVector: readonly number[];
  readonly asOf: number;
  /**
   * The region's week ending at `asOf` (`regionWeek` over every district of the region), for the region
   * momentum of the baseline; without it the baseline is not corrected.
   */
  readonly region?: RegionWeek;
}
