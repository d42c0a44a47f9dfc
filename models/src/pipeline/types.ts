import type { Category, Region, RegionUnit } from '@district-monitor/streams';
import type { HourlyCounts } from '../features/counts.js';
import type { HourClock } from '../features/hour-clock.js';

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
  /** Opaque per-branch payloads (each branch's own `toJSON()` with its format tag). */
  readonly branches: Readonly<Record<'forecasts' | 'forest' | 'profiles' | 'fusion', unknown>>;
}

/** What a model card says (shown on the board's model panel and returned by the REST API). */
export interface ModelCard {
  readonly trainedAt: string;
  /** Training window: the first and last instants of the events used (ISO 8601). */
  readonly window: { readonly from: string; readonly to: string };
  /** Districts, samples (district-weeks) and events seen. */
  readonly data: Readonly<Record<string, number | string>>;
  /** Feature widths: crime statistics, trend, profile, fusion input. */
  readonly features: {
    readonly crime: number;
    readonly trend: number;
    readonly profile: number;
    readonly fusion: number;
  };
  /** Metrics on the time-ordered validation split (the last weeks of the window). */
  readonly metrics: Readonly<Record<string, number | null>>;
  /** Per-branch facts: trees, k and its silhouette, epochs run, forecaster settings. */
  readonly branches: Readonly<Record<string, Readonly<Record<string, number | string | null>>>>;
  /** Seconds spent per stage. */
  readonly timings: Readonly<Record<string, number>>;
}

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

/** What the scorer says about one district at one instant. */
export interface DistrictScore {
  readonly district: string;
  /** Epoch ms the score describes. */
  readonly asOf: number;
  /** P(next 7 days in the top tercile of the district's weekly history). */
  readonly elevated: number;
  /** Probabilities of the low, middle and high tercile. */
  readonly classProbabilities: readonly number[];
  readonly expectedCount: number;
  readonly interval80: readonly [number, number];
  /** The forecaster's daily incident forecast from asOf's day on: point, lower, upper (80%). */
  readonly forecast: readonly {
    readonly day: string;
    readonly point: number;
    readonly lower: number;
    readonly upper: number;
  }[];
  /** Stable k-means label, and the other districts with the same label. */
  readonly cluster: { readonly label: number; readonly peers: readonly string[] };
  /** The crime-statistics features that drive the forest most, statewide (name, importance, spread). */
  readonly topFactors: readonly {
    readonly name: string;
    readonly importance: number;
    readonly spread: number;
  }[];
  readonly modelVersion: string;
}

/** The inputs the scorer reads for one district: its live counts and crime-statistics vector. */
export interface ScoringInput {
  readonly unit: RegionUnit;
  readonly counts: HourlyCounts;
  readonly clock: HourClock;
  /** The 128 crime-statistics features at `asOf` (FeatureService already has them). */
  readonly crimeVector: readonly number[];
  readonly asOf: number;
}
