import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type RunningBackend } from './helpers/backend.js';
import { toMessages, validEvents } from './helpers/events.js';
import { restartTimings } from './helpers/faults.js';
import { createTopics, produce } from './helpers/kafka.js';
import { createDatabase, requireEnv, uniqueName, waitFor } from './helpers/services.js';

const TOTAL = 40_000;

describe('crash safety', () => {
  let database: { url: string; drop(): Promise<void> };
  let client: pg.Client;
  let backend: RunningBackend | undefined;

  beforeAll(async () => {
    database = await createDatabase();
  });
  afterAll(async () => {
    await client.end();
    await backend?.stop('SIGTERM');
    await database.drop();
  });

  it('a backend killed with SIGKILL mid-stream and restarted answers health within 5 s, consumes within 15 s and stores every event exactly once', async () => {
    const { prefix, topics } = await createTopics();
    const events = validEvents(TOTAL, 303);
    await produce(toMessages(events, topics));
    const env = {
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: uniqueName('crash-'),
      DATABASE_URL: database.url,
      SIMULATOR: 'off',
    };

    backend = await startBackend(env);
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const count = async (sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0]?.n);
    const stored = () =>
      count('SELECT (SELECT count(*) FROM incidents) + (SELECT count(*) FROM accidents) AS n');

    await waitFor('some events to be stored', async () => ((await stored()) >= 2_000 ? true : undefined), {
      intervalMs: 20,
    });
    expect(await backend.stop('SIGKILL')).toBeNull();
    const atKill = await stored();
    expect(atKill).toBeLessThan(TOTAL); // killed while consuming, not after

    // HTTP opens before the application has loaded, and the group moves on after the dead member's
    // short session (KAFKA_SESSION_TIMEOUT_MS, 10 s by default).
    const timing = await restartTimings(env, database.url, atKill);
    backend = timing.backend;
    expect(timing.ms.live).toBeLessThan(5_000);
    expect(timing.ms.health).toBeLessThan(5_000);
    expect(timing.ms.consuming).toBeLessThan(15_000);
    await waitFor(
      `all ${TOTAL} events after the restart`,
      async () => ((await stored()) >= TOTAL ? true : undefined),
      {
        timeoutMs: 120_000,
      },
    );
    // Let the consumer finish whatever re-delivered batches are in hand, then check nothing doubled.
    await waitFor('consumer lag 0', async () => {
      const health = (await (await (backend as RunningBackend).fetch('/api/health')).json()) as {
        transport: { lag: number | null };
      };
      return health.transport.lag === 0 ? true : undefined;
    });
    expect(await stored()).toBe(TOTAL);
    expect(await count('SELECT count(*) AS n FROM event_ids')).toBe(TOTAL);
    const ids = (
      await client.query<{ event_id: string }>(
        'SELECT event_id FROM incidents UNION ALL SELECT event_id FROM accidents',
      )
    ).rows;
    expect(new Set(ids.map((row) => row.event_id))).toEqual(new Set(events.map((event) => event.eventId)));
    console.info(
      `crash safety: killed at ${atKill} of ${TOTAL} stored; after the restart ${JSON.stringify(timing.ms)}`,
    );
  });
});
