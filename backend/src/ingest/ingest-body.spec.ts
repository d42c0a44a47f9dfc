import { Readable } from 'node:stream';
import { HttpException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { readBody, splitBody } from './ingest-body.js';

const request = (body: string, headers: Record<string, string> = {}) =>
  Object.assign(Readable.from([Buffer.from(body)]), { headers });

const statusOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error instanceof HttpException ? `${error.getStatus()} ${error.message}` : String(error);
  }
  return 'resolved';
};

describe('request body', () => {
  it('reads a body within the limit', async () => {
    expect(await readBody(request('[1,2]'), 10)).toBe('[1,2]');
  });

  it('refuses a declared or streamed body above the limit with 413', async () => {
    expect(await statusOf(readBody(request('x', { 'content-length': '11' }), 10))).toBe(
      '413 body is 11 bytes; the limit is 10',
    );
    expect(await statusOf(readBody(request('x'.repeat(11)), 10))).toBe(
      '413 body exceeds the limit of 10 bytes',
    );
  });

  it('splits a JSON array, a single JSON event and NDJSON lines', () => {
    expect(splitBody('[{"a":1},{"b":2}]', 'application/json; charset=utf-8')).toEqual([
      { kind: 'value', value: { a: 1 } },
      { kind: 'value', value: { b: 2 } },
    ]);
    expect(splitBody('{"a":1}', 'application/json')).toEqual([{ kind: 'value', value: { a: 1 } }]);
    expect(splitBody('{"a":1}\n\n{bad\n', 'application/x-ndjson')).toEqual([
      { kind: 'line', line: '{"a":1}' },
      { kind: 'line', line: '{bad' },
    ]);
  });

  it('refuses unparseable JSON with 400 and other media types with 415', async () => {
    expect(await statusOf(Promise.resolve().then(() => splitBody('[{', 'application/json')))).toMatch(
      /^400 body is not valid JSON: /,
    );
    expect(await statusOf(Promise.resolve().then(() => splitBody('a,b', 'text/csv')))).toMatch(
      /^415 content-type "text\/csv": send application\/json/,
    );
  });
});
