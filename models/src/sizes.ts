/**
 * Pure models (no I/O). The fusion network reads the concatenation of three branch vectors; their
 * sizes are fixed here, and each branch documents its features where it computes them.
 */
export const BRANCH_SIZES = {
  /** Crime statistics (random forest input): crime, accident, population and socioeconomic features. */
  crimeStatistics: 128,
  /** Historical trends (from the forecaster): horizons, intervals, slope, seasonality. */
  trend: 64,
  /** District profile (from k-means): distances to centroids, membership, cluster statistics. */
  profile: 32,
} as const;

/** Inputs of the fusion network: 128 + 64 + 32. */
export const FUSION_INPUT_SIZE = BRANCH_SIZES.crimeStatistics + BRANCH_SIZES.trend + BRANCH_SIZES.profile;
