/**
 * Pure helpers of the analysis of the yearly district history: a regular yearly grid for the
 * forecasters, and k-means profiles described in words.
 */
export { missingYears, yearlyGrid } from './yearly.js';
export {
  DESCRIBE_DEFAULTS,
  describeProfile,
  zScores,
  type CentroidVariable,
  type DescribeOptions,
} from './words.js';
