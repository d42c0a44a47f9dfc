import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { parseLogin, parseNewUser, parsePasswordChange, parseUserChanges } from './user-input.js';

const DISTRICTS = new Set(['TN-CHN', 'TN-MDU']);

function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    if (error instanceof BadRequestException) return error.message;
    throw error;
  }
  throw new Error('expected a 400');
}

describe('user input', () => {
  it('reads a login, matching the username in lower case', () => {
    expect(parseLogin({ username: 'Admin', password: 'p' })).toEqual({ username: 'admin', password: 'p' });
  });

  it.each([
    [{ password: 'p' }, 'username: required'],
    [{ username: 'admin' }, 'password: required'],
    [{ username: 7, password: 'p' }, 'username: expected a string, got a number'],
    [{ username: 'admin', password: '' }, 'password: must not be empty'],
    [
      { username: 'admin', password: 'p', remember: true },
      'remember: unknown field; expected username, password',
    ],
  ])('refuses the login %j naming the field', (body, message) => {
    expect(refusal(() => parseLogin(body))).toBe(message);
  });

  it('reads a new user: role viewer and every district unless given, districts deduplicated', () => {
    expect(parseNewUser({ username: 'vera', password: 'twelve-chars' }, DISTRICTS)).toEqual({
      username: 'vera',
      password: 'twelve-chars',
      role: 'viewer',
      districts: null,
    });
    expect(
      parseNewUser(
        { username: 'olga', password: 'twelve-chars', role: 'operator', districts: ['TN-CHN', 'TN-CHN'] },
        DISTRICTS,
      ),
    ).toMatchObject({ role: 'operator', districts: ['TN-CHN'] });
  });

  it.each([
    [{ username: 'Vera', password: 'twelve-chars' }, 'username: expected 1-64 lower-case letters'],
    [{ username: 'vera', password: 'short' }, 'password: must be at least 12 characters'],
    [
      { username: 'vera', password: 'twelve-chars', role: 'root' },
      'role: expected one of viewer, operator, admin',
    ],
    [{ username: 'vera', password: 'twelve-chars', districts: 'TN-CHN' }, 'districts: expected a list'],
    [{ username: 'vera', password: 'twelve-chars', districts: [] }, 'districts: expected at least one'],
    [
      { username: 'vera', password: 'twelve-chars', districts: ['TN-XXX'] },
      'districts: unknown district "TN-XXX"',
    ],
  ])('refuses the new user %j naming the field', (body, message) => {
    expect(refusal(() => parseNewUser(body, DISTRICTS))).toContain(message);
  });

  it('reads changes, null districts meaning every district, and wants at least one', () => {
    expect(parseUserChanges({ districts: null, disabled: true }, DISTRICTS)).toEqual({
      districts: null,
      disabled: true,
    });
    expect(refusal(() => parseUserChanges({}, DISTRICTS))).toBe(
      'body: give at least one of role, districts, disabled, password',
    );
    expect(refusal(() => parseUserChanges({ disabled: 'yes' }, DISTRICTS))).toBe(
      'disabled: expected true or false, got a string',
    );
    expect(refusal(() => parseUserChanges({ username: 'x' }, DISTRICTS))).toContain(
      'username: unknown field',
    );
  });

  it('reads a password change, whose next password follows the rule and differs', () => {
    expect(parsePasswordChange({ current: 'old', next: 'a-new-password' })).toEqual({
      current: 'old',
      next: 'a-new-password',
    });
    expect(refusal(() => parsePasswordChange({ current: 'old', next: 'short' }))).toBe(
      'next: must be at least 12 characters',
    );
    expect(refusal(() => parsePasswordChange({ current: 'same-password', next: 'same-password' }))).toBe(
      'next: must differ from the current password',
    );
  });
});
