/**
 * Anomaly detection: the online spike detector behind the alert engine's spike rule (Prophet forecasts read as
 * predictive distributions), and those distributions.
 */
export * from './predictive.js';
export * from './spike-detector.js';
export * from './surge-detector.js';
export * from './art-detector.js';
export * from './count-detectors.js';
export * from './bocpd.js';
