/**
 * Rolling district features from hourly counts: the local hour clock, the counts interface and its
 * in-memory cube, the Poisson tail, the 128-feature catalog and the computation itself.
 */
export * from './errors.js';
export * from './hour-clock.js';
export * from './counts.js';
export * from './poisson.js';
export * from './catalog.js';
export * from './district-features.js';
