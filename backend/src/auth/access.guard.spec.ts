import 'reflect-metadata';
import {
  Controller,
  ForbiddenException,
  Get,
  HttpException,
  Post,
  UnauthorizedException,
  type ExecutionContext,
} from '@nestjs/common';
import { MetadataScanner, Reflector, type DiscoveryService } from '@nestjs/core';
import { WsException } from '@nestjs/websockets';
import { describe, expect, it } from 'vitest';
import type { UserInfo } from '@district-monitor/streams';
import type { AppConfig } from '../config/app-config.js';
import { ProducerKeyGuard } from '../producer-keys/producer-key.guard.js';
import type { ProducerKeysService, Verification } from '../producer-keys/producer-keys.service.js';
import { Access, type AuthenticatedRequest } from '../http/access.js';
import { AccessGuard, presentedCredential, routesWithoutAccess } from './access.guard.js';
import type { Authentication, UsersService } from './users.service.js';

const user = (username: string, role: UserInfo['role']): UserInfo => ({
  id: `id-${username}`,
  username,
  role,
  districts: null,
  createdAt: '2024-01-01T00:00:00.000Z',
});
const SESSIONS: Record<string, UserInfo> = {
  'viewer.jwt.token': user('vera', 'viewer'),
  'operator.jwt.token': user('olga', 'operator'),
  'admin.jwt.token': user('ada', 'admin'),
};
const KEY = `dmk_0123abcd_${'k'.repeat(43)}`;
const REVOKED_KEY = `dmk_0123abce_${'k'.repeat(43)}`;

const users = {
  authenticate: (token: string): Promise<Authentication> => {
    const found = SESSIONS[token];
    return Promise.resolve(
      found === undefined ? { ok: false, reason: 'invalid session token' } : { ok: true, user: found },
    );
  },
} as unknown as UsersService;
const keys = {
  verify: (key: string): Promise<Verification> =>
    Promise.resolve(
      key === KEY
        ? {
            ok: true,
            producer: { kind: 'producer', id: '0123abcd', name: 'fir', ratePerSecond: 10, burst: 10 },
          }
        : { ok: false, problem: 'unknown-or-revoked' },
    ),
} as unknown as ProducerKeysService;

@Controller('api/things')
class ThingsController {
  @Get()
  @Access('viewer')
  list(): void {}

  @Post(':id/acknowledge')
  @Access('operator')
  acknowledge(): void {}

  @Post()
  @Access('admin')
  create(): void {}

  @Get('open')
  @Access('public')
  open(): void {}

  @Post('publish')
  @Access('producer')
  publish(): void {}

  @Get('forgotten')
  forgotten(): void {}
}

/** The handler function itself, which the decorators' metadata sits on. */
const handlerOf = (method: keyof ThingsController): unknown =>
  (ThingsController.prototype as unknown as Record<string, unknown>)[method];

function guardWith(requireProducerKey = true): AccessGuard {
  const config = { ingest: { requireProducerKey } } as AppConfig;
  return new AccessGuard(new Reflector(), users, keys, new ProducerKeyGuard(config, keys), config);
}

/** Runs the guard on `ThingsController[method]` with these headers: true, or the exception, plus what it left. */
async function call(
  method: keyof ThingsController,
  headers: Record<string, string> = {},
  guard = guardWith(),
): Promise<{ outcome: unknown; request: AuthenticatedRequest; set: Record<string, string> }> {
  const set: Record<string, string> = {};
  const request = {
    method: 'GET',
    path: `/api/things/${method}`,
    headers,
  } as unknown as AuthenticatedRequest;
  const context = {
    getType: () => 'http',
    getHandler: () => handlerOf(method),
    getClass: () => ThingsController,
    switchToHttp: () => ({
      getRequest: () => request,
      getResponse: () => ({
        setHeader: (name: string, value: string) => {
          set[name] = value;
        },
      }),
    }),
  } as unknown as ExecutionContext;
  let outcome: unknown;
  try {
    outcome = await guard.canActivate(context);
  } catch (error) {
    outcome = error;
  }
  return { outcome, request, set };
}

const status = (outcome: unknown) => (outcome instanceof HttpException ? outcome.getStatus() : outcome);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('the access guard', () => {
  it('refuses a route without an access rule with 403, whoever asks', async () => {
    for (const headers of [{}, bearer('admin.jwt.token')]) {
      const { outcome } = await call('forgotten', headers);
      expect(outcome).toBeInstanceOf(ForbiddenException);
      expect((outcome as Error).message).toBe(
        'route has no access rule: GET /api/things/forgotten is refused',
      );
    }
  });

  it('lets anyone call a public route', async () => {
    expect((await call('open')).outcome).toBe(true);
  });

  it.each([
    ['list', { none: 401, bad: 401, key: 403, viewer: true, operator: true, admin: true }],
    ['acknowledge', { none: 401, bad: 401, key: 403, viewer: 403, operator: true, admin: true }],
    ['create', { none: 401, bad: 401, key: 403, viewer: 403, operator: 403, admin: true }],
    ['publish', { none: 401, bad: 401, key: true, viewer: 403, operator: 403, admin: 403 }],
  ] as const)('admits to %s exactly %j', async (method, expected) => {
    const credentials = {
      none: {},
      bad: bearer('forged.jwt.token'),
      key: bearer(KEY),
      viewer: bearer('viewer.jwt.token'),
      operator: bearer('operator.jwt.token'),
      admin: bearer('admin.jwt.token'),
    };
    for (const [who, headers] of Object.entries(credentials)) {
      const { outcome } = await call(method, headers);
      expect(status(outcome), `${who} on ${method}`).toBe(expected[who as keyof typeof expected]);
    }
  });

  it('leaves the principal on the request', async () => {
    expect((await call('list', bearer('operator.jwt.token'))).request.principal).toEqual({
      kind: 'user',
      user: SESSIONS['operator.jwt.token'],
    });
    expect((await call('publish', { 'x-api-key': KEY })).request.principal).toEqual({
      kind: 'producer',
      keyId: '0123abcd',
      name: 'fir',
    });
  });

  it('answers 401 with a Bearer challenge, and the error when a credential was sent', async () => {
    const missing = await call('list');
    expect(missing.outcome).toBeInstanceOf(UnauthorizedException);
    expect((missing.outcome as Error).message).toContain('POST /api/auth/login');
    expect(missing.set['WWW-Authenticate']).toBe('Bearer realm="district-monitor"');

    const forged = await call('list', bearer('forged.jwt.token'));
    expect((forged.outcome as Error).message).toBe('invalid session token');
    expect(forged.set['WWW-Authenticate']).toBe('Bearer realm="district-monitor", error="invalid_token"');

    const basic = await call('list', { authorization: 'Basic dXNlcjpwYXNz' });
    expect((basic.outcome as Error).message).toBe(
      'Authorization: expected "Bearer <token>", got a "Basic" credential',
    );
    expect(basic.set['WWW-Authenticate']).toContain('error="invalid_request"');

    const revoked = await call('list', bearer(REVOKED_KEY));
    expect(status(revoked.outcome)).toBe(401);
  });

  it('says why a valid credential is not enough', async () => {
    expect(((await call('create', bearer('operator.jwt.token'))).outcome as Error).message).toBe(
      'this route needs the admin role; user "olga" is operator',
    );
    expect(((await call('list', { 'x-api-key': KEY })).outcome as Error).message).toBe(
      'a producer key can only publish events (POST /api/events); this route needs a user session with the viewer role',
    );
    expect(((await call('publish', bearer('admin.jwt.token'))).outcome as Error).message).toContain(
      'a user session cannot publish events',
    );
  });

  it('opens producer routes to anyone with INGEST_AUTH=off, and nothing else', async () => {
    const open = guardWith(false);
    expect((await call('publish', {}, open)).outcome).toBe(true);
    expect((await call('publish', bearer('viewer.jwt.token'), open)).outcome).toBe(true);
    expect(status((await call('list', {}, open)).outcome)).toBe(401);
  });

  it('checks Socket.IO handlers against the user the handshake authenticated (viewer by default)', async () => {
    const socketCall = (method: keyof ThingsController, data: Record<string, unknown>) =>
      guardWith().canActivate({
        getType: () => 'ws',
        getHandler: () => handlerOf(method),
        getClass: () => ThingsController,
        switchToWs: () => ({ getClient: () => ({ data }) }),
      } as unknown as ExecutionContext);
    expect(await socketCall('forgotten', { user: SESSIONS['viewer.jwt.token'] })).toBe(true);
    expect(await socketCall('acknowledge', { user: SESSIONS['operator.jwt.token'] })).toBe(true);
    await expect(socketCall('acknowledge', { user: SESSIONS['viewer.jwt.token'] })).rejects.toThrow(
      new WsException('forbidden: needs the operator role; user "vera" is viewer'),
    );
    await expect(socketCall('list', {})).rejects.toBeInstanceOf(WsException);
  });
});

describe('presented credentials', () => {
  it('tells a producer key from a session token, from either header', () => {
    expect(presentedCredential(bearer(KEY))).toEqual({ kind: 'producer-key', key: KEY });
    expect(presentedCredential({ 'x-api-key': KEY })).toEqual({ kind: 'producer-key', key: KEY });
    expect(presentedCredential({ authorization: '  bearer  a.b.c ' })).toEqual({
      kind: 'token',
      token: 'a.b.c',
    });
    expect(presentedCredential({ authorization: '', 'x-api-key': ' ' })).toEqual({ kind: 'none' });
  });
});

describe('routes without an access rule', () => {
  it('are named with their method, path and handler', () => {
    const discovery = {
      getControllers: () => [{ metatype: ThingsController }],
    } as unknown as DiscoveryService;
    expect(routesWithoutAccess(discovery, new MetadataScanner(), new Reflector())).toEqual([
      'GET /api/things/forgotten (ThingsController.forgotten)',
    ]);
  });
});
