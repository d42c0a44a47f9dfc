import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type RunningBackend } from './helpers/backend.js';
import { validEvents } from './helpers/events.js';
import { waitFor } from './helpers/services.js';
import { connectBoard } from './helpers/socket.js';

/** The embedded default: no Kafka, no database server, the simulator feeding events. */
describe('embedded default (PGlite with TimescaleDB, in-process transport, simulator)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'embedded-it-'));
  const env = { DATA_DIR: dataDir, SIMULATOR_RATE: '40' };
  let backend: RunningBackend;

  const post = async (body: string, contentType = 'application/json') => {
    const response = await fetch(`${backend.url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    backend = await startBackend(env);
  });
  afterAll(async () => {
    await backend.stop('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reports itself healthy on PGlite with TimescaleDB and the in-process transport', async () => {
    const health = (await (await fetch(`${backend.url}/api/health`)).json()) as Record<
      string,
      Record<string, unknown>
    >;
    expect(health).toMatchObject({
      status: 'ok',
      database: { kind: 'pglite', ok: true },
      transport: { kind: 'in-process', state: 'running', lag: 0 },
    });
    expect(health.database?.timescaledb).toMatch(/^2\./);
  });

  it('feeds simulated events to a connected board', async () => {
    const board = await connectBoard(backend.url);
    await waitFor('simulated events on the board', () => (board.totals.stored >= 20 ? true : undefined), {
      timeoutMs: 15_000,
    });
    board.close();
  });

  it('accepts a JSON array over HTTP with a result per event and stores the accepted ones once', async () => {
    const board = await connectBoard(backend.url);
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

  it('stops cleanly on SIGINT (Ctrl-C) and keeps the stored events across a restart', async () => {
    const board = await connectBoard(backend.url);
    board.close();
    expect(await backend.stop('SIGINT')).toBe(0);
    const storedBefore = await waitFor('a final count', () => board.snapshots[0]?.totalStored);

    backend = await startBackend(env);
    const after = await connectBoard(backend.url);
    expect(after.snapshots[0]?.totalStored).toBeGreaterThanOrEqual(storedBefore);
    expect(after.snapshots[0]?.totalStored).toBeGreaterThan(0);
    after.close();
  });
});
