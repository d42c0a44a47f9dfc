import { createHash } from 'node:crypto';
import { Partitioners, type Producer } from 'kafkajs';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEAD_LETTER_HEADERS, type MonitorEvent } from '@district-monitor/streams';
import { startBackend, type RunningBackend } from './helpers/backend.js';
import { counts, health, paddedTo, restartTimings } from './helpers/faults.js';
import { INVALID_KINDS, invalidMessages, toMessages, validEvents } from './helpers/events.js';
import { createTopics, kafka, produce, readTopic, type OutboundMessage } from './helpers/kafka.js';
import { startDedicatedBroker, type DedicatedBroker } from './helpers/kafka-broker.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from './helpers/postgres-cluster.js';
import { createDatabase, requireEnv, uniqueName, waitFor } from './helpers/services.js';

/**
 * The project's fault suite (`npm run chaos`, and part of `npm test`): hostile input on Kafka (oversized
 * pairs, a dead-letter topic that refuses), PostgreSQL restarted during a stream, SIGKILL mid-batch.
 * Every scenario ends with the same checks a producer relies on: each valid event stored exactly once,
 * each bad one dead-lettered (or recorded) with its reason, and the process still up.
 */

const kafkaEnv = (prefix: string, databaseUrl: string) => ({
  KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
  KAFKA_TOPIC_PREFIX: prefix,
  KAFKA_GROUP_ID: uniqueName('chaos-'),
  DATABASE_URL: databaseUrl,
  SIMULATOR: 'off',
});

describe('chaos: ingest faults', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function backendOn(
    env: Record<string, string>,
    options?: Parameters<typeof startBackend>[1],
  ): Promise<RunningBackend> {
    const backend = await startBackend(env, options);
    cleanups.push(() => backend.stop('SIGTERM'));
    return backend;
  }

  async function sharedDatabase(): Promise<string> {
    const database = await createDatabase();
    cleanups.push(() => database.drop());
    return database.url;
  }

  it('a 1,048,400-byte message and two 600 KB messages in one batch are dead-lettered with their reason, and ingest goes on', async () => {
    const { prefix, topics } = await createTopics();
    const valid = validEvents(2_000, 4_401);
    // The big one on the accident topic, the pair on the incident topic under one key: one partition,
    // 1.2 MB together, fetched in one batch (the consumer fetches up to 2 MiB per partition).
    const spare = validEvents(50, 4_402);
    const bigEvent = spare.find((event) => event.kind === 'accident') as MonitorEvent;
    const [pairA, pairB] = spare.filter((event) => event.kind === 'incident') as [MonitorEvent, MonitorEvent];
    const big: OutboundMessage = {
      topic: topics.accident,
      key: bigEvent.district,
      value: paddedTo(bigEvent, 1_048_400),
    };
    const pair: OutboundMessage[] = [pairA, pairB].map((event) => ({
      topic: topics.incident,
      key: 'TN-MDU',
      value: paddedTo({ ...event, district: 'TN-MDU' }, 600_000),
    }));
    const bad = invalidMessages(10, 4_403, topics);
    const validMessages = toMessages(valid, topics);
    // Valid events before and after the poison: those after it must be stored too.
    await produce(validMessages.slice(0, 1_000));
    for (const message of [big, ...pair]) await produce([message]); // one request each: the source topic takes them
    await produce([...bad, ...validMessages.slice(1_000)]);

    const databaseUrl = await sharedDatabase();
    const backend = await backendOn(kafkaEnv(prefix, databaseUrl), { until: 'listening' });
    await waitFor(
      'all 2,000 valid events stored',
      async () => ((await counts(databaseUrl)).stored >= 2_000 ? true : undefined),
      { timeoutMs: 120_000 },
    );
    const deadIncidents = bad.filter((m) => m.topic === topics.incident).length + 2;
    const deadAccidents = bad.filter((m) => m.topic === topics.accident).length + 1;
    const [incidentLetters, accidentLetters] = await Promise.all([
      readTopic(topics.incidentDeadLetter, deadIncidents),
      readTopic(topics.accidentDeadLetter, deadAccidents),
    ]);
    expect(incidentLetters).toHaveLength(deadIncidents);
    expect(accidentLetters).toHaveLength(deadAccidents);

    // The pair: full copies, each with its reason.
    const copies = incidentLetters.filter((letter) => letter.value?.length === 600_000);
    expect(copies.map((letter) => letter.value)).toEqual(pair.map((message) => message.value));
    for (const copy of copies) {
      expect(copy.headers[DEAD_LETTER_HEADERS.reason]).toBe('event is 600000 bytes; the limit is 16384');
    }
    // The big one: a reference (position, size, sha256, first bytes) with the reason `oversized`.
    const reference = accidentLetters.find(
      (letter) => letter.headers[DEAD_LETTER_HEADERS.valueForm] === 'reference',
    );
    expect(reference?.headers[DEAD_LETTER_HEADERS.reason]).toMatch(
      /^oversized: the 1048400-byte message cannot be copied .*Reason: event is 1048400 bytes; the limit is 16384$/,
    );
    const pointer = JSON.parse(reference?.value ?? '{}') as Record<string, unknown>;
    expect(pointer).toMatchObject({
      reference: true,
      sourceTopic: topics.accident,
      bytes: 1_048_400,
      sha256: createHash('sha256').update(String(big.value)).digest('hex'),
    });
    expect(reference?.headers[DEAD_LETTER_HEADERS.sourceOffset]).toBe(String(pointer.sourceOffset));
    // Every malformed kind with its own reason.
    const reasons = [...incidentLetters, ...accidentLetters].map(
      (l) => l.headers[DEAD_LETTER_HEADERS.reason] ?? '',
    );
    for (const [kind, pattern] of Object.entries(INVALID_KINDS)) {
      // The pair's reason is the size limit's too.
      expect(reasons.filter((reason) => pattern.test(reason))).toHaveLength(kind === 'oversized' ? 12 : 10);
    }

    const rows = await counts(databaseUrl);
    expect(rows).toEqual({ stored: 2_000, ledger: 2_000, distinct: 2_000 });
    expect(backend.child.exitCode).toBeNull();
    await waitFor('health ok with lag 0', async () => {
      const { body } = await health(backend);
      return body.status === 'ok' && body.transport.lag === 0 ? true : undefined;
    });
  });

  it('a dead letter the topic refuses even as a reference is recorded in the database with its reason, and ingest goes on', async () => {
    // A dead-letter topic with a 1,500-byte record limit: a 20 KB copy and its ~2 KB reference are refused.
    const { prefix, topics } = await createTopics({ 'max.message.bytes': '1500' });
    const valid = validEvents(1_000, 4_501);
    const bad = invalidMessages(4, 4_502, topics);
    await produce([
      ...toMessages(valid.slice(0, 500), topics),
      ...bad,
      ...toMessages(valid.slice(500), topics),
    ]);

    const databaseUrl = await sharedDatabase();
    const backend = await backendOn(kafkaEnv(prefix, databaseUrl));
    const oversized = bad.filter((message) => message.kind === 'oversized');
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    cleanups.push(() => client.end());
    const recorded = await waitFor('the refused dead letters recorded in the database', async () => {
      const { rows } = await client.query<{ source: string; reason: string; payload: string }>(
        'SELECT source, reason, payload FROM dead_letters ORDER BY id',
      );
      return rows.length >= oversized.length ? rows : undefined;
    });
    expect(recorded).toHaveLength(oversized.length);
    for (const row of recorded) {
      expect(row.source).toMatch(new RegExp(`^${prefix}(incidents|accidents)/\\d+/\\d+$`));
      expect(row.reason).toMatch(
        /^oversized: dead-letter topic \S+ refused its copy and its reference \(.*\)\. Reason: event is \d+ bytes; the limit is 16384$/,
      );
    }
    expect(new Set(recorded.map((row) => row.payload))).toEqual(new Set(oversized.map((m) => m.value)));
    // The small ones fit the topic, one request at a time.
    const onTopics = (topic: string) => bad.filter((m) => m.topic === topic && m.kind !== 'oversized').length;
    const letters = [
      ...(await readTopic(topics.incidentDeadLetter, onTopics(topics.incident))),
      ...(await readTopic(topics.accidentDeadLetter, onTopics(topics.accident))),
    ];
    expect(letters).toHaveLength(bad.length - oversized.length);
    await waitFor('all 1,000 valid events stored', async () =>
      (await counts(databaseUrl)).stored >= 1_000 ? true : undefined,
    );
    expect(await counts(databaseUrl)).toEqual({ stored: 1_000, ledger: 1_000, distinct: 1_000 });
    expect(backend.child.exitCode).toBeNull();
  });

  it('PostgreSQL restarted 3 times during a 20,000-event stream: the process stays up, health goes degraded and back to ok by itself, every event stored once', async () => {
    const TOTAL = 20_000;
    const postgres: ThrowawayPostgres = await startThrowawayPostgres();
    cleanups.push(() => postgres.destroy());
    const { prefix, topics } = await createTopics();
    const events = validEvents(TOTAL, 4_601);
    const messages = toMessages(events, topics);
    const backend = await backendOn(kafkaEnv(prefix, postgres.url));
    const pid = backend.child.pid;
    // Logs in while the database answers; with it down the signed session still reads health's reasons.
    expect((await health(backend)).body.status).toBe('ok');

    // The stream: 500 events at a time while the server restarts underneath.
    let produced = 0;
    const stream = (async () => {
      for (; produced < TOTAL; produced += 500) {
        await produce(messages.slice(produced, produced + 500));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    const restarts: { atStored: number; degradedAfterMs: number; okAfterMs: number; reason: string }[] = [];
    for (const threshold of [3_000, 8_000, 13_000]) {
      const atStored = await waitFor(
        `${threshold} events stored`,
        async () => {
          const { stored } = await counts(postgres.url);
          return stored >= threshold ? stored : undefined;
        },
        { intervalMs: 20, timeoutMs: 120_000 },
      );
      const stoppedAt = performance.now();
      await postgres.stop(); // fast shutdown: every open connection, the one in a transaction too, is terminated
      const degraded = await waitFor(
        'health degraded while PostgreSQL is down',
        async () => {
          const { code, body } = await health(backend);
          return body.status === 'degraded' ? { code, body } : undefined;
        },
        { intervalMs: 50 },
      );
      const degradedAfterMs = performance.now() - stoppedAt;
      expect(degraded.code).toBe(503);
      const reason = degraded.body.reasons.find((r) => r.startsWith('database unreachable')) ?? '';
      expect(reason).toMatch(/^database unreachable: /);
      // Down long enough for the batch in hand to fail and be retried.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(backend.child.exitCode).toBeNull();
      await postgres.start();
      await waitFor(
        'health ok again after PostgreSQL is back',
        async () => {
          const { body } = await health(backend);
          return body.status === 'ok' ? true : undefined;
        },
        { intervalMs: 50 },
      );
      restarts.push({ atStored, degradedAfterMs, okAfterMs: performance.now() - stoppedAt, reason });
    }
    await stream;

    await waitFor(
      `all ${TOTAL} events stored`,
      async () => ((await counts(postgres.url)).stored >= TOTAL ? true : undefined),
      { timeoutMs: 180_000 },
    );
    await waitFor('consumer lag 0', async () => {
      const { body } = await health(backend);
      return body.status === 'ok' && body.transport.lag === 0 ? true : undefined;
    });
    expect(await counts(postgres.url)).toEqual({ stored: TOTAL, ledger: TOTAL, distinct: TOTAL });
    expect(backend.child.exitCode).toBeNull();
    expect(backend.child.pid).toBe(pid);
    const lost = backend.output().match(/connection lost during a transaction/g)?.length ?? 0;
    console.info(
      `chaos postgres: ${JSON.stringify(restarts.map((r) => ({ ...r, degradedAfterMs: Math.round(r.degradedAfterMs), okAfterMs: Math.round(r.okAfterMs) })))}; ` +
        `transactions cut by a restart: ${lost}`,
    );
  });

  it("broker restart (a broker of the test's own): health says the brokers are unreachable, then ok by itself, and events produced after it are stored once", async () => {
    const broker: DedicatedBroker = await startDedicatedBroker();
    cleanups.push(() => broker.destroy());
    const { prefix, topics } = await createTopics({}, broker.brokers);
    const events = validEvents(2_000, 4_801);
    const messages = toMessages(events, topics);
    const producer = (): Producer =>
      kafka(broker.brokers).producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        idempotent: true,
        maxInFlightRequests: 1,
      });
    const before = producer();
    await before.connect();
    await produce(messages.slice(0, 1_000), before);
    await before.disconnect();

    const databaseUrl = await sharedDatabase();
    const backend = await backendOn({ ...kafkaEnv(prefix, databaseUrl), KAFKA_BROKERS: broker.brokers });
    await waitFor('the first 1,000 events stored', async () =>
      (await counts(databaseUrl)).stored >= 1_000 ? true : undefined,
    );
    const stoppedAt = performance.now();
    await broker.stop();
    const degraded = await waitFor(
      'health degraded while the broker is down',
      async () => {
        const { body } = await health(backend);
        return body.status === 'degraded' ? body : undefined;
      },
      { intervalMs: 100 },
    );
    const degradedAfterMs = performance.now() - stoppedAt;
    expect(degraded.reasons.join('\n')).toMatch(/Kafka brokers unreachable/);
    expect(backend.child.exitCode).toBeNull();
    await broker.start();
    const after = producer();
    await after.connect();
    await produce(messages.slice(1_000), after);
    await after.disconnect();
    await waitFor(
      'health ok again after the broker is back',
      async () => ((await health(backend)).body.status === 'ok' ? true : undefined),
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    const okAfterMs = performance.now() - stoppedAt;
    await waitFor(
      'all 2,000 events stored',
      async () => ((await counts(databaseUrl)).stored >= 2_000 ? true : undefined),
      { timeoutMs: 120_000 },
    );
    await waitFor('consumer lag 0', async () =>
      (await health(backend)).body.transport.lag === 0 ? true : undefined,
    );
    expect(await counts(databaseUrl)).toEqual({ stored: 2_000, ledger: 2_000, distinct: 2_000 });
    console.info(
      `chaos broker restart: degraded ${Math.round(degradedAfterMs)} ms after the stop, ok ${Math.round(okAfterMs)} ms after it`,
    );
  });

  it('SIGKILL mid-batch: the restarted backend answers health within 5 s and consumes again within 15 s, every event stored once', async () => {
    const TOTAL = 20_000;
    const { prefix, topics } = await createTopics();
    const events = validEvents(TOTAL, 4_701);
    await produce(toMessages(events, topics));
    const databaseUrl = await sharedDatabase();
    const env = kafkaEnv(prefix, databaseUrl);
    let backend = await backendOn(env);
    await waitFor(
      'some events stored',
      async () => ((await counts(databaseUrl)).stored >= 2_000 ? true : undefined),
      {
        intervalMs: 20,
      },
    );
    expect(await backend.stop('SIGKILL')).toBeNull();
    const atKill = (await counts(databaseUrl)).stored;
    expect(atKill).toBeLessThan(TOTAL);

    const timing = await restartTimings(env, databaseUrl, atKill);
    backend = timing.backend;
    cleanups.push(() => backend.stop('SIGTERM'));
    console.info(`chaos SIGKILL: killed at ${atKill} of ${TOTAL}; ${JSON.stringify(timing.ms)}`);
    expect(timing.ms.live).toBeLessThan(5_000);
    expect(timing.ms.health).toBeLessThan(5_000);
    expect(timing.ms.consuming).toBeLessThan(15_000);

    await waitFor(
      `all ${TOTAL} events`,
      async () => ((await counts(databaseUrl)).stored >= TOTAL ? true : undefined),
      {
        timeoutMs: 120_000,
      },
    );
    await waitFor('consumer lag 0', async () =>
      (await health(backend)).body.transport.lag === 0 ? true : undefined,
    );
    expect(await counts(databaseUrl)).toEqual({ stored: TOTAL, ledger: TOTAL, distinct: TOTAL });
    const ids = new Set(events.map((event) => event.eventId));
    expect(ids.size).toBe(TOTAL);
  });
});
