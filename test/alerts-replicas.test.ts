import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  topicForKind,
  type AlertNotification,
  type AlertWithHistory,
  type IncidentEvent,
  type TopicNames,
} from '@district-monitor/streams';
import { apiJson, disableAllRules, suicideProbeRule } from './helpers/api.js';
import { startBackend, type RunningBackend } from './helpers/backend.js';
import { createTopics, produce } from './helpers/kafka.js';
import { createDatabase, requireEnv, uniqueName, waitFor } from './helpers/services.js';

/**
 * Two replicas in one consumer group on one database: each writes the alerts of the districts whose
 * partition it holds, so one event per district fires one alert per district and one notification
 * each, never two.
 */

const ADMIN_PASSWORD = 'replicas-admin-password';
const DISTRICTS = 38;

interface Health {
  alerts: { owned: number; failures: number; evaluatedAt: string | null };
}

describe('two replicas share the districts', () => {
  let topics: TopicNames;
  let prefix: string;
  let database: { url: string; drop(): Promise<void> };
  const replicas: RunningBackend[] = [];
  let token = '';
  let server: Server;
  let hookUrl = '';
  const received: AlertNotification[] = [];

  const api = <T>(url: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<T> =>
    apiJson<T>(url, token, path, init);

  beforeAll(async () => {
    ({ prefix, topics } = await createTopics());
    database = await createDatabase();
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push(JSON.parse(body) as AlertNotification);
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const env = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: uniqueName('replicas-'),
      SIMULATOR: 'off',
      MODEL_RETRAIN_HOURS: '0',
      ADMIN_PASSWORD,
      ALERT_EVALUATION_SECONDS: '1',
      ALERT_GROUP_WAIT_SECONDS: '1',
    };
    replicas.push(await startBackend(env));
    const [first] = replicas;
    if (first === undefined) throw new Error('no replica');
    const login = await fetch(`${first.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    token = ((await login.json()) as { token: string }).token;
    await disableAllRules(first.url, token);
    await api(first.url, '/api/rules', { method: 'POST', body: suicideProbeRule('probe') });
    await api(first.url, '/api/subscriptions', { method: 'POST', body: { name: 'receiver', url: hookUrl } });
    replicas.push(await startBackend(env));
  }, 240_000);

  afterAll(async () => {
    for (const replica of replicas) await replica.stop('SIGTERM');
    await new Promise((resolve) => server.close(resolve));
    await database.drop();
  });

  it('splits the districts between the replicas, none twice and none left out', async () => {
    const owned = await waitFor(
      'both replicas to hold partitions',
      async () => {
        const counts = await Promise.all(
          replicas.map(async (r) => (await api<Health>(r.url, '/api/health')).alerts.owned),
        );
        return counts.every((n) => n > 0) && counts.reduce((a, b) => a + b, 0) === DISTRICTS
          ? counts
          : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 1000 },
    );
    expect(owned).toHaveLength(2);
  });

  it('fires one alert and sends one notification per district', async () => {
    const now = new Date().toISOString();
    const [first] = replicas;
    if (first === undefined) throw new Error('no replica');
    const { units } = await api<{ units: { code: string; kind: string }[] }>(first.url, '/api/districts');
    const districts = units.filter((unit) => unit.kind === 'district');
    expect(districts).toHaveLength(DISTRICTS);
    const events: IncidentEvent[] = districts.map((d, i) => ({
      eventId: `replicas-${i}`,
      schemaVersion: 1,
      kind: 'incident',
      category: 'suicide',
      district: d.code,
      severity: 'high',
      occurredAt: now,
      reportedAt: now,
      source: 'replicas-test',
    }));
    await produce(
      events.map((event) => ({
        topic: topicForKind(topics, event.kind),
        key: event.district,
        value: JSON.stringify(event),
      })),
    );
    const alerts = await waitFor(
      'an alert for every district',
      async () => {
        const list = (
          await api<{ alerts: AlertWithHistory[] }>(first.url, '/api/alerts?limit=500')
        ).alerts.filter((a) => a.labels.rule === 'probe');
        return list.length >= DISTRICTS && list.every((a) => a.state === 'firing') ? list : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    expect(new Set(alerts.map((a) => a.labels.district)).size).toBe(DISTRICTS);
    expect(alerts).toHaveLength(DISTRICTS);
    for (const alert of alerts) {
      expect(alert.history.filter((h) => h.action === 'alert.firing')).toHaveLength(1);
    }
    await waitFor('a notification per district', () => (received.length >= DISTRICTS ? true : undefined), {
      timeoutMs: 30_000,
    });
    // Three more evaluation rounds on both replicas (1 s apart): still one notification per district.
    const allReceived = Date.now();
    for (const replica of replicas) {
      await waitFor(
        'three more evaluation rounds',
        async () => {
          const { evaluatedAt } = (await api<Health>(replica.url, '/api/health')).alerts;
          return evaluatedAt !== null && Date.parse(evaluatedAt) > allReceived + 3_000 ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
    }
    const byDistrict = new Map<string, number>();
    for (const n of received) byDistrict.set(n.district, (byDistrict.get(n.district) ?? 0) + 1);
    expect(byDistrict.size).toBe(DISTRICTS);
    expect([...byDistrict.values()].every((n) => n === 1)).toBe(true);
    for (const replica of replicas) {
      expect((await api<Health>(replica.url, '/api/health')).alerts.failures).toBe(0);
    }
  });
});
