import { describe, expect, it } from 'vitest';
import { HttpSink, splitLines } from './http-sink.js';

describe('splitLines', () => {
  const lines = ['aaaa', 'bbbb', 'cc', 'dddddd', 'e'];

  it('keeps every body (lines joined by newlines) within the byte limit, in order', () => {
    const groups = splitLines(lines, 10, 100);
    expect(groups).toEqual([['aaaa', 'bbbb'], ['cc', 'dddddd'], ['e']]);
    for (const group of groups) expect(Buffer.byteLength(group.join('\n'))).toBeLessThanOrEqual(10);
    expect(groups.flat()).toEqual(lines);
  });

  it('counts bytes, not characters', () => {
    expect(splitLines(['ஊர்', 'ஊர்'], 19, 100)).toEqual([['ஊர்', 'ஊர்']]);
    expect(splitLines(['ஊர்', 'ஊர்'], 18, 100)).toEqual([['ஊர்'], ['ஊர்']]);
  });

  it('keeps the number of events per body within its limit', () => {
    expect(splitLines(lines, 1_000, 2)).toEqual([['aaaa', 'bbbb'], ['cc', 'dddddd'], ['e']]);
  });

  it('refuses an event larger than the limit by itself, naming it', () => {
    expect(() => splitLines(lines, 5, 100)).toThrow(
      /event 3 alone is 6 bytes, more than the server's body limit of 5 bytes/,
    );
  });
});

describe('HttpSink options', () => {
  it('refuses a limit that is not a whole number >= 1', () => {
    expect(() => new HttpSink('http://127.0.0.1:1', { maxBodyBytes: 0 })).toThrow(/maxBodyBytes/);
    expect(() => new HttpSink('http://127.0.0.1:1', { maxEventsPerRequest: 1.5 })).toThrow(
      /maxEventsPerRequest/,
    );
  });
});
