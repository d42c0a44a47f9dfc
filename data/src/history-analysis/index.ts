/**
 * The seed's analysis on the real yearly district history: the history table and its sources, and the
 * analysis trained from it (Prophet forecasts, random-forest factors, k-means profiles, the T1 fusion tier).
 */
export * from './table.js';
export * from './analyse.js';
