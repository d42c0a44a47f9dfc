/** Injection tokens for values and interfaces (classes are their own tokens). */
export const APP_CONFIG = Symbol('AppConfig');
export const REGION = Symbol('Region');
export const DATABASE = Symbol('Database');
export const EVENT_SOURCE = Symbol('EventSource');
export const EVENT_PUBLISHER = Symbol('EventPublisher');
export const DEAD_LETTER_SINK = Symbol('DeadLetterSink');
