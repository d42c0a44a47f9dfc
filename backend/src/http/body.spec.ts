import { Readable } from 'node:stream';
import { HttpException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { readBody, splitBody } from './body.js';

const request = (body: string | Buffer, headers: Record<string, string> = {}) =>
  Object.assign(Readable.from([typeof body === 'string' ? Buffer.from(body) : body]), { headers });

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

  it('refuses invalid UTF-8 and a byte order mark with 400, never replacing bytes by U+FFFD', async () => {
    const invalid = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
    expect(await statusOf(readBody(request(invalid), 100))).toBe('400 body is not valid UTF-8');
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}')]);
    expect(await statusOf(readBody(request(bom), 100))).toMatch(/^400 body starts with a byte order mark/);
    expect(await readBody(request(Buffer.from('{"a":"é"}')), 100)).toBe('{"a":"é"}');
  });

  it('refuses a charset other than UTF-8 with 415, and takes utf-8 however it is written', async () => {
    for (const charset of ['utf-16', 'latin1', 'ISO-8859-1', '"utf-16le"']) {
      expect(
        await statusOf(
          readBody(request('{}', { 'content-type': `application/json; charset=${charset}` }), 100),
        ),
        charset,
      ).toMatch(/^415 charset /);
    }
    for (const charset of ['utf-8', 'UTF-8', '"utf-8"', 'utf8']) {
      expect(
        await readBody(request('{}', { 'content-type': `application/json;charset=${charset}` }), 100),
      ).toBe('{}');
    }
  });

  it('refuses duplicate keys and deep nesting with 400, before anything walks the value', async () => {
    expect(await statusOf(Promise.resolve().then(() => splitBody('{"a":1,"a":2}', 'application/json')))).toBe(
      '400 body: duplicate key "a" in a JSON object',
    );
    const deep = '['.repeat(8000) + ']'.repeat(8000);
    expect(await statusOf(Promise.resolve().then(() => splitBody(deep, 'application/json')))).toMatch(
      /^400 body: JSON nested deeper than \d+ levels/,
    );
  });
});
