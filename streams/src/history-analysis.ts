/**
 * The seed's analysis on the real district history (NCRB 2001-2022 and census 2011), as the backend
 * serves it: `GET /api/history/analysis`, `GET /api/history/districts/:code/analysis`,
 * `GET /api/history/tiers` and `GET /api/analysis/correlations?source=history`. The analysis is trained
 * in a worker at start (when absent, or when the history's content hash changed) and versioned in the
 * database beside the live models; these are its plain-JSON wire shapes.
 *
 * Units. The analysis runs on the units of task T1: a district formed by a split (after 2011, and the
 * earlier splits the tables see happen) is merged back into the district it was carved from, so every
 * unit covers the same area in all years. A district of the registry is answered with its unit's figures
 * and the unit named (`unit`), e.g. TN-TUP with the unit "Coimbatore + Erode + Tiruppur".
 */

/** A head of the yearly series: total IPC crime or one of the product's categories. */
export interface AnalysisHead {
  /** `ipc_total`, or a category of the event vocabulary (`crime_women`, `road_accident`, ...). */
  readonly key: string;
  readonly label: string;
}

/** The merged unit a district's history and analysis belong to. */
export interface AnalysisUnit {
  /** Registry code of the unit's main district. */
  readonly code: string;
  /** Its districts' names joined with " + ". */
  readonly name: string;
  /** Registry districts merged into it (the code itself included). */
  readonly members: readonly string[];
  /** Census 2011 population of its members together. */
  readonly population: number;
}

/** One year of a head's series: cases and the rate per 100,000 people (census 2011 population). */
export interface HistoryPoint {
  readonly year: number;
  readonly count: number;
  readonly ratePer100k: number;
}

/** One forecast year with its 80% band (rate per 100,000 people). */
export interface HistoryForecastPoint {
  readonly year: number;
  readonly ratePer100k: number;
  readonly lower80: number;
  readonly upper80: number;
}

/** A unit's yearly series of one head and the Prophet forecast of the next three years. */
export interface HistoryHeadForecast {
  readonly head: string;
  readonly label: string;
  /** Years with data, ascending (years missing from the tables, 2015, are absent). */
  readonly observed: readonly HistoryPoint[];
  /** The next three calendar years after the last observed one; empty when the head has too few cases. */
  readonly forecast: readonly HistoryForecastPoint[];
  /** Why there is no forecast, if so. */
  readonly noForecastReason: string | null;
}

/** Where a factor comes from. */
export type HistoryFactorGroup = 'census' | 'accident' | 'category' | 'lag';

/** Statewide permutation importance of one factor of the crime-rate forest. */
export interface HistoryFactorImportance {
  readonly factor: string;
  readonly label: string;
  readonly group: HistoryFactorGroup;
  /** Mean drop of R² on the held-out years when the factor is permuted. */
  readonly importance: number;
  /** Standard deviation of that drop over the repeats. */
  readonly sd: number;
}

/** One factor's local contribution to one district's predicted (log) crime rate. */
export interface HistoryFactorContribution {
  readonly factor: string;
  readonly label: string;
  readonly group: HistoryFactorGroup;
  /**
   * Mean over repeats and the unit's held-out years of prediction(true) - prediction(factor permuted), in
   * natural-log units of the rate: > 0 means the unit's own value of the factor raises its predicted rate.
   */
  readonly contribution: number;
  /** Standard deviation of that mean over the repeats. */
  readonly sd: number;
  /** Mean absolute change of the prediction when the factor is permuted (the ranking key). */
  readonly meanAbsChange: number;
}

/** How the factor analysis was done and how well the forest predicts. */
export interface HistoryImportanceInfo {
  readonly method: string;
  /** What the forest predicts. */
  readonly target: string;
  /** Years the forest was fitted on, and the held-out years the importance is measured on. */
  readonly trainYears: readonly [number, number];
  readonly testYears: readonly [number, number];
  /** R² of the forest on the held-out years (the importance is a drop of this). */
  readonly heldOutR2: number;
  readonly repeats: number;
}

/** One k-means district profile, described in words from its centroid's z-scores. */
export interface HistoryProfile {
  readonly label: number;
  /** Short name, e.g. "high road deaths, low crimes against women", or "near the state average". */
  readonly description: string;
  /** Units in the profile (for scoped answers: only the units with a district the user may see). */
  readonly units: readonly string[];
  /** Registry districts in the profile (same scoping). */
  readonly districts: readonly string[];
  /** All units in the profile, whatever the scope. */
  readonly size: number;
  /** The centroid: per variable its z-score (standard deviations from the mean of all units) and mean. */
  readonly centroid: readonly {
    readonly variable: string;
    readonly label: string;
    readonly z: number;
    readonly mean: number;
  }[];
}

/** Tier 0 low, 1 middle, 2 high: the third of units by IPC crimes per 100,000 people. */
export type HistoryTier = 0 | 1 | 2;

/** One model's tier for a unit. */
export interface HistoryBranchTier {
  readonly tier: HistoryTier;
  /** The model's probability of that tier (one-hot forecasters: 1). */
  readonly probability: number;
}

/** Next year's structural risk tier of a district from the fusion network trained on all years (T1). */
export interface StructuralTier {
  readonly district: string;
  /** The unit the tier is computed for (see the module's note). */
  readonly unit: string;
  /** The year predicted: the year after the last of the history. */
  readonly year: number;
  readonly tier: HistoryTier;
  readonly tierLabel: 'low' | 'middle' | 'high';
  /** The fusion network's probability of that tier. */
  readonly probability: number;
  /** P(low), P(middle), P(high). */
  readonly probabilities: readonly [number, number, number];
  /** Each branch alone. */
  readonly branches: {
    readonly randomForest: HistoryBranchTier;
    readonly prophet: HistoryBranchTier;
    readonly kMeans: HistoryBranchTier;
  };
  /** The unit's tier in the last year of the history (what persistence would say). */
  readonly lastObservedTier: HistoryTier;
}

/** Which history version the analysis was trained on, and when. */
export interface HistoryAnalysisVersion {
  /** `h1`, `h2`, ... */
  readonly id: string;
  /** sha256 of the history's content (the analysis is retrained when it changes). */
  readonly historyHash: string;
  readonly trainedAt: string;
  readonly trainingSeconds: number;
  /** Where the history came from (files or tables). */
  readonly source: string;
  readonly years: readonly [number, number];
  /** Calendar years inside that range with no data (2015). */
  readonly missingYears: readonly number[];
}

/** `GET /api/history/tiers`: the structural tier of each district the user may see. */
export interface StructuralTiersResponse {
  /** Null while the analysis is not trained yet (see `reason`). */
  readonly version: HistoryAnalysisVersion | null;
  readonly reason: string | null;
  /** Say this next to the tiers: they are from the yearly history, not from the live events. */
  readonly basis: string;
  readonly tiers: readonly StructuralTier[];
}

/** The statewide analysis. */
export interface HistoryAnalysisSummary {
  readonly version: HistoryAnalysisVersion;
  readonly heads: readonly AnalysisHead[];
  readonly units: readonly AnalysisUnit[];
  readonly importance: HistoryImportanceInfo & { readonly factors: readonly HistoryFactorImportance[] };
  readonly profiles: {
    readonly method: string;
    readonly k: number;
    readonly silhouette: number;
    readonly profiles: readonly HistoryProfile[];
  };
  readonly tiers: {
    readonly method: string;
    readonly year: number;
    readonly tiers: readonly StructuralTier[];
  };
}

/** `GET /api/history/analysis`: the analysis, or why there is none yet. */
export interface HistoryAnalysisResponse {
  readonly state: 'ready' | 'training' | 'failed' | 'absent';
  /** Why it is not ready (training since ..., the error of a failed training). */
  readonly reason: string | null;
  readonly analysis: HistoryAnalysisSummary | null;
}

/** `GET /api/history/districts/:code/analysis` (503 while the analysis is not ready). */
export interface DistrictHistoryAnalysis {
  readonly district: string;
  readonly unit: AnalysisUnit;
  readonly version: HistoryAnalysisVersion;
  /** One per head: the yearly series and the forecast with its 80% band. */
  readonly heads: readonly HistoryHeadForecast[];
  /** The unit's local factor contributions, by `meanAbsChange` descending. */
  readonly importance: {
    readonly method: string;
    readonly factors: readonly HistoryFactorContribution[];
  };
  readonly profile: HistoryProfile;
  /** Registry districts of the other units in the same profile (same scoping). */
  readonly peers: readonly string[];
  readonly tier: StructuralTier;
}
