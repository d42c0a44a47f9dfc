import { HttpException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app-config.js';
import { LoginLimiter, loginThrottled } from './login-limiter.js';

const config = {
  http: {
    loginAccount: { burst: 3, refillSeconds: 60 },
    loginAddress: { burst: 5, refillSeconds: 10 },
  },
} as unknown as AppConfig;

describe('login limiter', () => {
  it('admits `burst` failed attempts per account, then refuses with the wait until one refills', () => {
    const limiter = new LoginLimiter(config);
    for (let i = 0; i < 3; i++) {
      const admission = limiter.admit('Admin', '10.0.0.1');
      expect(admission.ok).toBe(true);
      if (admission.ok) admission.release(false);
    }
    const refused = limiter.admit('admin', '10.0.0.2');
    expect(refused).toEqual({ ok: false, retryAfterSeconds: 60, what: 'account' });
    if (!refused.ok) {
      const error = loginThrottled(refused);
      expect(error).toBeInstanceOf(HttpException);
      expect(error.getStatus()).toBe(429);
    }
    expect(limiter.admit('someone-else', '10.0.0.2').ok).toBe(true);
  });

  it('counts attempts up front, so parallel guesses cannot all pass, and gives a success its token back', () => {
    const limiter = new LoginLimiter(config);
    const inFlight = [1, 2, 3, 4, 5, 6].map((i) => limiter.admit(`user${i}`, '10.0.0.9'));
    expect(inFlight.map((admission) => admission.ok)).toEqual([true, true, true, true, true, false]);
    for (const admission of inFlight) if (admission.ok) admission.release(true);
    expect(limiter.admit('user7', '10.0.0.9').ok).toBe(true);
  });
});
