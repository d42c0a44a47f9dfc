import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { readRateTable, readRegion } from '@district-monitor/data';
import {
  FLAT_PROFILE,
  topicForKind,
  type Alert,
  type AlertNotification,
  type AlertWithHistory,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type TopicNames,
} from '@district-monitor/streams';
import { createSimulator } from '@district-monitor/streams/simulator';
import { apiJson, disableAllRules } from './helpers/api.js';
import { startBackend, type RunningBackend } from './helpers/backend.js';
import { createTopics, produce } from './helpers/kafka.js';
import { REPO_ROOT, createDatabase, requireEnv, uniqueName, waitFor } from './helpers/services.js';

/**
 * The alert scenario of issue 6 on the real Kafka broker and PostgreSQL, with the simulator feeding
 * Tamil Nadu: a x3 surge in one district fires exactly one alert there and none elsewhere; escalation
 * runs until an operator acknowledges; a silenced district's alert stays visible but untold; the
 * backend killed with SIGKILL and restarted mid-scenario tells nothing twice; the alert resolves after
 * the surge ends. Notifications are counted where subscribers get them: a signed webhook receiver.
 */

const ADMIN_PASSWORD = 'scenario-admin-password';
const SURGED = 'TN-MDU';
const SILENCED = 'TN-TRY';
const HISTORY_MINUTES = 75;
const RATE = 20;
const MINUTE = 60_000;
const SURGE_MINUTES = 4;

interface Received {
  readonly at: number;
  readonly key: string;
  readonly notification: AlertNotification;
}

/** A webhook receiver that records every notification it is sent (and answers 200). */
async function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({
        at: Date.now(),
        key: String(request.headers['idempotency-key']),
        notification: JSON.parse(body) as AlertNotification,
      });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hook`, received };
}

describe('alert scenario on Kafka with the simulator', () => {
  let topics: TopicNames;
  let prefix: string;
  let database: { url: string; drop(): Promise<void> };
  let backend: RunningBackend;
  let env: Record<string, string>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let adminToken = '';
  let operatorToken = '';
  let socket: Socket<ServerToClientEvents, ClientToServerEvents> | undefined;
  const pushed: Alert[] = [];
  let surgeEnds = 0;
  let ratesDir = '';
  let flatRatesFile = '';

  const api = <T>(path: string, token: string, init: { method?: string; body?: unknown } = {}): Promise<T> =>
    apiJson<T>(backend.url, token, path, init);

  const login = async (username: string, password: string): Promise<string> => {
    const response = await fetch(`${backend.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (!response.ok) throw new Error(`login ${username}: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { token: string }).token;
  };

  const alertsOf = async (district: string): Promise<AlertWithHistory[]> =>
    (
      await api<{ alerts: AlertWithHistory[] }>(`/api/alerts?district=${district}&limit=50`, adminToken)
    ).alerts.filter((a) => a.labels.rule === 'spike-test');

  const notificationsFor = (district: string, kind?: AlertNotification['kind']) =>
    receiver.received.filter(
      (r) =>
        r.notification.district === district &&
        r.notification.alerts.some((a) => a.labels.rule === 'spike-test') &&
        (kind === undefined || r.notification.kind === kind),
    );

  beforeAll(async () => {
    requireEnv('KAFKA_BROKERS');
    ({ prefix, topics } = await createTopics());
    database = await createDatabase();
    receiver = await startReceiver();

    // 75 minutes of reports before the backend starts: the history the spike detector learns from.
    const region = await readRegion(join(REPO_ROOT, 'data/regions/tamil-nadu.json'));
    // The detector learns from these 75 minutes only, too short for the daily cycle; with the table's hour
    // profile the scenario depended on the hour it ran at (the morning rise, 06:00-09:00 IST, put every
    // large district about 1.3 times above its last 75 minutes and fired Chennai, Coimbatore and Thoothukudi
    // in a run at 07:45 IST). The table with flat time profiles keeps only the districts' rates.
    ratesDir = mkdtempSync(join(tmpdir(), 'alerts-rates-'));
    flatRatesFile = join(ratesDir, 'tamil-nadu-flat.json');
    const table = JSON.parse(readFileSync(join(REPO_ROOT, 'data/rates/tamil-nadu.json'), 'utf8')) as object;
    writeFileSync(
      flatRatesFile,
      JSON.stringify({ ...table, profiles: { crime: FLAT_PROFILE, accident: FLAT_PROFILE } }),
    );
    const rates = readRateTable(flatRatesFile, region);
    const history = createSimulator({
      region,
      ...(rates === undefined ? {} : { rates }),
      ratePerSecond: RATE,
      seed: 61,
      source: 'history',
      dirt: { late: 0, duplicate: 0, amendment: 0 },
    });
    const now = Date.now();
    history.tick(now - HISTORY_MINUTES * MINUTE);
    const events = history.tick(now);
    await produce(
      events.map((event) => ({
        topic: topicForKind(topics, event.kind),
        key: event.district,
        value: JSON.stringify(event),
      })),
    );

    env = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: uniqueName('alerts-'),
      SIMULATOR: 'on',
      SIMULATOR_RATE: String(RATE),
      SIMULATOR_RATES: flatRatesFile,
      MODEL_RETRAIN_HOURS: '0',
      ADMIN_PASSWORD,
      ALERT_EVALUATION_SECONDS: '1',
      ALERT_GROUP_WAIT_SECONDS: '2',
      ALERT_GROUP_INTERVAL_SECONDS: '3',
      WEBHOOK_BACKOFF_MS: '200',
    };
    backend = await startBackend(env);
    adminToken = await login('admin', ADMIN_PASSWORD);

    // Only the scenario's rule: the defaults are switched off (a rule is data, edited through the API).
    await disableAllRules(backend.url, adminToken);
    await api('/api/users', adminToken, {
      method: 'POST',
      body: { username: 'operator1', password: 'operator-password-1', role: 'operator' },
    });
    operatorToken = await login('operator1', 'operator-password-1');
    await api('/api/subscriptions', adminToken, {
      method: 'POST',
      body: { name: 'scenario receiver', url: receiver.url },
    });
    await api('/api/silences', operatorToken, {
      method: 'POST',
      body: {
        matchers: [{ label: 'district', op: '=', value: SILENCED }],
        reason: 'planned festival crowd: expected surge',
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    // The history is consumed before the rule exists, so its detectors start from all of it.
    await waitFor(
      'the history to be consumed',
      async () => {
        const health = await api<{ transport: { lag: number | null } }>('/api/health', adminToken);
        return health.transport.lag === 0 ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    await api('/api/rules', adminToken, {
      method: 'POST',
      body: {
        id: 'spike-test',
        name: 'Scenario: incidents per minute above the forecast',
        severity: 'high',
        condition: {
          kind: 'spike',
          stepMinutes: 1,
          historySteps: 60,
          // One step in 10,000 above the bound by chance: ~38 districts watched for ~10 minutes make a
          // false alarm elsewhere unlikely (at 0.999 one fired in Chennai in a CI run). The surge stays far
          // above it: Madurai reports about 60 incidents a minute here (sd about 9, simulator at 20 events/s),
          // and 3x that is over 10 sd above its mean.
          coverage: 0.9999,
          clearCoverage: 0.95,
          minCount: 5,
        },
        forSeconds: 30,
        keepFiringForSeconds: 90,
        escalation: [
          { name: 'station', afterSeconds: 0 },
          { name: 'district control room', afterSeconds: 45 },
          { name: 'zone / HQ', afterSeconds: 150 },
        ],
      },
    });
    const board: Socket<ServerToClientEvents, ClientToServerEvents> = io(backend.url, {
      transports: ['websocket'],
      auth: { token: adminToken },
    });
    socket = board;
    board.on('alerts', (update) => pushed.push(...update.alerts));
    await new Promise<void>((resolve, reject) => {
      board.once('connect', () => {
        board.emit('alerts:subscribe', {}, (answer) => {
          if (answer.ok) resolve();
          else reject(new Error(answer.error));
        });
      });
      board.once('connect_error', reject);
    });
  }, 300_000);

  afterAll(async () => {
    socket?.close();
    await backend.stop('SIGTERM');
    await new Promise((resolve) => receiver.server.close(resolve));
    await database.drop();
    rmSync(ratesDir, { recursive: true, force: true });
  });

  it('fires exactly one alert for the surging district, none elsewhere, and tells it once', async () => {
    surgeEnds = Date.now() + SURGE_MINUTES * MINUTE;
    for (const district of [SURGED, SILENCED]) {
      await api('/api/simulator/surges', adminToken, {
        method: 'POST',
        body: { district, factor: 3, minutes: SURGE_MINUTES },
      });
    }
    const firing = await waitFor(
      `a firing alert for ${SURGED}`,
      async () => (await alertsOf(SURGED)).find((a) => a.state === 'firing'),
      { timeoutMs: 180_000, intervalMs: 1000 },
    );
    expect(firing.history.map((h) => h.action)).toEqual(['alert.pending', 'alert.firing']);
    await waitFor(
      'the firing notification',
      () => (notificationsFor(SURGED, 'firing').length > 0 ? true : undefined),
      {
        timeoutMs: 30_000,
      },
    );
    // The board's socket got the alert too.
    expect(pushed.some((a) => a.id === firing.id && a.state === 'firing')).toBe(true);

    const all = (
      await api<{ alerts: AlertWithHistory[] }>('/api/alerts?limit=500', adminToken)
    ).alerts.filter((a) => a.labels.rule === 'spike-test');
    // The silenced district may not have fired yet; no other district ever fires.
    const fired = all.filter((a) => a.firedAt !== null).map((a) => a.labels.district);
    expect(fired.filter((d) => d !== SURGED && d !== SILENCED)).toEqual([]);
    expect(all.filter((a) => a.labels.district === SURGED && a.firedAt !== null)).toHaveLength(1);
  });

  it('keeps the silenced district visible as silenced and tells nobody', async () => {
    const silenced = await waitFor(
      `the silenced alert of ${SILENCED}`,
      async () => (await alertsOf(SILENCED)).find((a) => a.firedAt !== null && a.silencedBy.length > 0),
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    expect(silenced.history.map((h) => h.action)).toContain('alert.silenced');
    expect(notificationsFor(SILENCED)).toHaveLength(0);
  });

  it('escalates until acknowledged, and a killed and restarted backend tells nothing twice', async () => {
    const [alert] = (await alertsOf(SURGED)).filter((a) => a.state === 'firing');
    if (alert === undefined) throw new Error('the surge alert is not firing');
    await waitFor(
      'the escalation to the district control room',
      () =>
        notificationsFor(SURGED, 'escalation').some((r) => r.notification.level === 1) ? true : undefined,
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    const acknowledged = await api<Alert>(`/api/alerts/${alert.id}/acknowledge`, operatorToken, {
      method: 'POST',
      body: { reason: 'patrols dispatched to the market area' },
    });
    expect(acknowledged.state).toBe('acknowledged');
    expect(acknowledged.acknowledgedBy).toBe('operator1');

    // Killed without a chance to clean up, then started again on the same database and topics. The
    // simulator keeps its surges in memory, so the rest of the surge is injected again.
    await backend.stop('SIGKILL');
    backend = await startBackend(env);
    adminToken = await login('admin', ADMIN_PASSWORD);
    const left = Math.ceil((surgeEnds - Date.now()) / MINUTE);
    if (left > 0) {
      await api('/api/simulator/surges', adminToken, {
        method: 'POST',
        body: { district: SURGED, factor: 3, minutes: left },
      });
    }

    // Past the third level's 150 s: an acknowledged alert does not escalate further. Waits for an
    // evaluation round of the restarted engine that ended after that instant.
    const firedAt = Date.parse(alert.firedAt ?? '');
    await waitFor(
      "an evaluation round past the third level's 150 s",
      async () => {
        const health = await api<{ alerts: { evaluatedAt: string | null } }>('/api/health', adminToken);
        const at = health.alerts.evaluatedAt === null ? 0 : Date.parse(health.alerts.evaluatedAt);
        return at > firedAt + 155_000 ? true : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 1000 },
    );
    expect(notificationsFor(SURGED, 'escalation').map((r) => r.notification.level)).toEqual([1]);
    const [again] = (await alertsOf(SURGED)).filter((a) => a.id === alert.id);
    expect(again?.escalationLevel, JSON.stringify(again?.history)).toBe(1);
    expect(again?.history.find((h) => h.action === 'alert.acknowledged')).toMatchObject({
      actor: 'operator1',
      reason: 'patrols dispatched to the market area',
    });
  });

  it(
    'resolves after the surge ends and the clear threshold holds, told once',
    { timeout: 420_000 },
    async () => {
      const resolved = await waitFor(
        `the ${SURGED} alert to resolve`,
        async () => (await alertsOf(SURGED)).find((a) => a.firedAt !== null && a.state === 'resolved'),
        { timeoutMs: 300_000, intervalMs: 2000 },
      ).catch(async (error: unknown) => {
        // What the alert went through and what the backend said, to tell a slow clear from a stuck engine.
        const history = (await alertsOf(SURGED)).map((a) =>
          a.history.map((h) => `${h.at} ${h.action}: ${h.reason ?? ''}`),
        );
        throw new Error(
          `${String(error)}\n${JSON.stringify(history, null, 1)}\n${backend.output().slice(-4000)}`,
        );
      });
      expect(resolved.history.map((h) => h.action)).toContain('alert.clearing');
      expect(resolved.resolvedAt === null ? 0 : Date.parse(resolved.resolvedAt)).toBeGreaterThan(surgeEnds);
      await waitFor(
        'the resolved notification',
        () => (notificationsFor(SURGED, 'resolved').length > 0 ? true : undefined),
        {
          timeoutMs: 30_000,
        },
      );
      // Every notification arrived exactly once, restart included.
      const keys = receiver.received.map((r) => r.key);
      expect(keys.length).toBe(new Set(keys).size);
      expect(notificationsFor(SURGED, 'firing')).toHaveLength(1);
      expect(notificationsFor(SURGED, 'resolved')).toHaveLength(1);
      const districts = new Set(
        receiver.received
          .filter((r) => r.notification.alerts.some((a) => a.labels.rule === 'spike-test'))
          .map((r) => r.notification.district),
      );
      const elsewhere = (
        await api<{ alerts: AlertWithHistory[] }>('/api/alerts?limit=500', adminToken)
      ).alerts.filter((a) => a.labels.rule === 'spike-test' && a.labels.district !== SURGED);
      // On failure, say what fired elsewhere and why (the detector's own summary).
      expect(
        [...districts],
        elsewhere.map((a) => `${a.labels.district} ${a.state} ${a.firedAt ?? ''}: ${a.summary}`).join('\n'),
      ).toEqual([SURGED]);
      const all = (
        await api<{ alerts: AlertWithHistory[] }>('/api/alerts?limit=500', adminToken)
      ).alerts.filter((a) => a.labels.rule === 'spike-test');
      const fired = all.filter((a) => a.firedAt !== null).map((a) => a.labels.district);
      expect(new Set(fired)).toEqual(new Set([SURGED, SILENCED]));
      expect(all.filter((a) => a.labels.district === SURGED && a.firedAt !== null)).toHaveLength(1);
    },
  );
});
