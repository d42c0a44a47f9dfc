import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/app-config.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('auth settings of loadConfig', () => {
  it('keeps the signing secret in the database, 12-hour sessions and a one-time admin password by default', () => {
    expect(loadConfig({}).auth).toEqual({
      jwtSecret: undefined,
      sessionTtlHours: 12,
      adminPassword: undefined,
    });
  });

  it('reads JWT_SECRET, JWT_TTL_HOURS and ADMIN_PASSWORD, the password exactly as given', () => {
    const secret = 's'.repeat(32);
    expect(
      loadConfig({ JWT_SECRET: secret, JWT_TTL_HOURS: '8', ADMIN_PASSWORD: ' twelve chars ' }).auth,
    ).toEqual({
      jwtSecret: secret,
      sessionTtlHours: 8,
      adminPassword: ' twelve chars ',
    });
  });

  it('names each bad value without echoing a secret', () => {
    const problems = problemsOf({
      JWT_SECRET: 'too-short-secret',
      JWT_TTL_HOURS: '0',
      ADMIN_PASSWORD: 'short-pw',
    });
    expect(problems).toEqual([
      'JWT_SECRET: expected 32 to 4096 characters, got 16 (e.g. openssl rand -base64 48)',
      'ADMIN_PASSWORD: expected 12 to 256 characters, got 8',
      'JWT_TTL_HOURS=0: expected a whole number from 1 to 720',
    ]);
    expect(problems.join('\n')).not.toContain('too-short-secret');
    expect(problems.join('\n')).not.toContain('short-pw');
  });

  it('refuses the retired ADMIN_TOKEN instead of letting a deployment believe it still works', () => {
    expect(problemsOf({ ADMIN_TOKEN: 'x'.repeat(20) })).toEqual([
      'ADMIN_TOKEN: no longer used; admin routes need an admin user session (POST /api/auth/login): unset it',
    ]);
  });
});
