/**
 * The event contract shared by producers, the backend and the board: event schemas and the one
 * validator, topic names, the region shape and the typed Socket.IO event maps.
 */
export * from './categories.js';
export * from './event.schema.js';
export * from './validate.js';
export * from './topics.js';
export * from './region.js';
export * from './socket-events.js';
export * from './rate-table.js';
export * from './features.js';
export * from './scores.js';
export * from './alerts.js';
export * from './board.js';
export * from './simulation.js';
export * from './alert-rules.js';
export * from './silence.js';
export * from './time-zone.js';
export * from './history-analysis.js';
export * from './history.js';
export * from './strict-json.js';
