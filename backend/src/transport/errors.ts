/**
 * Whether a failure is worth retrying, in the manner of kafkajs's `KafkaJSError` and its `retriable`
 * flag: a transient failure (a database or broker that is restarting, a dropped connection) is retried
 * with backoff; a programming error or a refusal that repeats on every attempt is not retried in a loop.
 */
export class MonitorError extends Error {
  readonly retriable: boolean;

  constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MonitorError';
    this.retriable = options.retriable ?? true;
  }
}

/** A failure that will repeat on every attempt: the consumer stops and health says why. */
export class NonRetriableError extends MonitorError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retriable: false });
    this.name = 'NonRetriableError';
  }
}

/** Errors of the JavaScript engine itself: a bug in our code, never cured by trying again. */
const PROGRAMMING_ERRORS: ReadonlySet<string> = new Set([
  'TypeError',
  'ReferenceError',
  'SyntaxError',
  'RangeError',
  'EvalError',
  'URIError',
]);

/**
 * SQLSTATE classes that repeat on every attempt: 42 (syntax error or access rule violation: a missing
 * table, a bad query) and 0A (feature not supported). Class 22 (data exception) is not here: the
 * ingest sets such rows aside as dead letters instead of failing the batch.
 */
const PERMANENT_SQLSTATE_CLASSES: ReadonlySet<string> = new Set(['42', '0A']);

/**
 * Whether retrying may cure `error`. An explicit `retriable` flag wins (our errors and kafkajs's),
 * except kafkajs's "number of retries exceeded", which wraps a transient failure that outlasted its
 * retries (kafkajs restarts on it too). Engine errors (TypeError, ...) and permanent SQLSTATE classes
 * are not retriable; anything else (connection refused or reset, server shutting down) is.
 */
export function isRetriable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'KafkaJSNumberOfRetriesExceeded') return true;
  const flag = (error as { retriable?: unknown }).retriable;
  if (typeof flag === 'boolean') return flag;
  if (PROGRAMMING_ERRORS.has(error.name) || PROGRAMMING_ERRORS.has(error.constructor.name)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    return !PERMANENT_SQLSTATE_CLASSES.has(code.slice(0, 2));
  }
  return true;
}

/** One line for logs and health: name and message, and the cause's when there is one. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const own = `${error.name}: ${error.message}`;
  return error.cause === undefined ? own : `${own} (cause: ${describeError(error.cause)})`;
}
