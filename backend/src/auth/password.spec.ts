import { describe, expect, it } from 'vitest';
import {
  generatePassword,
  hashPassword,
  passwordProblem,
  UNKNOWN_USER_HASH,
  verifyPassword,
} from './password.js';

describe('password hashes', () => {
  it('are scrypt with a per-password salt: the same password hashes differently and verifies both times', async () => {
    const password = 'correct horse battery';
    const [a, b] = await Promise.all([hashPassword(password), hashPassword(password)]);
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(password);
    expect(await verifyPassword(password, a)).toBe(true);
    expect(await verifyPassword(password, b)).toBe(true);
  });

  it('refuse another password, a near miss included', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('never match a stored value that is not one of ours, nor the unknown-user hash', async () => {
    for (const stored of ['', 'plain-text-password', 'scrypt$1$1$1$$', 'bcrypt$2b$10$abc']) {
      expect(await verifyPassword('plain-text-password', stored), stored).toBe(false);
    }
    expect(await verifyPassword('anything at all', UNKNOWN_USER_HASH)).toBe(false);
  });

  it('must be 12 to 256 characters', () => {
    expect(passwordProblem('a'.repeat(11))).toBe('must be at least 12 characters');
    expect(passwordProblem('a'.repeat(12))).toBeUndefined();
    expect(passwordProblem('a'.repeat(256))).toBeUndefined();
    expect(passwordProblem('a'.repeat(257))).toBe('must be at most 256 characters');
  });

  it('are generated with 144 random bits, long enough for the rule', () => {
    const passwords = new Set(Array.from({ length: 50 }, generatePassword));
    expect(passwords.size).toBe(50);
    for (const password of passwords) {
      expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(passwordProblem(password)).toBeUndefined();
    }
  });
});
