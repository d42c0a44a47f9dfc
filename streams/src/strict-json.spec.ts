import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEventValidator, decodeUtf8, parseRegion, parseStrictJson, MAX_JSON_DEPTH } from './index.js';

const region = parseRegion(
  JSON.parse(readFileSync(new URL('../../data/regions/tamil-nadu.json', import.meta.url), 'utf8')),
  'tamil-nadu.json',
);
const NOW = Date.parse('2024-05-01T12:00:00Z');
const validator = createEventValidator({ region, now: () => NOW });

const incident = {
  eventId: 'cctns-chn-0001',
  schemaVersion: 1,
  kind: 'incident',
  district: 'TN-CHN',
  category: 'crime_property',
  severity: 'medium',
  occurredAt: '2024-05-01T10:15:00+05:30',
  reportedAt: '2024-05-01T06:00:00Z',
} as const;
const encoder = new TextEncoder();
const reasonOf = (raw: string | Uint8Array) => {
  const result = validator.decode(raw);
  return result.ok ? 'ok' : result.reason;
};

describe('the parsing rule of every transport', () => {
  it('parses plain JSON, and refuses duplicate keys at any level, however they are spelt', () => {
    expect(parseStrictJson('{"a":[1,{"b":2}],"c":"d,\\"e"}')).toEqual({
      ok: true,
      value: { a: [1, { b: 2 }], c: 'd,"e' },
    });
    expect(parseStrictJson('{"a":1,"a":2}')).toEqual({
      ok: false,
      reason: 'duplicate key "a" in a JSON object',
    });
    expect(parseStrictJson('{"a":1,"\\u0061":2}')).toEqual({
      ok: false,
      reason: 'duplicate key "a" in a JSON object',
    });
    expect(parseStrictJson('[{"x":{"k":1,"k":1}}]')).toMatchObject({ ok: false });
    // The same key in two sibling objects, or as a value, is no duplicate.
    expect(parseStrictJson('[{"k":1},{"k":"k"}]').ok).toBe(true);
  });

  it('refuses deep nesting before JSON.parse sees it, at any depth', () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    expect(parseStrictJson(nested(MAX_JSON_DEPTH)).ok).toBe(true);
    expect(parseStrictJson(nested(MAX_JSON_DEPTH + 1))).toEqual({
      ok: false,
      reason: `JSON nested deeper than ${MAX_JSON_DEPTH} levels of arrays and objects`,
    });
    expect(parseStrictJson(nested(1_000_000)).ok).toBe(false);
    // Brackets inside strings are text, escaped quotes and backslashes included.
    expect(parseStrictJson(JSON.stringify({ s: 'a\\"[[[', t: '\\', u: '\\\\"{{' })).ok).toBe(true);
    expect(parseStrictJson('{"a\\"b":1,"a\\"b":2}')).toEqual({
      ok: false,
      reason: 'duplicate key "a"b" in a JSON object',
    });
    expect(parseStrictJson(JSON.stringify({ s: '['.repeat(100) })).ok).toBe(true);
  });

  it('reports malformed JSON with the parser message', () => {
    for (const text of ['{"a":', '{"a']) {
      const parsed = parseStrictJson(text);
      expect(parsed.ok).toBe(false);
      expect(parsed.ok ? '' : parsed.reason).toMatch(/^invalid JSON: /);
    }
  });

  it('refuses invalid UTF-8 and a byte order mark, as bytes and as text alike', () => {
    expect(decodeUtf8(new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]))).toEqual({
      ok: false,
      reason: 'is not valid UTF-8',
    });
    expect(decodeUtf8(encoder.encode('{"a":"é"}'))).toEqual({ ok: true, value: '{"a":"é"}' });
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode(JSON.stringify(incident))]);
    expect(reasonOf(withBom)).toMatch(/byte order mark/);
    expect(reasonOf(`\uFEFF${JSON.stringify(incident)}`)).toMatch(/byte order mark/);
    expect(reasonOf(encoder.encode(JSON.stringify(incident)))).toBe('ok');
  });

  it('refuses a duplicated field of an event (the last one would win silently)', () => {
    const text = JSON.stringify(incident).replace(
      '"severity":"medium"',
      '"severity":"low","severity":"medium"',
    );
    expect(reasonOf(text)).toBe('duplicate key "severity" in a JSON object');
  });

  it('refuses bidirectional overrides and noncharacters in source', () => {
    for (const bad of ['\u202E', '\u202A', '\u2066', '\u2069', '\uFFFE', '\uFFFF', '\uFDD0', '\u{1FFFF}']) {
      expect(reasonOf(JSON.stringify({ ...incident, source: `cctns${bad}x` })), bad).toMatch(/^source: /);
    }
    expect(reasonOf(JSON.stringify({ ...incident, source: 'cctns-சென்னை-🚓' }))).toBe('ok');
  });

  it('refuses zone offsets PostgreSQL cannot store (+16:00 to +23:59), and takes up to 15:59', () => {
    for (const offset of ['+16:00', '+23:59', '-16:00', '-23:59']) {
      expect(
        reasonOf(JSON.stringify({ ...incident, occurredAt: `2024-05-01T02:15:00${offset}` })),
        offset,
      ).toBe('occurredAt: zone offset must be from -15:59 to +15:59');
    }
    for (const offset of ['+15:59', '-15:59', '+00:00', 'Z']) {
      expect(
        reasonOf(JSON.stringify({ ...incident, occurredAt: `2024-04-30T10:15:00${offset}` })),
        offset,
      ).toBe('ok');
    }
  });
});
