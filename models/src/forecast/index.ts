/**
 * Forecasting branch: Prophet and ETS (augurs) per series of counts, their stored forecasts, the Tamil Nadu
 * holiday table, and the 64-feature trend vector computed from stored forecasts.
 */
export * from './runtime.js';
export {
  checkSeries,
  COUNT_TRANSFORMS,
  forwardTransform,
  inverseTransform,
  type CheckedSeries,
  type CountTransform,
  type RegularSeries,
} from './series.js';
export * from './forecast.js';
export * from './holidays.js';
export * from './map-optimizer.js';
export * from './prophet.js';
export * from './ets.js';
export * from './trend-vector.js';
export { Random, centralInterval, normalQuantile, quantileInPlace } from './random.js';
export { trendUncertainty, noiseBounds, type TrendUncertaintyInput } from './uncertainty.js';
