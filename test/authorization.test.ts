import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type RunningBackend } from './helpers/backend.js';
import { waitFor } from './helpers/services.js';

type Level = 'public' | 'producer' | 'viewer' | 'operator' | 'admin';
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * THE AUTHORIZATION TABLE: every REST route, as the OpenAPI document names it, and who may call it.
 * The test fails when a route of the document is missing here or a row names no route, so a new route
 * needs a row. Roles rank admin > operator > viewer; `producer` is a producer key alone.
 */
const AUTHORIZATION: readonly (readonly [Method, string, Level])[] = [
  ['GET', '/api/health', 'public'],
  ['GET', '/api/health/live', 'public'],
  // Not a user route: it checks its own METRICS_TOKEN (404 while unset, as here).
  ['GET', '/metrics', 'public'],
  ['GET', '/api/simulation', 'viewer'],
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

/**
 * THE SCOPE TABLE: what a district-scoped user (here TN-MDU) gets from every route of the OpenAPI
 * document. The test fails when a route has no row, so a new route needs a decision.
 * - `region`: region-wide by design (registry, outlines, published NCRB analysis, rules, models, own session);
 * - `scoped`: answers only the user's districts: no other district's code anywhere in the body;
 * - `district`: names a district (path `{code}` or `?district=`): another district's gets 403;
 * - `alert`: names an alert: another district's alert is never read or changed (403 / 404);
 * - `silence`: see the silence checks below;
 * - `role`: refused to viewers and operators by role (admin or producer routes).
 */
const SCOPE: Readonly<Record<string, 'region' | 'scoped' | 'district' | 'alert' | 'silence' | 'role'>> = {
  'GET /api/health': 'region',
  'GET /api/health/live': 'region',
  'GET /api/openapi.json': 'region',
  'GET /metrics': 'region',
  'GET /api/simulation': 'region',
  'POST /api/auth/login': 'region',
  'GET /api/auth/me': 'region',
  'POST /api/auth/password': 'region',
  'POST /api/events': 'role',
  'GET /api/districts': 'region',
  'GET /api/districts/{code}/features': 'district',
  'GET /api/districts/{code}/score': 'district',
  'GET /api/districts/{code}/events': 'district',
  'GET /api/region/map': 'region',
  'GET /api/black-spots': 'scoped',
  'GET /api/board/history': 'scoped',
  'GET /api/analysis/correlations': 'region',
  'GET /api/history/meta': 'region',
  'GET /api/history': 'scoped',
  'GET /api/history/districts/{code}': 'district',
  'GET /api/history/analysis': 'scoped',
  'GET /api/history/tiers': 'scoped',
  'GET /api/history/districts/{code}/analysis': 'district',
  'GET /api/analysis/clusters': 'region',
  'GET /api/scores': 'scoped',
  'GET /api/stats/daily': 'district',
  'GET /api/models': 'region',
  'GET /api/models/active': 'region',
  'POST /api/models/retrain': 'role',
  'POST /api/simulator/surges': 'role',
  'GET /api/alerts': 'scoped',
  'GET /api/alerts/{id}': 'alert',
  'POST /api/alerts/{id}/acknowledge': 'alert',
  'POST /api/alerts/{id}/resolve': 'alert',
  'POST /api/alerts/{id}/escalate': 'alert',
  'GET /api/silences': 'scoped',
  'POST /api/silences': 'silence',
  'DELETE /api/silences/{id}': 'silence',
  'GET /api/rules': 'region',
  'POST /api/rules': 'role',
  'PUT /api/rules/{id}': 'role',
  'DELETE /api/rules/{id}': 'role',
  'GET /api/audit': 'scoped',
  'GET /api/subscriptions': 'role',
  'POST /api/subscriptions': 'role',
  'PATCH /api/subscriptions/{id}': 'role',
  'DELETE /api/subscriptions/{id}': 'role',
  'GET /api/subscriptions/{id}/deliveries': 'role',
  'GET /api/users': 'role',
  'POST /api/users': 'role',
  'PATCH /api/users/{id}': 'role',
  'DELETE /api/users/{id}': 'role',
  'GET /api/producer-keys': 'role',
  'POST /api/producer-keys': 'role',
  'DELETE /api/producer-keys/{id}': 'role',
};

const MINE = 'TN-MDU';
const OTHER = 'TN-CHN';

describe('district scope', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'scope-it-'));
  let backend: RunningBackend;
  let admin: string;
  const scoped = {} as Record<'viewer' | 'operator', string>;
  const alertOf = {} as Record<string, string>;
  let otherSilence: string;
  /** Everything each socket received, by event name. */
  const received = { admin: [] as [string, string][], viewer: [] as [string, string][] };
  const sockets: Socket[] = [];

  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${backend.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, text: await response.text() };
  };
  const json = async <T>(token: string, method: string, path: string, body?: unknown): Promise<T> => {
    const answer = await call(token, method, path, body);
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${answer.text}`);
    return JSON.parse(answer.text) as T;
  };
  const listen = async (token: string, into: [string, string][]) => {
    const socket = io(backend.url, { transports: ['websocket'], auth: { token }, reconnection: false });
    sockets.push(socket);
    socket.onAny((event: string, payload: unknown) => into.push([event, JSON.stringify(payload)]));
    await waitFor('the snapshot', () => (into.some(([event]) => event === 'snapshot') ? true : undefined));
    const answer: unknown = await socket.emitWithAck('alerts:subscribe', {});
    expect(answer).toMatchObject({ ok: true });
    return socket;
  };

  beforeAll(async () => {
    backend = await startBackend({
      DATA_DIR: dataDir,
      SIMULATOR: 'off',
      MODEL_RETRAIN_HOURS: '0',
      ALERT_EVALUATION_SECONDS: '1',
      ALERT_GROUP_WAIT_SECONDS: '0',
      LIVE_PUSH_MS: '50',
    });
    admin = await backend.login();
    for (const role of ['viewer', 'operator'] as const) {
      await json(admin, 'POST', '/api/users', {
        username: `it-mdu-${role}`,
        password: `it-mdu-${role}-password`,
        role,
        districts: [MINE],
      });
      scoped[role] = await backend.login(`it-mdu-${role}`, `it-mdu-${role}-password`);
    }
    const key = (await json<{ key: string }>(admin, 'POST', '/api/producer-keys', { name: 'it-scope' })).key;
    await json(admin, 'POST', '/api/rules', {
      id: 'it-scope-any-theft',
      name: 'Scope test: any property crime',
      severity: 'high',
      category: 'crime_property',
      districts: [MINE, OTHER],
      condition: { kind: 'category', windowMinutes: 120, threshold: 1, clear: 0 },
      escalation: [{ name: 'station', afterSeconds: 0 }],
    });
    await listen(admin, received.admin);
    await listen(scoped.viewer, received.viewer);

    const now = Date.now();
    const events = [MINE, OTHER].flatMap((district) =>
      [0, 1, 2].map((i) => ({
        eventId: `it-scope-${district}-${i}`,
        schemaVersion: 1,
        kind: 'incident',
        district,
        category: 'crime_property',
        severity: 'high',
        occurredAt: new Date(now - (i + 1) * 60_000).toISOString(),
        reportedAt: new Date(now).toISOString(),
        location: district === MINE ? { lat: 9.93, lon: 78.12 } : { lat: 13.08, lon: 80.27 },
        source: 'it-scope',
      })),
    );
    const posted = await fetch(`${backend.url}/api/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(events),
    });
    expect(posted.status).toBe(202);
    for (const district of [MINE, OTHER]) {
      alertOf[district] = await waitFor(`an alert in ${district}`, async () => {
        const { alerts } = await json<{ alerts: { id: string }[] }>(
          admin,
          'GET',
          `/api/alerts?district=${district}`,
        );
        return alerts[0]?.id;
      });
    }
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    otherSilence = (
      await json<{ id: string }>(admin, 'POST', '/api/silences', {
        matchers: [{ label: 'district', op: '=', value: OTHER }],
        reason: 'admin silences the other district',
        endsAt,
      })
    ).id;
    await json(admin, 'POST', '/api/silences', {
      matchers: [{ label: 'district', op: '=', value: MINE }],
      reason: 'admin silences the scoped district',
      endsAt,
    });
    // The admin's socket saw the other district's batch and features: the feed works.
    await waitFor("the other district's features on the admin's socket", () =>
      received.admin.some(([event, payload]) => event === 'features' && payload.includes(OTHER))
        ? true
        : undefined,
    );
    await waitFor("the scoped district's features on the viewer's socket", () =>
      received.viewer.some(([event, payload]) => event === 'features' && payload.includes(MINE))
        ? true
        : undefined,
    );
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await backend.stop('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('has a scope row for every route of the OpenAPI document', async () => {
    const document = (await (await fetch(`${backend.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => key(method.toUpperCase(), path)),
    );
    expect(routes.filter((route) => SCOPE[route] === undefined)).toEqual([]);
    expect(Object.keys(SCOPE).filter((route) => !routes.includes(route))).toEqual([]);
  });

  it('lets a scoped viewer and operator read and change nothing outside their district, on any route', async () => {
    const failures: string[] = [];
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    for (const [route, scope] of Object.entries(SCOPE)) {
      const [method = 'GET', path = ''] = route.split(' ');
      for (const role of ['viewer', 'operator'] as const) {
        const token = scoped[role];
        const where = `${role} on ${route} (${scope})`;
        const ask = async (concrete: string, body?: unknown) => {
          const answer = await call(token, method, concrete, body ?? (method === 'GET' ? undefined : {}));
          if (answer.status === 500) failures.push(`${where}: 500 ${answer.text.slice(0, 200)}`);
          return answer;
        };
        switch (scope) {
          case 'region':
          case 'silence':
            break; // region-wide by design; silences are checked below
          case 'role': {
            const concrete = path.replace(/\{\w+\}/g, 'it-no-such-id');
            const { status } = await ask(concrete);
            if (status !== 403) failures.push(`${where}: expected 403, got ${status}`);
            break;
          }
          case 'scoped': {
            const query =
              path === '/api/black-spots' || path === '/api/board/history'
                ? `?from=${from}&to=${to}`
                : path === '/api/history'
                  ? '?head=ipc_total&year=2022'
                  : '';
            const { status, text } = await ask(`${path}${query}`);
            // 503: the yearly analysis is not trained in this test (HISTORY_ANALYSIS off); the route passed
            // the scope check. test/history-analysis.test.ts reads these routes trained, as a scoped user.
            const untrained = status === 503 && path.startsWith('/api/history/');
            if (status !== 200 && !untrained)
              failures.push(`${where}: expected 200, got ${status} ${text.slice(0, 200)}`);
            if (text.includes(OTHER))
              failures.push(`${where}: the answer names ${OTHER}: ${text.slice(0, 300)}`);
            break;
          }
          case 'district': {
            const at = (code: string) =>
              path.includes('{code}')
                ? path.replace('{code}', code)
                : `${path}?district=${code}&from=${from}&to=${to}`;
            const other = await ask(at(OTHER));
            if (other.status !== 403) failures.push(`${where}: ${OTHER} answered ${other.status}, not 403`);
            const mine = await ask(at(MINE));
            // 503 is the score route while no model is active: it passed the scope check.
            if (![200, 503].includes(mine.status)) failures.push(`${where}: ${MINE} answered ${mine.status}`);
            if (mine.text.includes(OTHER)) failures.push(`${where}: ${MINE}'s answer names ${OTHER}`);
            break;
          }
          case 'alert': {
            const concrete = path.replace('{id}', alertOf[OTHER] ?? '');
            const { status, text } = await ask(
              concrete,
              method === 'GET' ? undefined : { reason: 'not mine' },
            );
            if (status !== 403 && status !== 404) failures.push(`${where}: expected 403/404, got ${status}`);
            if (text.includes(OTHER) && status < 300) failures.push(`${where}: read ${OTHER}'s alert`);
            break;
          }
        }
      }
    }
    expect(failures).toEqual([]);
    // Positive controls: the scoped reads do hold the user's own district.
    const mine = await json<{ alerts: { labels: { district: string } }[] }>(
      scoped.viewer,
      'GET',
      '/api/alerts',
    );
    expect(mine.alerts.map((alert) => alert.labels.district)).toEqual([MINE]);
    const audit = await json<{ entries: { subject: string }[] }>(scoped.viewer, 'GET', '/api/audit');
    expect(audit.entries.map((entry) => entry.subject)).toContain(`alert:${alertOf[MINE] ?? ''}`);
    expect(audit.entries.filter((entry) => /^(user|producer_key|subscription):/.test(entry.subject))).toEqual(
      [],
    );
    const adminAudit = await json<{ entries: { subject: string }[] }>(admin, 'GET', '/api/audit');
    expect(adminAudit.entries.map((entry) => entry.subject)).toContain(`alert:${alertOf[OTHER] ?? ''}`);
    const silences = await json<{ silences: { reason: string }[] }>(scoped.viewer, 'GET', '/api/silences');
    expect(silences.silences.map((silence) => silence.reason)).toEqual([
      'admin silences the scoped district',
    ]);
  });

  it('lets a scoped operator silence only its own district', async () => {
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const attempt = (matchers: unknown[]) =>
      call(scoped.operator, 'POST', '/api/silences', { matchers, reason: 'scope test', endsAt });
    const outside = [
      [{ label: 'district', op: '=', value: OTHER }],
      [{ label: 'severity', op: '=~', value: '.*' }],
      [{ label: 'district', op: '=~', value: 'TN-.*' }],
      [{ label: 'district', op: '!=', value: MINE }],
      [
        { label: 'district', op: '=~', value: `${MINE}|${OTHER}` },
        { label: 'severity', op: '=', value: 'high' },
      ],
    ];
    for (const matchers of outside) {
      const { status, text } = await attempt(matchers);
      expect(status, `${JSON.stringify(matchers)}: ${text}`).toBe(403);
    }
    const own = await attempt([
      { label: 'district', op: '=', value: MINE },
      { label: 'severity', op: '=~', value: '.*' },
    ]);
    expect(own.status, own.text).toBe(201);
    const ownRegex = await attempt([{ label: 'district', op: '=~', value: 'TN-MD.' }]);
    expect(ownRegex.status, ownRegex.text).toBe(201);
    // Ending the other district's silence is refused, and it stays in force.
    const ended = await call(scoped.operator, 'DELETE', `/api/silences/${otherSilence}`);
    expect([403, 404]).toContain(ended.status);
    const { silences } = await json<{ silences: { id: string }[] }>(
      admin,
      'GET',
      '/api/silences?active=true',
    );
    expect(silences.map((silence) => silence.id)).toContain(otherSilence);
    // The scoped operator's own silence can be ended by it.
    const id = (JSON.parse(own.text) as { id: string }).id;
    expect((await call(scoped.operator, 'DELETE', `/api/silences/${id}`)).status).toBe(204);
  });

  it("sends a scoped viewer's socket no event of another district", async () => {
    const snapshot = received.viewer.find(([event]) => event === 'snapshot')?.[1] ?? '{}';
    const parsed = JSON.parse(snapshot) as { countsByDistrict: object; lastReportedAt: object };
    expect(Object.keys(parsed.countsByDistrict).filter((code) => code !== MINE)).toEqual([]);
    expect(Object.keys(parsed.lastReportedAt).filter((code) => code !== MINE)).toEqual([]);
    const leaks = received.viewer.filter(
      ([event, payload]) => event !== 'snapshot' && payload.includes(OTHER),
    );
    expect(leaks).toEqual([]);
    const kinds = new Set(received.viewer.map(([event]) => event));
    for (const event of ['ingest:batch', 'features', 'alerts']) expect(kinds, event).toContain(event);
    // The admin's socket, region-wide, got the other district's batch, features and alerts.
    for (const event of ['ingest:batch', 'features', 'alerts']) {
      expect(
        received.admin.some(([name, payload]) => name === event && payload.includes(OTHER)),
        event,
      ).toBe(true);
    }
    // Asking for the other district's alert room joins nothing of it.
    const socket = sockets[1];
    const answer = (await socket?.emitWithAck('alerts:subscribe', { districts: [OTHER] })) as {
      ok: boolean;
      rooms?: string[];
    };
    expect((answer.rooms ?? []).filter((room) => room.includes(OTHER))).toEqual([]);
  });
});
