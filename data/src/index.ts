/**
 * Region registries and loaders for the real datasets (NCRB, road accidents, census, Chicago
 * incidents), each with a coverage report, and the one category vocabulary mapping.
 */
export * from './categories.js';
export * from './coverage.js';
export * from './registry.js';
export * from './rate-table-file.js';
export * from './rows.js';
export * from './ncrb.js';
export * from './accidents.js';
export * from './census.js';
export * from './incidents.js';
export * from './geo.js';
export * from './history.js';
export * from './history-build.js';
export * from './runtime/index.js';
