/** Pure models (no I/O): features, forecaster, random forest, k-means profiles, fusion, the pipeline joining them, and the spike detector. */
export * from './sizes.js';
export * from './features/index.js';
export * from './errors.js';
export * from './forest/index.js';
export * from './profiles/index.js';
export * from './fusion/index.js';
export * from './forecast/index.js';
export * from './pipeline/index.js';
export * from './anomaly/index.js';
export * from './history/index.js';
