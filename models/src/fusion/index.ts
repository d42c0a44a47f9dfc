/**
 * The fusion network (TensorFlow.js): concat(crime statistics, trend, profile) → class probabilities
 * and expected count of the next period, with an 80% count interval. See `network.ts`.
 */
export { fusionBranches, type FusionRow, type FusionBranch, type FusionTrainingSet } from './data.js';
export { type FusionArchitecture } from './architecture.js';
export { type FusionEpochProgress } from './train.js';
export {
  countLogPmf,
  countQuantiles,
  coverage80,
  coverageNegativeBinomialSize,
  fitNegativeBinomialSize,
} from './count-distribution.js';
export {
  RollingDispersion,
  ROLLING_DISPERSION_DEFAULTS,
  type OutOfSampleCount,
  type RollingDispersionOptions,
} from './rolling-dispersion.js';
export { FusionNetwork } from './network.js';
export {
  FUSION_DEFAULTS,
  FUSION_FORMAT,
  type FusionMetadata,
  type FusionMetrics,
  type FusionNetworkJSON,
  type FusionOptions,
  type FusionPrediction,
  type FusionSetMetrics,
  type FusionWindow,
} from './types.js';
export { syntheticFusionSet, type SyntheticFusionOptions, type SyntheticFusionData } from './synthetic.js';
export {
  StackedFusion,
  STACKED_FUSION_DEFAULTS,
  STACKED_FUSION_FORMAT,
  type StackedFusionJSON,
  type StackedFusionOptions,
  type StackedFusionSet,
  type StackedValidation,
} from './stacked.js';
export {
  CommonFactorDispersion,
  COMMON_FACTOR_DEFAULTS,
  coverageMixtureSize,
  mixtureCoverage80,
  mixtureQuantiles,
  type CommonFactor,
  type CommonFactorOptions,
  type GroupedOutOfSampleCount,
} from './common-factor.js';
export {
  ConformalBand,
  CONFORMAL_BAND_DEFAULTS,
  countBand,
  countLogRatio,
  QuantileNetwork,
  QUANTILE_NETWORK_FORMAT,
  QUANTILE_NETWORK_DEFAULTS,
  type ConformalBandOptions,
  type OutOfSampleBand,
  type QuantileNetworkOptions,
  type QuantileNetworkJSON,
  type QuantileTrainingSet,
} from './quantile.js';
