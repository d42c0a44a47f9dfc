import { describe, expect, it } from 'vitest';
import { describeError, isRetriable, MonitorError, NonRetriableError } from './errors.js';

/** An error as node-postgres raises it: a message and a SQLSTATE in `code`. */
const pgError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

describe('isRetriable', () => {
  it.each([
    [
      'a TypeError (a bug in our code)',
      new TypeError("Cannot read properties of undefined (reading 'x')"),
      false,
    ],
    ['a ReferenceError', new ReferenceError('x is not defined'), false],
    ['a RangeError', new RangeError('Invalid time value'), false],
    ['an explicitly non-retriable error', new NonRetriableError('no'), false],
    [
      'kafkajs MESSAGE_TOO_LARGE',
      Object.assign(new Error('too large'), { name: 'KafkaJSProtocolError', retriable: false }),
      false,
    ],
    ['an undefined table (42P01)', pgError('42P01', 'relation "x" does not exist'), false],
    [
      'a server shutting down (57P01)',
      pgError('57P01', 'terminating connection due to administrator command'),
      true,
    ],
    ['a server starting up (57P03)', pgError('57P03', 'the database system is starting up'), true],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5'), { code: 'ECONNREFUSED' }),
      true,
    ],
    ['a dropped connection', new Error('Connection terminated unexpectedly'), true],
    [
      'kafkajs retries exhausted',
      Object.assign(new Error('x'), { name: 'KafkaJSNumberOfRetriesExceeded', retriable: false }),
      true,
    ],
    ['a retriable MonitorError', new MonitorError('later'), true],
    ['a thrown string', 'boom', false],
  ])('%s: %s', (_name, error, expected) => {
    expect(isRetriable(error)).toBe(expected);
  });
});

describe('describeError', () => {
  it('names the error and its cause', () => {
    const error = new NonRetriableError('ingest stopped', { cause: new TypeError('x is not a function') });
    expect(describeError(error)).toBe(
      'NonRetriableError: ingest stopped (cause: TypeError: x is not a function)',
    );
  });
});
