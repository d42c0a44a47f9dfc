/**
 * Region registries and loaders for the real datasets (NCRB, road accidents, census, Chicago
 * incidents), each with a coverage report, and the one category vocabulary mapping.
 */
export * from './chicago-categories.js';
