import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TopicNames } from '@district-monitor/streams';
import { startBackend, type RunningBackend } from './helpers/backend.js';
import { invalidMessages, toMessages, validEvents } from './helpers/events.js';
import { createTopics, produce, readTopic } from './helpers/kafka.js';
import { parsePrometheusText, sumOf, type Exposition } from './helpers/prometheus.js';
import { createDatabase, requireEnv, uniqueName, waitFor } from './helpers/services.js';
import { connectBoard, type BoardClient } from './helpers/socket.js';

const VALID = 600;
const INVALID_PER_KIND = 10; // x 5 kinds = 50
const REPEATED = 100;
const TOKEN = 'it-metrics-token-0123456789';

interface BatchLine {
  msg: string;
  context?: string;
  batchId?: string;
  topic?: string;
  partition?: number;
  firstOffset?: string;
  lastOffset?: string;
  messages?: number;
  outcome?: string;
  stored?: number;
  duplicates?: number;
  deadLettered?: number;
}

/** Operability on real Kafka and PostgreSQL: GET /metrics and JSON logs after a known stream. */
describe('metrics and structured logs', () => {
  let topics: TopicNames;
  let backend: RunningBackend;
  let board: BoardClient;
  let database: { url: string; drop(): Promise<void> };

  const scrape = async (): Promise<Exposition> => {
    const response = await fetch(`${backend.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    return parsePrometheusText(await response.text());
  };

  beforeAll(async () => {
    const created = await createTopics();
    topics = created.topics;
    database = await createDatabase();
    backend = await startBackend({
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      KAFKA_TOPIC_PREFIX: created.prefix,
      KAFKA_GROUP_ID: uniqueName('ops-'),
      DATABASE_URL: database.url,
      SIMULATOR: 'off',
      MODEL_RETRAIN_HOURS: '0',
      METRICS_TOKEN: TOKEN,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'debug',
    });
    board = await connectBoard(backend.url, await backend.login());
  });

  afterAll(async () => {
    board.close();
    await backend.stop('SIGTERM');
    await database.drop();
  });

  it('refuses /metrics without its token', async () => {
    const none = await fetch(`${backend.url}/metrics`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { message: string }).message).toMatch(/METRICS_TOKEN/);
    const wrong = await fetch(`${backend.url}/metrics`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
  });

  it('counts what a known stream stored, repeated and dead-lettered, and logs each batch as JSON', async () => {
    const valid = toMessages(validEvents(VALID, 501), topics);
    const invalid = invalidMessages(INVALID_PER_KIND, 501, topics);
    await produce([...valid, ...invalid, ...valid.slice(0, REPEATED)]);
    const total = VALID + invalid.length + REPEATED;

    const metrics = await waitFor(
      `the ingest counters to reach ${total} events`,
      async () => {
        const exposition = await scrape();
        return sumOf(exposition, 'district_monitor_ingest_events_total') === total ? exposition : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    const events = (outcome: string) =>
      sumOf(metrics, 'district_monitor_ingest_events_total', { outcome, transport: 'kafka' });

    // The counters equal what the database holds and what the dead-letter topics received.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const rows = await client
      .query<{ n: string }>('SELECT (SELECT count(*) FROM incidents) + (SELECT count(*) FROM accidents) AS n')
      .finally(() => client.end());
    expect(events('stored')).toBe(Number(rows.rows[0]?.n));
    expect(events('stored')).toBe(VALID);
    expect(events('duplicate')).toBe(REPEATED);
    const onIncidents = invalid.filter((m) => m.topic === topics.incident).length;
    const letters = [
      ...(await readTopic(topics.incidentDeadLetter, onIncidents)),
      ...(await readTopic(topics.accidentDeadLetter, invalid.length - onIncidents)),
    ];
    expect(events('dead_lettered')).toBe(letters.length);
    expect(events('dead_lettered')).toBe(invalid.length);
    const byReason: Record<string, number> = {};
    for (const sample of metrics.samples) {
      if (sample.name === 'district_monitor_dead_letters_total')
        byReason[sample.labels.reason ?? '?'] = sample.value;
    }
    expect(byReason).toEqual({
      invalid_json: INVALID_PER_KIND,
      reportedAt: INVALID_PER_KIND,
      severity: INVALID_PER_KIND,
      district: INVALID_PER_KIND,
      oversized: INVALID_PER_KIND,
    });

    // Every committed batch was timed, and so was each store.
    const committed = sumOf(metrics, 'district_monitor_ingest_batches_total', { outcome: 'committed' });
    expect(committed).toBeGreaterThan(0);
    expect(sumOf(metrics, 'district_monitor_batch_duration_seconds_count')).toBe(committed);
    expect(sumOf(metrics, 'district_monitor_store_duration_seconds_count')).toBe(committed);
    expect(metrics.types.get('district_monitor_batch_duration_seconds')).toBe('histogram');

    // Lag per partition of both topics, down to 0 once the group committed; the process and the socket.
    const settled = await waitFor(
      'the consumer lag of all 12 partitions to read 0',
      async () => {
        const exposition = await scrape();
        const lag = exposition.samples.filter((s) => s.name === 'district_monitor_consumer_lag');
        return lag.length === 12 && lag.every((s) => s.value === 0) ? exposition : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(sumOf(settled, 'district_monitor_consumer_running')).toBe(1);
    expect(sumOf(settled, 'district_monitor_consumer_last_progress_seconds')).toBeGreaterThan(
      Date.now() / 1000 - 600,
    );
    expect(
      sumOf(settled, 'district_monitor_socketio_connections', { namespace: '/' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sumOf(settled, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sumOf(settled, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(settled.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');

    // Logs: JSON lines only; each committed batch has its id, topic, partition, offsets and outcome, and
    // the ingest's line of the same batch carries the same id with its counts.
    const output = backend.output();
    expect(output).not.toMatch(/\[Nest\]/);
    const lines = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as BatchLine);
    const batches = lines.filter((line) => line.msg === 'batch committed');
    expect(batches).toHaveLength(committed);
    for (const line of batches) {
      expect(line.batchId).toMatch(/^[0-9a-f-]{36}$/);
      expect([topics.incident, topics.accident]).toContain(line.topic);
      expect(line.partition).toBeGreaterThanOrEqual(0);
      expect(line.partition).toBeLessThan(6);
      expect(line.firstOffset).toMatch(/^\d+$/);
      expect(line.lastOffset).toMatch(/^\d+$/);
      expect(Number(line.lastOffset)).toBeGreaterThanOrEqual(Number(line.firstOffset));
      expect(line.outcome).toBe('committed');
    }
    expect(new Set(batches.map((line) => line.batchId)).size).toBe(batches.length);
    expect(batches.reduce((sum, line) => sum + (line.messages ?? 0), 0)).toBe(total);
    const stored = lines.filter((line) => line.msg === 'batch handled');
    expect(stored.map((line) => line.batchId).sort()).toEqual(batches.map((line) => line.batchId).sort());
    const first = batches[0];
    const itsStore = stored.find((line) => line.batchId === first?.batchId);
    expect(itsStore).toMatchObject({
      context: 'Ingest',
      topic: first?.topic,
      partition: first?.partition,
      firstOffset: first?.firstOffset,
    });
    const sum = (key: 'stored' | 'duplicates' | 'deadLettered') =>
      stored.reduce((n, line) => n + (line[key] ?? 0), 0);
    expect([sum('stored'), sum('duplicates'), sum('deadLettered')]).toEqual([
      VALID,
      REPEATED,
      invalid.length,
    ]);
  });
});
