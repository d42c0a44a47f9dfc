/**
 * Producer tooling for Node (not for the browser): sinks to Kafka or HTTP ingest, and replay of
 * incident CSV files in event-time order.
 */
export * from './event-sink.js';
export * from './kafka-sink.js';
export * from './http-sink.js';
export * from './replay.js';
