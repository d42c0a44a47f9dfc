/**
 * K-means district profiles (ml-kmeans): inputs taken from the crime-statistics vector, k chosen by
 * silhouette, labels kept stable across retrains (Hungarian matching of centroids), and the 32-feature
 * profile vector.
 */
export { hungarian, silhouettes } from './assignment.js';
export { PROFILE_FEATURE_NAMES, PROFILE_FEATURES, PROFILE_SLOTS, type ProfileFeature } from './features.js';
export {
  PROFILE_INPUTS,
  PROFILE_KEY_INPUTS,
  profileInputsFromCrimeVector,
  type ProfileInput,
  type ProfileTransform,
} from './inputs.js';
export {
  PROFILE_DEFAULTS,
  ProfileModel,
  profileVector,
  type KSelection,
  type ProfileCluster,
  type ProfileFitOptions,
  type ProfileLineage,
  type ProfileModelJSON,
  type ProfileOptions,
} from './model.js';
