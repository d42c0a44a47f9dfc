import pg from 'pg';
import { HttpSink } from '@district-monitor/streams/producers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type RunningBackend } from './helpers/backend.js';
import { validEvents } from './helpers/events.js';
import { createDatabase } from './helpers/services.js';

/** The server's body limit for this test: 64 KiB, about 180 events; the batches below are 5 to 10 times that. */
const LIMIT = 65_536;

/**
 * The producer's HTTP sink against a backend whose body limit (INGEST_MAX_BODY_BYTES) is small: a batch
 * far larger than the limit is split under it, and every event lands exactly once, with no 413 left to
 * the caller; a sink that was told nothing learns the limit from the server's 413 and splits too.
 */
describe('HTTP sink under the server body limit', () => {
  let database: Awaited<ReturnType<typeof createDatabase>>;
  let backend: RunningBackend;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createDatabase();
    backend = await startBackend({
      DATABASE_URL: database.url,
      SIMULATOR: 'off',
      INGEST_AUTH: 'off',
      INGEST_MAX_BODY_BYTES: String(LIMIT),
    });
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });

  afterAll(async () => {
    await client.end();
    await backend.stop('SIGTERM');
    await database.drop();
  });

  const stored = async (ids: readonly string[]): Promise<number> => {
    const { rows } = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM event_ids WHERE event_id = ANY($1::text[])',
      [ids],
    );
    return rows[0]?.n ?? 0;
  };

  it('splits a batch of 2,000 events into requests under the configured limit; all land', async () => {
    const events = validEvents(2_000, 4101);
    const bytes = events.reduce((sum, event) => sum + Buffer.byteLength(JSON.stringify(event)) + 1, 0);
    expect(bytes).toBeGreaterThan(5 * LIMIT);
    const sink = new HttpSink(backend.url, { maxBodyBytes: LIMIT });
    const result = await sink.send(events);
    expect(result).toEqual({ accepted: 2_000, rejected: [] });
    expect(sink.requests).toBeGreaterThanOrEqual(Math.ceil(bytes / LIMIT));
    // An accepted event is a stored event (the in-process transport answers after the commit).
    expect(await stored(events.map((event) => event.eventId))).toBe(2_000);
  });

  it("learns the limit from the server's 413 when it was not told, and lands every event once", async () => {
    const events = validEvents(1_000, 4102);
    const sink = new HttpSink(backend.url);
    const result = await sink.send(events);
    expect(result).toEqual({ accepted: 1_000, rejected: [] });
    expect(sink.requests).toBeGreaterThan(5);
    expect(await stored(events.map((event) => event.eventId))).toBe(1_000);
    // Sent again: duplicates are accepted and not stored twice.
    expect((await sink.send(events)).accepted).toBe(1_000);
    const { rows } = await client.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM incidents) + (SELECT count(*) FROM accidents) AS n`,
    );
    expect(Number(rows[0]?.n)).toBe(3_000);
  });
});
