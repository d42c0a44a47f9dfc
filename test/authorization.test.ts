import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type RunningBackend } from './helpers/backend.js';

type Level = 'public' | 'producer' | 'viewer' | 'operator' | 'admin';
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * THE AUTHORIZATION TABLE: every REST route, as the OpenAPI document names it, and who may call it.
 * The test fails when a route of the document is missing here or a row names no route, so a new route
 * needs a row. Roles rank admin > operator > viewer; `producer` is a producer key alone.
 */
const AUTHORIZATION: readonly (readonly [Method, string, Level])[] = [
  ['GET', '/api/health', 'public'],
  ['GET', '/api/openapi.json', 'public'],
  ['POST', '/api/auth/login', 'public'],
  ['GET', '/api/auth/me', 'viewer'],
  ['POST', '/api/auth/password', 'viewer'],
  ['POST', '/api/events', 'producer'],
  ['GET', '/api/districts', 'viewer'],
  ['GET', '/api/districts/{code}/features', 'viewer'],
  ['GET', '/api/districts/{code}/score', 'viewer'],
  ['GET', '/api/districts/{code}/events', 'viewer'],
  ['GET', '/api/region/map', 'viewer'],
  ['GET', '/api/black-spots', 'viewer'],
  ['GET', '/api/board/history', 'viewer'],
  ['GET', '/api/history/meta', 'viewer'],
  ['GET', '/api/history', 'viewer'],
  ['GET', '/api/history/districts/{code}', 'viewer'],
  ['GET', '/api/analysis/correlations', 'viewer'],
  ['GET', '/api/history/analysis', 'viewer'],
  ['GET', '/api/history/tiers', 'viewer'],
  ['GET', '/api/history/districts/{code}/analysis', 'viewer'],
  ['GET', '/api/analysis/clusters', 'viewer'],
  ['GET', '/api/scores', 'viewer'],
  ['GET', '/api/stats/daily', 'viewer'],
  ['GET', '/api/models', 'viewer'],
  ['GET', '/api/models/active', 'viewer'],
  ['POST', '/api/models/retrain', 'admin'],
  ['POST', '/api/simulator/surges', 'admin'],
  ['GET', '/api/alerts', 'viewer'],
  ['GET', '/api/alerts/{id}', 'viewer'],
  ['POST', '/api/alerts/{id}/acknowledge', 'operator'],
  ['POST', '/api/alerts/{id}/resolve', 'operator'],
  ['POST', '/api/alerts/{id}/escalate', 'operator'],
  ['GET', '/api/silences', 'viewer'],
  ['POST', '/api/silences', 'operator'],
  ['DELETE', '/api/silences/{id}', 'operator'],
  ['GET', '/api/rules', 'viewer'],
  ['POST', '/api/rules', 'admin'],
  ['PUT', '/api/rules/{id}', 'admin'],
  ['DELETE', '/api/rules/{id}', 'admin'],
  ['GET', '/api/audit', 'viewer'],
  ['GET', '/api/subscriptions', 'admin'],
  ['POST', '/api/subscriptions', 'admin'],
  ['PATCH', '/api/subscriptions/{id}', 'admin'],
  ['DELETE', '/api/subscriptions/{id}', 'admin'],
  ['GET', '/api/subscriptions/{id}/deliveries', 'admin'],
  ['GET', '/api/users', 'admin'],
  ['POST', '/api/users', 'admin'],
  ['PATCH', '/api/users/{id}', 'admin'],
  ['DELETE', '/api/users/{id}', 'admin'],
  ['GET', '/api/producer-keys', 'admin'],
  ['POST', '/api/producer-keys', 'admin'],
  ['DELETE', '/api/producer-keys/{id}', 'admin'],
];

/** Path parameters filled so no request changes anything: unknown ids, a real district code. */
const PARAMETERS: Readonly<Record<string, string>> = { id: 'it-no-such-id', code: 'TN-CHN' };
/** Query strings that keep a request harmless where the empty body alone would not. */
const QUERY: Readonly<Record<string, string>> = {
  // An admin's retrain would start a training; a bad `until` is refused with 400 before that.
  'POST /api/models/retrain': '?until=not-an-instant',
};

const CALLERS = ['nobody', 'bad token', 'producer key', 'viewer', 'operator', 'admin'] as const;
type Caller = (typeof CALLERS)[number];
const RANK = { viewer: 0, operator: 1, admin: 2 } as const;

/** What each caller must get from a route of `level`: through, or refused with 401 or 403. */
function expected(level: Level, caller: Caller): 'through' | 401 | 403 {
  if (level === 'public') return 'through';
  if (caller === 'nobody' || caller === 'bad token') return 401;
  if (level === 'producer') return caller === 'producer key' ? 'through' : 403;
  if (caller === 'producer key') return 403;
  return RANK[caller] >= RANK[level] ? 'through' : 403;
}

const key = (method: string, path: string) => `${method} ${path}`;

/** The table walked on the embedded default (the guard does not depend on the database kind). */
describe('authorization', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'authorization-it-'));
  let backend: RunningBackend;
  const credentials = {} as Record<Caller, Record<string, string>>;
  let producerKey: string;
  let viewerToken: string;

  beforeAll(async () => {
    backend = await startBackend({ DATA_DIR: dataDir, SIMULATOR: 'off' });
    const admin = await backend.login();
    const post = async (path: string, body: unknown) => {
      const response = await backend.fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status, `POST ${path}`).toBe(201);
      return (await response.json()) as Record<string, unknown>;
    };
    for (const role of ['viewer', 'operator'] as const) {
      await post('/api/users', { username: `it-${role}`, password: `it-${role}-password`, role });
    }
    producerKey = String((await post('/api/producer-keys', { name: 'it-authorization' })).key);
    viewerToken = await backend.login('it-viewer', 'it-viewer-password');
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    // A real session token with its signature spoilt.
    const forged = `${admin.slice(0, -4)}${admin.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    Object.assign(credentials, {
      nobody: {},
      'bad token': bearer(forged),
      'producer key': bearer(producerKey),
      viewer: bearer(viewerToken),
      operator: bearer(await backend.login('it-operator', 'it-operator-password')),
      admin: bearer(admin),
    });
  });
  afterAll(async () => {
    await backend.stop('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('has a row for every route of the OpenAPI document, and a route for every row', async () => {
    const response = await fetch(`${backend.url}/api/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      paths: Record<string, Record<string, { 'x-access'?: string }>>;
    };
    const documented = new Map<string, string | undefined>();
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        documented.set(key(method.toUpperCase(), path), operation['x-access']);
      }
    }
    const tabled = new Map(AUTHORIZATION.map(([method, path, level]) => [key(method, path), level]));
    const differences = [
      ...[...documented.keys()]
        .filter((route) => !tabled.has(route))
        .map((route) => `not in the table: ${route}`),
      ...[...tabled.keys()]
        .filter((route) => !documented.has(route))
        .map((route) => `not in the document: ${route}`),
      ...[...tabled]
        .filter(([route, level]) => documented.has(route) && documented.get(route) !== level)
        .map(
          ([route, level]) =>
            `${route}: the table says ${level}, the route's @Access says ${String(documented.get(route))}`,
        ),
    ];
    expect(differences, 'the authorization table and the routes differ').toEqual([]);
    expect(backend.output()).not.toContain('route has no access rule');
  });

  it("refuses every caller below each route's level, and lets every other one through", async () => {
    const failures: string[] = [];
    for (const [method, path, level] of AUTHORIZATION) {
      const concrete = path.replace(/\{(\w+)\}/g, (_, name: string) => PARAMETERS[name] ?? name);
      const url = `${backend.url}${concrete}${QUERY[key(method, path)] ?? ''}`;
      for (const caller of CALLERS) {
        const response = await fetch(url, {
          method,
          headers: { ...credentials[caller], 'content-type': 'application/json' },
          ...(method === 'GET' ? {} : { body: '{}' }),
        });
        const text = await response.text();
        const want = expected(level, caller);
        const got = response.status;
        const where = `${caller} on ${method} ${path} (${level}): got ${got} ${text.slice(0, 160)}`;
        if (want === 'through') {
          // A 400 or 404 means the request passed authorization; a 500 is a bug either way.
          if (got === 401 || got === 403 || got === 500) failures.push(`expected through, ${where}`);
        } else if (got !== want) {
          failures.push(`expected ${want}, ${where}`);
        } else if (want === 401 && !(response.headers.get('www-authenticate') ?? '').startsWith('Bearer')) {
          failures.push(`expected a Bearer challenge with the 401, ${where}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses a viewer the acknowledgement of an alert with 403', async () => {
    const response = await backend.fetch(
      '/api/alerts/it-no-such-alert/acknowledge',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"reason":"seen"}' },
      viewerToken,
    );
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toBe(
      'this route needs the operator role; user "it-viewer" is viewer',
    );
  });

  it('refuses a producer key the alerts: it can publish and nothing else', async () => {
    const response = await fetch(`${backend.url}/api/alerts`, {
      headers: { authorization: `Bearer ${producerKey}` },
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toContain(
      'a producer key can only publish events (POST /api/events)',
    );
  });

  it('refuses a Socket.IO connection without a valid session token at the handshake', async () => {
    const connect = (auth: Record<string, string> | undefined) =>
      new Promise<string>((resolve) => {
        const socket = io(backend.url, {
          transports: ['websocket'],
          reconnection: false,
          ...(auth === undefined ? {} : { auth }),
        });
        socket.on('connect_error', (error) => {
          socket.close();
          resolve(`refused: ${error.message}`);
        });
        socket.on('snapshot', () => {
          socket.close();
          resolve('connected');
        });
      });
    expect(await connect(undefined)).toBe(
      'refused: unauthorized: no session token: connect with auth: { token } from POST /api/auth/login',
    );
    const forged = (credentials['bad token'].authorization ?? '').slice('Bearer '.length);
    expect(await connect({ token: forged })).toBe(
      'refused: unauthorized: invalid session token: log in again (POST /api/auth/login)',
    );
    expect(await connect({ token: producerKey })).toMatch(/^refused: unauthorized: /);
    expect(await connect({ token: viewerToken })).toBe('connected');
  });
});
