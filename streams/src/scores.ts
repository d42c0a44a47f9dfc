/**
 * The model registry and the district scores as the backend serves them (`/api/models*`,
 * `/api/scores`, `/api/districts/:code/score` and the `scores` Socket.IO event). The models themselves
 * live in models/ (`trainDistrictModels`, `DistrictScorer`); these are their plain-JSON wire shapes.
 */

/** What a model card says: training window, data, features, metrics, per-branch facts, timings. */
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

/** `training` while the worker runs; `ready` once stored (and activated); `failed` with its `error`. */
export type ModelVersionStatus = 'training' | 'ready' | 'failed';

/** Who asked for a training: the periodic schedule, the start-up check, or `POST /api/models/retrain`. */
export type ModelRequester = 'schedule' | 'startup' | 'api';

/** One version of the registry as `GET /api/models` lists it (never the bundle itself). */
export interface ModelVersionInfo {
  /** `v1`, `v2`, ...: also the `modelVersion` of every score it made. */
  readonly id: string;
  readonly status: ModelVersionStatus;
  readonly requestedBy: ModelRequester;
  /** ISO instants: training requested, and training ended (null while it runs). */
  readonly createdAt: string;
  readonly finishedAt: string | null;
  /** The version learns from events strictly before this instant (ISO). */
  readonly trainedUntil: string;
  /** Whether this is the version that scores now (exactly one once a first training succeeded). */
  readonly active: boolean;
  /** Null until the version is ready. */
  readonly card: ModelCard | null;
  /** Why the training failed; null otherwise. */
  readonly error: string | null;
}

/** `GET /api/models`: newest first. */
export interface ModelVersionsResponse {
  readonly active: string | null;
  /** The version training now, if any (one at a time). */
  readonly training: string | null;
  readonly versions: readonly ModelVersionInfo[];
}

/** `GET /api/models/active`. */
export interface ActiveModelResponse {
  readonly id: string;
  readonly activatedAt: string;
  readonly trainedUntil: string;
  readonly card: ModelCard;
}

/** `POST /api/models/retrain` answers 202 with the version being trained. */
export interface RetrainAccepted {
  readonly id: string;
  readonly status: 'training';
  readonly trainedUntil: string;
}

/** What the active model says about one district at one instant (the next 7 days from `asOf`). */
export interface DistrictScore {
  readonly district: string;
  /** The instant the score describes (ISO). */
  readonly asOf: string;
  /** P(the next 7 days' incidents fall in the top tercile of the district's own weekly history). */
  readonly elevated: number;
  /** Probabilities of the low, middle and high tercile. */
  readonly classProbabilities: readonly number[];
  /** Expected incidents over the next 7 days, with an 80% interval. */
  readonly expectedCount: number;
  readonly interval80: readonly [number, number];
  /**
   * Daily incident forecast from `asOf`'s local day on: point, lower and upper (80%). `day` is the ISO
   * instant of the local day's midnight (`2026-11-23T18:30:00.000Z` is 24 November in IST).
   */
  readonly forecast: readonly {
    readonly day: string;
    readonly point: number;
    readonly lower: number;
    readonly upper: number;
  }[];
  /** Stable k-means profile label, and the other districts with the same label. */
  readonly cluster: { readonly label: number; readonly peers: readonly string[] };
  /** The crime-statistics features that drive the forest most, region-wide. */
  readonly topFactors: readonly {
    readonly name: string;
    readonly importance: number;
    readonly spread: number;
  }[];
  /** The registry version that made the score. */
  readonly modelVersion: string;
}

/** Pushed as `scores`: the latest score of each district rescored since the last push. */
export interface ScoresUpdate {
  readonly at: string;
  readonly districts: readonly DistrictScore[];
}

/**
 * `GET /api/scores`: every district's latest score. With no active model `districts` is empty and
 * `reason` says why (no version trained yet, or the active one could not be loaded).
 */
export interface ScoresResponse {
  readonly modelVersion: string | null;
  readonly reason: string | null;
  readonly districts: readonly DistrictScore[];
}
