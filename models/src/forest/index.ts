/**
 * Random forests on the crime-statistics vector (ml-random-forest): classifier and regressor with seeded
 * training, vote-fraction probabilities, versioned JSON, and permutation importance statewide and per
 * district.
 */
export {
  FOREST_DEFAULTS,
  FOREST_MIN_ROWS,
  ForestClassifier,
  ForestRegressor,
  rSquared,
  type ClassifierFitOptions,
  type Forest,
  type ForestClassifierJSON,
  type ForestFitOptions,
  type ForestOptions,
  type ForestRegressorJSON,
  type OutOfBag,
} from './forest.js';
export {
  IMPORTANCE_DEFAULTS,
  districtImportance,
  permutationImportance,
  type DistrictFeatureImportance,
  type DistrictImportance,
  type FeatureImportance,
  type ImportanceCost,
  type ImportanceMetric,
  type ImportanceOptions,
  type PermutationImportance,
} from './importance.js';
export type { CompiledTree } from './tree.js';
export type { FeatureMatrix } from './validate.js';
export {
  BOOSTING_DEFAULTS,
  POISSON_BOOSTING_FORMAT,
  PoissonBoosting,
  type PoissonBoostingJSON,
  type BoostingOptions,
  type BoostingTrainingSet,
  type BoostingValidation,
} from './boosting.js';
