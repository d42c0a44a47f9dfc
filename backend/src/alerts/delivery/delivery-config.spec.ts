import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/app-config.js';

describe('WEBHOOK_* configuration', () => {
  it('defaults to 8 attempts from 1 s with a 5 s timeout', () => {
    expect(loadConfig({}).webhooks).toEqual({ maxAttempts: 8, backoffMs: 1000, timeoutMs: 5000 });
  });

  it('reads the three variables', () => {
    const config = loadConfig({
      WEBHOOK_MAX_ATTEMPTS: '3',
      WEBHOOK_BACKOFF_MS: '250',
      WEBHOOK_TIMEOUT_MS: '2000',
    });
    expect(config.webhooks).toEqual({ maxAttempts: 3, backoffMs: 250, timeoutMs: 2000 });
  });

  it('names every bad one', () => {
    let error: unknown;
    try {
      loadConfig({ WEBHOOK_MAX_ATTEMPTS: '0', WEBHOOK_BACKOFF_MS: 'soon', WEBHOOK_TIMEOUT_MS: '50' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('WEBHOOK_MAX_ATTEMPTS=0: expected a whole number from 1 to 100');
    expect(problems).toContain('WEBHOOK_BACKOFF_MS=soon: expected a whole number from 1 to 3600000');
    expect(problems).toContain('WEBHOOK_TIMEOUT_MS=50: expected a whole number from 100 to 120000');
  });
});
