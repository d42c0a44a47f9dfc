export * from './types.js';
export * from './calendar.js';
export * from './weekly.js';
export * from './outlook.js';
export * from './live.js';
export * from './live-interval.js';
export * from './region-momentum.js';
