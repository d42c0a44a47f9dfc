import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { HourClock, computeDistrictFeatures, type DistrictFeatures } from '@district-monitor/models';
import { readRateTable } from '@district-monitor/data';
import {
  districtsOf,
  type ActiveModelResponse,
  type ModelVersionsResponse,
  type MonitorEvent,
  type Region,
  type TopicNames,
} from '@district-monitor/streams';
import { createSimulator } from '@district-monitor/streams/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type RunningBackend } from './helpers/backend.js';
import { region as tamilNadu, toMessages } from './helpers/events.js';
import { createTopics, produce } from './helpers/kafka.js';
import { rawRows, recount } from './helpers/recount.js';
import { createDatabase, REPO_ROOT, requireEnv, uniqueName, waitFor } from './helpers/services.js';
import { connectBoard, type BoardClient } from './helpers/socket.js';

/**
 * Two replicas in one consumer group on one PostgreSQL database: a model version activated on either
 * (by a training, or through the API) is served by the other within 5 s, one training runs at a time
 * across them, a board on one receives the scores of the districts the other owns (Redis adapter), and
 * after one stops the other takes its districts over with features equal to a recount.
 */
const DISTRICTS = ['TN-CHN', 'TN-MDU', 'TN-CBE', 'TN-TNV', 'TN-VLR', 'TN-KKI'];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 20 weeks of history: enough for a first training (MIN_TRAINING_DAYS is 105), and quicker than a year. */
const HISTORY_DAYS = 140;
const EVENTS_PER_DAY = 60;
const TRAINING_MS = 360_000;
/** What the issue asks: an activation is served by the other replica within this. */
const FOLLOW_MS = 5_000;

/** Six Tamil Nadu districts and Chennai's and Madurai's commissionerates (as in models.test.ts). */
const region: Region = {
  code: tamilNadu.code,
  name: `${tamilNadu.name} (replica test)`,
  timeZone: tamilNadu.timeZone,
  units: tamilNadu.units.filter(
    (unit) => DISTRICTS.includes(unit.code) || unit.code === 'TN-CHNC' || unit.code === 'TN-MDUC',
  ),
};

function history(now: number): MonitorEvent[] {
  const rates = readRateTable(`${REPO_ROOT}data/rates/tamil-nadu.json`, region);
  const simulator = createSimulator({
    region,
    ...(rates === undefined ? {} : { rates }),
    ratePerSecond: EVENTS_PER_DAY / 86_400,
    seed: 19,
    source: 'it-replicas-models',
  });
  const start = now - HISTORY_DAYS * DAY;
  const events: MonitorEvent[] = [];
  simulator.tick(start);
  for (let at = start + HOUR; at <= now - HOUR; at += HOUR) events.push(...simulator.tick(at));
  return events;
}

/** `count` events of the last minute, spread over every district. */
function freshEvents(count: number, seed: number): MonitorEvent[] {
  return createSimulator({ region, ratePerSecond: 1, seed, source: `it-replicas-fresh${seed}` })
    .burst(count, Date.now() - 1000)
    .map(({ unit: _unit, ...event }, i) => ({
      ...event,
      district: DISTRICTS[i % DISTRICTS.length] ?? 'TN-CHN',
    }));
}

interface Health {
  transport: { state: string };
  alerts: { owned: number };
  features: {
    staleDistricts: string[];
    ownership: { gateClosed: boolean; reloads: number; lastReload: { districts: number } | null };
  };
  models: { coordination: { kind: string; listening: boolean; reconnects: number; notifications: number } };
}

/** Polls a replica's active version every 100 ms and records when it first served each version. */
function watchActive(backend: RunningBackend): { firstSeen: Map<string, number>; stop(): Promise<void> } {
  const firstSeen = new Map<string, number>();
  const stopped = new AbortController();
  const loop = (async () => {
    while (!stopped.signal.aborted) {
      const response = await backend.fetch('/api/models/active');
      if (response.status === 200) {
        const { id } = (await response.json()) as ActiveModelResponse;
        if (!firstSeen.has(id)) firstSeen.set(id, Date.now());
      } else {
        await response.body?.cancel();
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    firstSeen,
    stop: async () => {
      stopped.abort();
      await loop;
    },
  };
}

describe('models and features across replicas (PostgreSQL LISTEN/NOTIFY, advisory lock, reload on assignment)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'replicas-models-it-'));
  let topics: TopicNames;
  let database: { url: string; drop(): Promise<void> };
  let db: pg.Client;
  let a: RunningBackend;
  let b: RunningBackend;
  let bStopped = false;
  let storedEvents = 0;
  let board: BoardClient;
  /** When A's board got each district's latest score. */
  const scoredOnA = new Map<string, number>();

  const health = async (backend: RunningBackend): Promise<Health> =>
    (await (await backend.fetch('/api/health')).json()) as Health;
  const stored = async (): Promise<number> => {
    const { rows } = await db.query<{ n: string }>(
      'SELECT (SELECT count(*) FROM incidents) + (SELECT count(*) FROM accidents) AS n',
    );
    return Number(rows[0]?.n ?? 0);
  };
  const versions = async (backend: RunningBackend): Promise<ModelVersionsResponse> =>
    (await (await backend.fetch('/api/models')).json()) as ModelVersionsResponse;
  const trained = (backend: RunningBackend, id: string): Promise<ModelVersionsResponse> =>
    waitFor(
      `model ${id} to finish training`,
      async () => {
        const listing = await versions(backend);
        const version = listing.versions.find((candidate) => candidate.id === id);
        return version !== undefined && version.status !== 'training' ? listing : undefined;
      },
      { timeoutMs: TRAINING_MS, intervalMs: 500 },
    );
  const activatedAt = async (backend: RunningBackend, id: string): Promise<number> => {
    const active = (await (await backend.fetch('/api/models/active')).json()) as ActiveModelResponse;
    expect(active.id).toBe(id);
    return Date.parse(active.activatedAt);
  };
  const servedWithin = async (
    watcher: ReturnType<typeof watchActive>,
    id: string,
    since: number,
    name: string,
  ): Promise<number> => {
    const seen = await waitFor(`replica ${name} to serve ${id}`, () => watcher.firstSeen.get(id), {
      timeoutMs: FOLLOW_MS + 10_000,
      intervalMs: 50,
    });
    const lag = seen - since;
    console.log(`replicas-models it: ${id} activated, served by replica ${name} after ${lag} ms`);
    expect(lag).toBeLessThanOrEqual(FOLLOW_MS);
    return lag;
  };

  beforeAll(async () => {
    const created = await createTopics();
    topics = created.topics;
    database = await createDatabase();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    const regionFile = join(folder, 'region.json');
    writeFileSync(regionFile, JSON.stringify(region));
    const env = {
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      KAFKA_TOPIC_PREFIX: created.prefix,
      KAFKA_GROUP_ID: uniqueName('replicas-models-'),
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      DATABASE_URL: database.url,
      REGION_FILE: regionFile,
      SIMULATOR: 'off',
      MODEL_RETRAIN_HOURS: '0',
      REDIS_URL: requireEnv('REDIS_URL'),
    };
    // One after the other: the first start creates the admin user and the session secret both share.
    a = await startBackend(env);
    b = await startBackend(env);
    board = await connectBoard(a.url, await a.login());
    board.socket.on('scores', (update) => {
      for (const score of update.districts) scoredOnA.set(score.district, Date.now());
    });
  });

  afterAll(async () => {
    board.close();
    await Promise.all([a.stop('SIGTERM'), bStopped ? Promise.resolve(null) : b.stop('SIGTERM')]);
    await db.end();
    await database.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it(
    'serves a version activated on the other replica within 5 s (trained there, or activated through its API), one training at a time',
    async () => {
      await waitFor(
        'both replicas to hold a share of the districts',
        async () => {
          const [ha, hb] = await Promise.all([health(a), health(b)]);
          const split =
            ha.transport.state === 'running' &&
            hb.transport.state === 'running' &&
            ha.alerts.owned > 0 &&
            hb.alerts.owned > 0 &&
            ha.alerts.owned + hb.alerts.owned === DISTRICTS.length;
          return split ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      for (const backend of [a, b]) {
        expect((await health(backend)).models.coordination).toMatchObject({
          kind: 'postgres',
          listening: true,
        });
      }
      const events = history(Date.now());
      await produce(toMessages(events, topics));
      storedEvents = events.length;
      await waitFor(
        `${events.length} events stored`,
        async () => ((await stored()) === events.length ? true : undefined),
        {
          timeoutMs: 120_000,
          intervalMs: 500,
        },
      );

      const onB = watchActive(b);
      const onA = watchActive(a);
      try {
        // v1 trains on A; B is refused while A holds the training lock.
        const v1 = await a.fetch('/api/models/retrain', { method: 'POST' });
        expect(v1.status).toBe(202);
        expect(await v1.json()).toMatchObject({ id: 'v1', status: 'training' });
        const refused = await b.fetch('/api/models/retrain', { method: 'POST' });
        expect(refused.status).toBe(409);
        expect(await refused.json()).toMatchObject({ runningVersion: 'v1' });
        expect(b.output()).toContain('another replica holds the training lock (v1 is training)');
        const listing = await trained(a, 'v1');
        expect(listing.versions.find((version) => version.id === 'v1')).toMatchObject({
          status: 'ready',
          active: true,
        });
        await servedWithin(onB, 'v1', await activatedAt(a, 'v1'), 'B');
        // Heard through the notification, not by the periodic re-check (whose phase may also fall within 5 s).
        expect((await health(b)).models.coordination.notifications).toBeGreaterThanOrEqual(1);

        // v2 trains on B (the lock is free again); A is refused meanwhile and follows when it is done.
        const v2 = await b.fetch('/api/models/retrain', { method: 'POST' });
        expect(v2.status).toBe(202);
        expect(await v2.json()).toMatchObject({ id: 'v2' });
        const refusedOnA = await a.fetch('/api/models/retrain', { method: 'POST' });
        expect(refusedOnA.status).toBe(409);
        expect(await refusedOnA.json()).toMatchObject({ runningVersion: 'v2' });
        expect((await trained(b, 'v2')).active).toBe('v2');
        await servedWithin(onA, 'v2', await activatedAt(b, 'v2'), 'A');
        expect((await health(a)).models.coordination.notifications).toBeGreaterThanOrEqual(1);

        // The listeners' connections are cut: they reconnect (and re-check), so a rollback through A's
        // API still reaches B within 5 s, well before the 15 s periodic re-check.
        const { rows: cut } = await db.query<{ pid: number }>(
          `SELECT pg_terminate_backend(pid) AS pid FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'district-monitor-listen'`,
        );
        expect(cut).toHaveLength(2);
        onB.firstSeen.delete('v1');
        expect((await a.fetch('/api/models/v99/activate', { method: 'POST' })).status).toBe(404);
        expect((await a.fetch('/api/models/latest/activate', { method: 'POST' })).status).toBe(400);
        const rollback = await a.fetch('/api/models/v1/activate', { method: 'POST' });
        expect(rollback.status).toBe(200);
        const back = (await rollback.json()) as ActiveModelResponse;
        expect(back.id).toBe('v1');
        await servedWithin(onB, 'v1', Date.parse(back.activatedAt), 'B');
        await waitFor('both listeners to be connected again', async () => {
          const [ha, hb] = await Promise.all([health(a), health(b)]);
          const again = [ha, hb].every(
            (h) => h.models.coordination.listening && h.models.coordination.reconnects >= 1,
          );
          return again ? true : undefined;
        });
        expect(b.output()).toContain('the model activation listener is connected again');
      } finally {
        await Promise.all([onA.stop(), onB.stop()]);
      }
    },
    2 * TRAINING_MS + 180_000,
  );

  it('a board connected to A receives the scores of the districts B owns, through Redis', async () => {
    const [ha, hb] = await Promise.all([health(a), health(b)]);
    expect(hb.alerts.owned).toBeGreaterThan(0);
    expect(ha.alerts.owned + hb.alerts.owned).toBe(DISTRICTS.length);
    // Fresh reports in every district: each replica rescores the districts it consumed with v1. A replica
    // scores the districts it does not own only at a swap (before this test) or when an hour begins, so
    // what A's board gets of B's districts now is B's scores, relayed by Redis.
    const since = Date.now();
    const fresh = freshEvents(60, 29);
    await produce(toMessages(fresh, topics));
    storedEvents += fresh.length;
    await waitFor(
      `scores of all ${DISTRICTS.length} districts on A's board after the fresh reports`,
      () => (DISTRICTS.every((code) => (scoredOnA.get(code) ?? 0) >= since) ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  });

  it("after B stops, A takes B's districts over with features equal to a recount of the database", async () => {
    const before = await health(a);
    const ownedByB = DISTRICTS.length - before.alerts.owned;
    expect(ownedByB).toBeGreaterThan(0);
    expect(await b.stop('SIGTERM')).toBe(0);
    bStopped = true;
    await waitFor(
      'A to hold every district and to have reloaded their features',
      async () => {
        const h = await health(a);
        const done =
          h.alerts.owned === DISTRICTS.length &&
          !h.features.ownership.gateClosed &&
          h.features.ownership.reloads > before.features.ownership.reloads &&
          h.features.ownership.lastReload?.districts === DISTRICTS.length;
        return done ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    console.log(
      `replicas-models it: A ${[...a.output().matchAll(/features of \d+ districts reloaded for [^\n]*? ms/g)].at(-1)?.[0] ?? '(no reload line)'}`,
    );
    // New events of every district, now all consumed by A on top of the reloaded cubes.
    const fresh = freshEvents(120, 23);
    await produce(toMessages(fresh, topics));
    await waitFor(`${storedEvents + fresh.length} events stored`, async () =>
      (await stored()) === storedEvents + fresh.length ? true : undefined,
    );

    const clock = new HourClock(region.timeZone);
    const units = districtsOf(region);
    const regionPopulation = units.every((unit) => unit.population !== undefined)
      ? units.reduce((sum, unit) => sum + (unit.population ?? 0), 0)
      : null;
    const mismatches = async (): Promise<string[]> => {
      const rows = await rawRows(db);
      const wrong: string[] = [];
      for (const unit of units) {
        const response = await a.fetch(`/api/districts/${unit.code}/features`);
        const { vector, ...named } = (await response.json()) as Omit<DistrictFeatures, 'vector'> & {
          vector: { values: number[] };
        };
        const expected = computeDistrictFeatures({
          counts: recount(rows, unit.code, clock),
          clock,
          asOf: Date.parse(named.asOf),
          unit,
          regionPopulation,
        });
        const { vector: expectedVector, ...expectedNamed } = expected;
        if (
          JSON.stringify(named) !== JSON.stringify(expectedNamed) ||
          JSON.stringify(vector.values) !== JSON.stringify(expectedVector)
        ) {
          wrong.push(unit.code);
        }
      }
      return wrong;
    };
    // A applies a batch's changes right after its commit: wait for that, then compare every district.
    let last: string[] = [];
    await waitFor(
      "A's features of every district to equal a recount",
      async () => {
        last = await mismatches();
        return last.length === 0 ? true : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    ).catch((error: unknown) => {
      throw new Error(`features differ from a recount for ${last.join(', ')}`, { cause: error });
    });
    expect((await health(a)).features.staleDistricts).toEqual([]);
  });
});
