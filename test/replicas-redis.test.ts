import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertRoomAnswer, IncidentEvent, TopicNames } from '@district-monitor/streams';
import { apiJson, disableAllRules, suicideProbeRule } from './helpers/api.js';
import { startBackend, type RunningBackend } from './helpers/backend.js';
import { toMessages, validEvents } from './helpers/events.js';
import { createTopics, produce } from './helpers/kafka.js';
import { parsePrometheusText, sumOf } from './helpers/prometheus.js';
import { createDatabase, requireEnv, uniqueName, waitFor } from './helpers/services.js';
import { connectBoard, type BoardClient } from './helpers/socket.js';

const EVENTS = 400;
const TOKEN = 'it-metrics-token-replicas-01';

interface Health {
  transport: { state: string };
  alerts: { owned: number };
}

/** Two replicas in one consumer group, one Redis: a board on either sees what both consume and fire. */
describe('Socket.IO across replicas (Redis adapter)', () => {
  let topics: TopicNames;
  let database: { url: string; drop(): Promise<void> };
  let a: RunningBackend;
  let b: RunningBackend;
  let board: BoardClient;
  const featureDistricts = new Set<string>();
  const events = validEvents(EVENTS, 707);
  // The district with the most events: a viewer scoped to it watches it on each replica.
  const counts = new Map<string, number>();
  for (const event of events) counts.set(event.district, (counts.get(event.district) ?? 0) + 1);
  const [scopedDistrict = '', scopedCount = 0] = [...counts].sort((x, y) => y[1] - x[1])[0] ?? [];
  const scoped: { board: BoardClient; featureDistricts: Set<string> }[] = [];

  const stored = async (backend: RunningBackend): Promise<number> => {
    const response = await fetch(`${backend.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return sumOf(parsePrometheusText(await response.text()), 'district_monitor_ingest_events_total', {
      outcome: 'stored',
    });
  };
  // The details of health are for a session (anonymous callers get the status alone).
  const health = async (backend: RunningBackend): Promise<Health> =>
    (await (await backend.fetch('/api/health')).json()) as Health;

  beforeAll(async () => {
    const created = await createTopics();
    topics = created.topics;
    database = await createDatabase();
    const env = {
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      KAFKA_TOPIC_PREFIX: created.prefix,
      KAFKA_GROUP_ID: uniqueName('replicas-'),
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      DATABASE_URL: database.url,
      REDIS_URL: requireEnv('REDIS_URL'),
      SIMULATOR: 'off',
      MODEL_RETRAIN_HOURS: '0',
      METRICS_TOKEN: TOKEN,
      ALERT_EVALUATION_SECONDS: '1',
    };
    // One after the other: the first start creates the admin user and the session secret both share.
    a = await startBackend(env);
    b = await startBackend(env);
    board = await connectBoard(a.url, await a.login());
    board.socket.on('features', (update) => {
      for (const item of update.districts) featureDistricts.add(item.district);
    });
    const user = await a.fetch('/api/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: 'it-replica-viewer',
        password: 'it-replica-viewer-password',
        role: 'viewer',
        districts: [scopedDistrict],
      }),
    });
    expect(user.status).toBe(201);
    for (const backend of [a, b]) {
      const viewer = await connectBoard(
        backend.url,
        await backend.login('it-replica-viewer', 'it-replica-viewer-password'),
      );
      const seen = new Set<string>();
      viewer.socket.on('features', (update) => {
        for (const item of update.districts) seen.add(item.district);
      });
      scoped.push({ board: viewer, featureDistricts: seen });
    }
  });

  afterAll(async () => {
    board.close();
    for (const viewer of scoped) viewer.board.close();
    await Promise.all([a.stop('SIGTERM'), b.stop('SIGTERM')]);
    await database.drop();
  });

  it('a board connected to replica A receives the batches and features of the districts replica B consumes', async () => {
    await waitFor(
      'both replicas to hold a share of the partitions',
      async () => {
        const [ha, hb] = await Promise.all([health(a), health(b)]);
        const split =
          ha.transport.state === 'running' &&
          hb.transport.state === 'running' &&
          ha.alerts.owned > 0 &&
          hb.alerts.owned > 0 &&
          ha.alerts.owned + hb.alerts.owned === 38;
        return split ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await produce(toMessages(events, topics));

    await waitFor(
      `the board on A to count ${EVENTS} stored (${JSON.stringify(board.totals)})`,
      () => (board.totals.stored === EVENTS ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    // Both replicas consumed a share: what A's board saw of B's share came through Redis.
    const [byA, byB] = await Promise.all([stored(a), stored(b)]);
    expect(byA + byB).toBe(EVENTS);
    expect(byB).toBeGreaterThan(0);
    expect(byA).toBeGreaterThan(0);

    const districts = new Set(events.map((event) => event.district));
    await waitFor(
      `features of all ${districts.size} districts on A's board (${featureDistricts.size} seen)`,
      () => ([...districts].every((code) => featureDistricts.has(code)) ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  });

  it('a viewer scoped to one district gets exactly its batches and features on either replica', async () => {
    // One of the two replicas consumed the district, so one of these two sockets got it through Redis.
    for (const [index, viewer] of scoped.entries()) {
      await waitFor(
        `the viewer on replica ${index === 0 ? 'A' : 'B'} to count the ${scopedCount} events of ${scopedDistrict} (${JSON.stringify(viewer.board.totals)})`,
        () => (viewer.board.totals.stored === scopedCount ? true : undefined),
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      await waitFor(`features of ${scopedDistrict} on the scoped socket`, () =>
        viewer.featureDistricts.has(scopedDistrict) ? true : undefined,
      );
      expect([...viewer.featureDistricts]).toEqual([scopedDistrict]);
    }
  });

  it('a board connected to replica A receives the firing alerts of the districts replica B owns', async () => {
    const token = await a.login();
    await disableAllRules(a.url, token);
    await apiJson(a.url, token, '/api/rules', {
      method: 'POST',
      body: suicideProbeRule('it-replicas-probe'),
    });
    const firing = new Set<string>();
    board.socket.on('alerts', (update) => {
      for (const alert of update.alerts) {
        if (alert.state === 'firing' && alert.labels.rule === 'it-replicas-probe')
          firing.add(alert.labels.district);
      }
    });
    const joined = await new Promise<AlertRoomAnswer>((resolve) =>
      board.socket.emit('alerts:subscribe', {}, resolve),
    );
    expect(joined.ok).toBe(true);

    // One report in every district: each replica fires the alerts of the districts it owns.
    const { units } = await apiJson<{ units: { code: string; kind: string }[] }>(
      a.url,
      token,
      '/api/districts',
    );
    const districts = units.filter((unit) => unit.kind === 'district').map((unit) => unit.code);
    const now = new Date().toISOString();
    const reports: IncidentEvent[] = districts.map((district, i) => ({
      eventId: `it-replicas-probe-${i}`,
      schemaVersion: 1,
      kind: 'incident',
      category: 'suicide',
      district,
      severity: 'high',
      occurredAt: now,
      reportedAt: now,
      source: 'it-replicas-redis',
    }));
    await produce(toMessages(reports, topics));
    await waitFor(
      `firing alerts of all ${districts.length} districts on A's board (${firing.size} seen)`,
      () => (districts.every((code) => firing.has(code)) ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    // B still holds a share: the alerts of its districts were written by B and reached A through Redis.
    const [ha, hb] = await Promise.all([health(a), health(b)]);
    expect(hb.alerts.owned).toBeGreaterThan(0);
    expect(ha.alerts.owned + hb.alerts.owned).toBe(districts.length);
  });
});
