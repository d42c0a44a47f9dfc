import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { DistrictFeatures } from '@district-monitor/streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProducerKeysService } from '../backend/src/producer-keys/producer-keys.service.js';
import { createKey, runKeys, startBackend, type RunningBackend } from './helpers/backend.js';
import { validEvents } from './helpers/events.js';
import { createDatabase, waitFor } from './helpers/services.js';
import { connectBoard } from './helpers/socket.js';

interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function postTo(
  url: string,
  body: string,
  headers: Record<string, string>,
  contentType = 'application/json',
): Promise<Reply> {
  const response = await fetch(`${url}/api/events`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...headers },
    body,
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/**
 * `count` valid Chennai events on `day` (YYYY-MM-DD), long before anything the simulator makes, so the
 * day's stored count says exactly which of them were stored.
 */
function eventsOn(day: string, count: number, seed: number): string {
  const events = validEvents(count, seed).map(({ unit: _unit, occurredWindow: _window, ...event }) => ({
    ...event,
    district: 'TN-CHN',
    occurredAt: `${day}T06:00:00Z`,
    reportedAt: `${day}T08:00:00Z`,
  }));
  return JSON.stringify(events);
}

/** Events stored for Chennai on `day`, through `GET /api/stats/daily`. */
async function storedOn(backend: RunningBackend, day: string): Promise<number> {
  const to = new Date(Date.parse(`${day}T00:00:00Z`) + 2 * 86_400_000).toISOString();
  const response = await backend.fetch(`/api/stats/daily?district=TN-CHN&from=${day}T00:00:00Z&to=${to}`);
  const stats = (await response.json()) as { days: { day: string; total: number }[] };
  return stats.days.find((entry) => entry.day === day)?.total ?? 0;
}

/** The embedded default: no Kafka, no database server, the simulator feeding events. */
describe('embedded default (PGlite with TimescaleDB, in-process transport, simulator)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'embedded-it-'));
  const env = { DATA_DIR: dataDir, SIMULATOR_RATE: '40' };
  let backend: RunningBackend;
  /** Keys made with the admin command before the backend starts (the embedded database opens in one process). */
  let key: string;
  let slowKey: string;
  let revokedKey: string;

  const post = (
    body: string,
    contentType = 'application/json',
    headers: Record<string, string> = bearer(key),
  ) => postTo(backend.url, body, headers, contentType);

  beforeAll(async () => {
    key = await createKey('it-producer', env);
    slowKey = await createKey('it-slow', env, ['--rate', '1', '--burst', '4']);
    revokedKey = await createKey('it-revoked', env);
    expect(await runKeys(['revoke', 'it-revoked'], env)).toMatchObject({ code: 0 });
    backend = await startBackend(env);
  });
  afterAll(async () => {
    await backend.stop('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reports itself healthy on PGlite with TimescaleDB and the in-process transport', async () => {
    // Anonymous callers get the status alone; the details need a session.
    expect(await (await fetch(`${backend.url}/api/health`)).json()).toEqual({ status: 'ok' });
    const health = (await (await backend.fetch('/api/health')).json()) as Record<
      string,
      Record<string, unknown>
    >;
    expect(health).toMatchObject({
      status: 'ok',
      database: { kind: 'pglite', ok: true },
      transport: { kind: 'in-process', state: 'running', lag: 0 },
    });
    expect(health.database?.timescaledb).toMatch(/^2\./);
    expect(health.aggregates).toMatchObject({ continuous: true, lastError: null });
    // The in-process transport has no partitions to lose: the ownership gate never closes.
    expect(health.features).toEqual({
      staleDistricts: [],
      ownership: { gateClosed: false, reloads: 0, reloadedDistricts: 0, lastReload: null, lastError: null },
    });
  });

  it('feeds simulated events to a connected board', async () => {
    const board = await connectBoard(backend.url, await backend.login());
    await waitFor('simulated events on the board', () => (board.totals.stored >= 20 ? true : undefined), {
      timeoutMs: 15_000,
    });
    // The snapshot says how often each district usually reports, so the board tells quiet from silent at once.
    const snapshot = board.snapshots[0];
    expect(Object.keys(snapshot?.usualHourlyRate ?? {}).sort()).toEqual(
      (snapshot?.districts ?? []).map((district) => district.code).sort(),
    );
    for (const rate of Object.values(snapshot?.usualHourlyRate ?? {})) {
      expect(Number.isFinite(rate) && rate >= 0).toBe(true);
    }
    board.close();
  });

  it('accepts a JSON array over HTTP with a result per event and stores the accepted ones once', async () => {
    const board = await connectBoard(backend.url, await backend.login());
    const events = validEvents(3, 404);
    const broken = { ...events[2], district: 'TN-NOPE' };
    const first = await post(JSON.stringify([events[0], events[1], broken, events[0]]));
    expect(first.status).toBe(207);
    expect(first.body).toMatchObject({ accepted: 3, rejected: 1 });
    expect(first.body.results).toEqual([
      { index: 0, eventId: events[0]?.eventId, status: 'accepted' },
      { index: 1, eventId: events[1]?.eventId, status: 'accepted' },
      {
        index: 2,
        eventId: events[2]?.eventId,
        status: 'rejected',
        reason: 'district: unknown district "TN-NOPE" in region TN',
      },
      { index: 3, eventId: events[0]?.eventId, status: 'accepted' },
    ]);
    // The repeat inside the request is accepted but stored once: one duplicate.
    await waitFor('the in-request repeat to be counted', () =>
      board.totals.duplicates === 1 ? true : undefined,
    );

    const again = await post(
      events
        .slice(0, 2)
        .map((e) => JSON.stringify(e))
        .join('\n'),
      'application/x-ndjson',
    );
    expect(again).toMatchObject({ status: 202, body: { accepted: 2, rejected: 0 } });
    // The simulator never repeats an id, so every duplicate is one of ours.
    await waitFor('the re-sent pair to be counted', () => (board.totals.duplicates === 3 ? true : undefined));
    board.close();
  });

  it("serves a district's rolling features and pushes them when a batch changes them", async () => {
    type Features = {
      district: string;
      categories: Record<string, { counts: Record<string, number> }>;
      vector: { names: string[]; values: number[] };
    };
    const features = async (code: string) =>
      (await (await backend.fetch(`/api/districts/${code}/features`)).json()) as Features;
    const before = await features('TN-NLG');
    expect(before.district).toBe('TN-NLG');
    expect(before.vector.names).toHaveLength(128);
    expect(before.vector.values).toHaveLength(128);
    expect(before.vector.names.slice(0, 2)).toEqual(['crime_body.count_1h', 'crime_body.count_24h']);
    const suicides = before.categories.suicide?.counts['24h'] ?? NaN;

    const board = await connectBoard(backend.url, await backend.login());
    const pushed: DistrictFeatures[] = [];
    board.socket.on('features', (update) => {
      pushed.push(...update.districts);
    });
    const now = Date.now();
    const events = [0, 1, 2, 3].map((i) => ({
      eventId: `it-features-${now}-${i}`,
      schemaVersion: 1,
      kind: 'incident',
      district: 'TN-NLG',
      category: 'suicide',
      severity: 'high',
      occurredAt: new Date(now - 20 * 60_000).toISOString(),
      reportedAt: new Date(now - 10 * 60_000).toISOString(),
    }));
    expect(await post(JSON.stringify(events))).toMatchObject({ status: 202 });
    // The simulator adds its own events meanwhile: at least ours.
    const update = await waitFor('a features push for TN-NLG', () =>
      pushed.find(
        (item) => item.district === 'TN-NLG' && item.categories.suicide.counts['24h'] >= suicides + 4,
      ),
    );
    expect(update.vector).toHaveLength(128);
    expect((await features('TN-NLG')).categories.suicide?.counts['24h']).toBeGreaterThanOrEqual(suicides + 4);
    board.close();
  });

  it('answers a feature request for a malformed code with 400 and for an unknown district with 404', async () => {
    const get = async (code: string) => {
      const response = await backend.fetch(`/api/districts/${code}/features`);
      return { status: response.status, message: ((await response.json()) as { message: string }).message };
    };
    expect(await get('tn-mdu')).toEqual({
      status: 400,
      message: expect.stringContaining('"tn-mdu" is not a district code') as unknown,
    });
    expect(await get('TN-XYZ')).toEqual({
      status: 404,
      message: 'code: unknown district "TN-XYZ" in region TN',
    });
    expect(await get('TN-CHNC')).toEqual({
      status: 404,
      message: expect.stringContaining('TN-CHNC is a police unit of TN-CHN') as unknown,
    });
  });

  it('answers bad bodies with 4xx and a reason', async () => {
    const badJson = await post('[{"eventId":');
    expect(badJson.status).toBe(400);
    expect(badJson.body.message).toMatch(/^body is not valid JSON/);
    expect(await post('a,b', 'text/csv')).toMatchObject({ status: 415 });
    expect(await post('[]')).toMatchObject({ status: 400, body: { message: 'body holds no events' } });
    expect(await post('[{"kind":"incident"}]')).toMatchObject({
      status: 422,
      body: { accepted: 0, rejected: 1 },
    });
    const badLine = await post('{bad line}\n', 'application/x-ndjson');
    expect(badLine.status).toBe(422);
    expect(badLine.body.results).toEqual([
      { index: 0, status: 'rejected', reason: expect.stringMatching(/^invalid JSON/) as unknown },
    ]);
    const big = JSON.stringify(validEvents(1, 405)).padEnd(6 * 1024 * 1024, ' ');
    const tooBig = await post(big);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.message).toContain('the limit is 5242880');
  });

  it('refuses events without a valid producer key with 401 and says which problem, storing none', async () => {
    const day = '2001-01-01';
    const events = eventsOn(day, 3, 406);

    const none = await post(events, 'application/json', {});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(none.body.message).toContain('send a producer key: Authorization: Bearer dmk_...');

    const malformed = await post(events, 'application/json', bearer('dmk_not-a-key'));
    expect(malformed.status).toBe(401);
    expect(malformed.body.message).toMatch(/^malformed producer key: expected dmk_/);

    // A well-formed unknown key, a known id with a wrong secret, a revoked key: one answer for all three.
    const unknown = `dmk_${randomBytes(4).toString('hex')}_${randomBytes(32).toString('base64url')}`;
    const wrongSecret = `${key.slice(0, 13)}${randomBytes(32).toString('base64url')}`;
    for (const presented of [unknown, wrongSecret, revokedKey]) {
      const refused = await post(events, 'application/json', bearer(presented));
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect(refused.body.message).toBe('unknown or revoked producer key');
    }
    expect(await storedOn(backend, day)).toBe(0);

    // The same events with a valid key, given as X-Api-Key this time.
    expect(await post(events, 'application/json', { 'x-api-key': key })).toMatchObject({ status: 202 });
    expect(await storedOn(backend, day)).toBe(3);
  });

  it('lets a producer key publish events and nothing else; health stays public', async () => {
    expect((await fetch(`${backend.url}/api/health`)).status).toBe(200);
    for (const [method, path] of [
      ['GET', '/api/admin/keys'],
      ['GET', '/api/events'],
    ] as const) {
      const response = await fetch(`${backend.url}${path}`, { method, headers: bearer(key) });
      expect(response.status, `${method} ${path}`).toBe(404);
    }
    for (const [method, path] of [
      ['GET', '/api/districts'],
      ['GET', '/api/producer-keys'],
      ['POST', '/api/producer-keys'],
    ] as const) {
      const response = await fetch(`${backend.url}${path}`, { method, headers: bearer(key) });
      expect(response.status, `${method} ${path}`).toBe(403);
    }
  });

  it("limits each key's rate in events: a request over it is refused whole with 429 and Retry-After", async () => {
    const day = '2001-01-02';
    const tooMany = await post(eventsOn(day, 5, 407), 'application/json', bearer(slowKey));
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.message).toBe(
      '5 events in one request, but key "it-slow" takes at most 4 at once (1 event/s, burst 4): ' +
        'send at most 4 events per request',
    );

    expect(await post(eventsOn(day, 4, 408), 'application/json', bearer(slowKey))).toMatchObject({
      status: 202,
    });
    const next = eventsOn(day, 3, 409);
    const limited = await post(next, 'application/json', bearer(slowKey));
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    // 3 events at 1 per second into a bucket emptied less than a second ago: between 2 and 3 s, so 3.
    expect(retryAfter).toBe(3);
    expect(limited.body).toMatchObject({ retryAfterSeconds: 3 });
    expect(limited.body.message).toBe(
      'key "it-slow" is over its rate limit (1 event/s, burst 4): this request holds 3 events ' +
        '(0 available now); nothing was accepted, retry after 3 s',
    );
    expect(await storedOn(backend, day)).toBe(4);
    // Other keys have their own buckets.
    expect(await post(eventsOn('2001-01-03', 1, 410))).toMatchObject({ status: 202 });

    // Retry-After is a promise: after it, the same request is accepted in full.
    await delay(retryAfter * 1000);
    expect(await post(next, 'application/json', bearer(slowKey))).toMatchObject({
      status: 202,
      body: { accepted: 3 },
    });
    expect(await storedOn(backend, day)).toBe(7);
  });

  it('keeps the keys command off the database while the backend holds it', async () => {
    const refused = await runKeys(['list'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`a running backend (pid ${String(backend.child.pid)}) has the embedded`);
    expect(refused.stderr).toContain('stop the backend (Ctrl-C) and run this again');
  });

  it('stops cleanly on SIGINT (Ctrl-C) and keeps the stored events across a restart', async () => {
    const board = await connectBoard(backend.url, await backend.login());
    board.close();
    expect(await backend.stop('SIGINT')).toBe(0);
    expect(existsSync(join(dataDir, 'backend.lock'))).toBe(false);
    const storedBefore = await waitFor('a final count', () => board.snapshots[0]?.totalStored);

    // With the backend stopped the keys command runs: the list shows use, and a revocation holds after a restart.
    const listed = await runKeys(['list'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^it-producer +[0-9a-f]{8} +1000 +10000 +\S+ +\d{4}-\S+ +-$/m);
    expect(listed.stdout).toMatch(/^it-revoked +.* \d{4}-\S+$/m);
    expect(listed.stdout).not.toContain(key.slice(13));
    expect(await runKeys(['revoke', 'it-producer'], env)).toMatchObject({ code: 0 });

    backend = await startBackend(env);
    const after = await connectBoard(backend.url, await backend.login());
    expect(after.snapshots[0]?.totalStored).toBeGreaterThanOrEqual(storedBefore);
    expect(after.snapshots[0]?.totalStored).toBeGreaterThan(0);
    after.close();
    expect(await post(eventsOn('2001-01-04', 1, 411))).toMatchObject({
      status: 401,
      body: { message: 'unknown or revoked producer key' },
    });
    expect(await post(eventsOn('2001-01-04', 1, 411), 'application/json', bearer(slowKey))).toMatchObject({
      status: 202,
    });
  });
});

/** On a PostgreSQL server the keys command runs beside the backend, so a revocation reaches it live. */
describe('producer keys with the backend on PostgreSQL', () => {
  let database: { url: string; drop(): Promise<void> };
  let env: Record<string, string>;
  let backend: RunningBackend | undefined;

  beforeAll(async () => {
    database = await createDatabase();
    env = { DATABASE_URL: database.url, SIMULATOR: 'off' };
  });
  afterAll(async () => {
    await backend?.stop('SIGTERM');
    await database.drop();
  });

  it('refuses a key revoked while the backend runs within the cache TTL', async () => {
    const key = await createKey('live', env);
    backend = await startBackend(env);
    const url = backend.url;
    expect(await postTo(url, eventsOn('2001-02-01', 2, 412), bearer(key))).toMatchObject({ status: 202 });

    expect(await runKeys(['revoke', 'live'], env)).toMatchObject({ code: 0 });
    // Until its cache entry expires the backend still trusts the key, as documented; then it refuses it.
    const revokedAt = Date.now();
    await waitFor(
      'the revoked key to be refused',
      async () =>
        (await postTo(url, eventsOn('2001-02-02', 1, 413), bearer(key))).status === 401 ? true : undefined,
      { timeoutMs: 15_000, intervalMs: 200 },
    );
    expect(Date.now() - revokedAt).toBeLessThan(ProducerKeysService.CACHE_TTL_MS + 1_000);
  });

  it('with INGEST_AUTH=off takes events without a key, and warns at start', async () => {
    await backend?.stop('SIGTERM');
    backend = await startBackend({ ...env, INGEST_AUTH: 'off' });
    expect(backend.output()).toContain('INGEST_AUTH=off: POST /api/events accepts events from anyone');
    expect(await postTo(backend.url, eventsOn('2001-02-03', 2, 414), {})).toMatchObject({ status: 202 });
    expect(await storedOn(backend, '2001-02-03')).toBe(2);
  });
});
