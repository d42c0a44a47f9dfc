import { describe, expect, it } from 'vitest';
import { presentedKey } from './producer-key.guard.js';

describe('presented producer key', () => {
  const key = `dmk_0123abcd_${'k'.repeat(43)}`;

  it.each([
    ['Authorization: Bearer', { authorization: `Bearer ${key}` }],
    ['a lower-case scheme and spaces', { authorization: `  bearer   ${key} ` }],
    ['X-Api-Key', { 'x-api-key': key }],
    ['both headers with the same key', { authorization: `Bearer ${key}`, 'x-api-key': key }],
  ])('is read from %s', (_, headers) => {
    expect(presentedKey(headers)).toEqual({ kind: 'key', key });
  });

  it('is missing when neither header holds one', () => {
    expect(presentedKey({})).toEqual({ kind: 'none' });
    expect(presentedKey({ authorization: '', 'x-api-key': ' ' })).toEqual({ kind: 'none' });
  });

  it('is refused, without echoing the credential, for another scheme or two different keys', () => {
    expect(presentedKey({ authorization: 'Basic dXNlcjpwYXNz' })).toEqual({
      kind: 'refused',
      message: 'Authorization: expected "Bearer dmk_...", got a "Basic" credential',
    });
    expect(presentedKey({ authorization: `Bearer ${key}`, 'x-api-key': 'dmk_other' })).toEqual({
      kind: 'refused',
      message: 'Authorization and X-Api-Key hold different keys: send one key',
    });
  });
});
