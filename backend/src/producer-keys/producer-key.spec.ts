import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKey, hashSecret, parseKey, secretMatches } from './producer-key.js';

describe('producer key format', () => {
  it('is dmk_<8 hex id>_<32 random bytes in base64url>, and only the hash of the secret is kept', () => {
    const { id, key, secretHash } = generateKey();
    expect(key).toMatch(/^dmk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(key.slice(4, 12)).toBe(id);
    const secret = key.slice(13);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(secretHash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(secretHash).not.toContain(secret);
  });

  it('draws a different key every time', () => {
    const keys = new Set(Array.from({ length: 100 }, () => generateKey().key));
    expect(keys.size).toBe(100);
  });

  it('parses its own keys, secrets holding "_" and "-" included, and nothing else', () => {
    const secret = `a_b-${'x'.repeat(39)}`;
    expect(parseKey(`dmk_0123abcd_${secret}`)).toEqual({ id: '0123abcd', secret });
    for (const bad of [
      '',
      'dmk_',
      `dmk_0123ABCD_${secret}`, // the id is lower-case hex
      `dmk_0123abc_${secret}`,
      `dmk_0123abcd_${secret}x`,
      `dmk_0123abcd_${secret.slice(1)}`,
      `dmk_0123abcd_${secret.slice(1)}=`,
      `xyz_0123abcd_${secret}`,
      ` dmk_0123abcd_${secret}`,
    ]) {
      expect(parseKey(bad), bad).toBeUndefined();
    }
  });

  it('verifies a secret against its stored hash only', () => {
    const secret = 'A'.repeat(43);
    const stored = hashSecret(secret);
    expect(secretMatches(secret, stored)).toBe(true);
    expect(secretMatches(`${'A'.repeat(42)}B`, stored)).toBe(false);
    expect(secretMatches(secret, 'not hex')).toBe(false);
  });
});
