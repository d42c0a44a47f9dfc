import { ForbiddenException, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { AdminTokenGuard } from './admin-token.guard.js';

const TOKEN = 'admin-token-0123456789';

/** A request with these headers, and the response headers the guard set. */
function call(guard: AdminTokenGuard, headers: Record<string, string>) {
  const set: Record<string, string> = {};
  const context = {
    switchToHttp: () => ({
      getRequest: () => ({ headers }),
      getResponse: () => ({
        setHeader: (name: string, value: string) => {
          set[name] = value;
        },
      }),
    }),
  } as unknown as ExecutionContext;
  let outcome: unknown;
  try {
    outcome = guard.canActivate(context);
  } catch (error) {
    outcome = error;
  }
  return { outcome, set };
}

describe('AdminTokenGuard', () => {
  it('answers 403 saying how to turn admin routes on when ADMIN_TOKEN is unset', () => {
    const { outcome } = call(new AdminTokenGuard({ adminToken: undefined }), {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(outcome).toBeInstanceOf(ForbiddenException);
    expect((outcome as Error).message).toContain('start the backend with ADMIN_TOKEN set');
  });

  it('answers 401 with a Bearer challenge without a token or with another one', () => {
    const guard = new AdminTokenGuard({ adminToken: TOKEN });
    const missing = call(guard, {});
    expect(missing.outcome).toBeInstanceOf(UnauthorizedException);
    expect(missing.set['WWW-Authenticate']).toBe('Bearer realm="district-monitor-admin"');
    for (const authorization of [
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Basic ${TOKEN}`,
      TOKEN,
    ]) {
      const wrong = call(guard, { authorization });
      expect(wrong.outcome, authorization).toBeInstanceOf(UnauthorizedException);
      expect(wrong.set['WWW-Authenticate']).toContain('error="invalid_token"');
    }
  });

  it('lets the ADMIN_TOKEN through, whatever the case of "Bearer"', () => {
    const guard = new AdminTokenGuard({ adminToken: TOKEN });
    expect(call(guard, { authorization: `Bearer ${TOKEN}` }).outcome).toBe(true);
    expect(call(guard, { authorization: `bearer  ${TOKEN} ` }).outcome).toBe(true);
  });
});
