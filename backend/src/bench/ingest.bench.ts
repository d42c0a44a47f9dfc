import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import {
  createEventValidator,
  parseRegion,
  topicNames,
  type BatchSummary,
  type MonitorEvent,
} from '@district-monitor/streams';
import { createSimulator } from '@district-monitor/streams/simulator';
import pg from 'pg';
import { loadConfig, type AppConfig } from '../config/app-config.js';
import type { Database } from '../database/database.js';
import { migrate } from '../database/migrations.js';
import { PgliteDatabase } from '../database/pglite.repository.js';
import { PostgresDatabase } from '../database/postgres.repository.js';
import { EventStoreRepository } from '../ingest/event-store.repository.js';
import { IngestService } from '../ingest/ingest.service.js';
import { KafkaEventSource } from '../transport/kafka.consumer.js';
import { KafkaProducerRepository } from '../transport/kafka-producer.repository.js';
import { bareConsumeLoop } from './bare-loop.consumer.js';

/**
 * `npm run bench`: events per second of the ingest path (Kafka -> validation -> idempotent insert ->
 * offset commit) beside a bare kafkajs loop over the same messages, in the same run. Needs
 * KAFKA_BROKERS (topics `<prefix>incidents|accidents` created) and DATABASE_URL (an admin database).
 */
interface Row {
  path: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  vsBaseline: number | null;
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const eventsArg = args.indexOf('--events');
const N = eventsArg >= 0 ? Number(args[eventsArg + 1]) : 100_000;
if (!Number.isInteger(N) || N < 1000)
  throw new Error(`--events must be a whole number >= 1000, got ${args[eventsArg + 1]}`);
const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function ingestPath(config: AppConfig, db: Database, events: number): Promise<number> {
  const kafka = config.kafka as NonNullable<AppConfig['kafka']>;
  const region = parseRegion(JSON.parse(readFileSync(config.regionFile, 'utf8')), config.regionFile);
  const deadLetters = new KafkaProducerRepository(kafka);
  let handled = 0;
  let first: number | undefined;
  let finish: (seconds: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const listener = {
    publishBatch(summary: BatchSummary) {
      handled += summary.stored + summary.duplicates + summary.deadLettered;
      if (handled >= events && first !== undefined) finish((performance.now() - first) / 1000);
    },
  };
  const ingest = new IngestService(config, region, new EventStoreRepository(db), deadLetters, listener);
  const source = new KafkaEventSource(kafka);
  await source.start(async (batch) => {
    first ??= performance.now();
    await ingest.handleBatch(batch, 'kafka');
  });
  const seconds = await finished;
  await source.stop();
  await deadLetters.close();
  return seconds;
}

async function withPostgresDatabase<T>(adminUrl: string, work: (url: string) => Promise<T>): Promise<T> {
  const name = `bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    return await work(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const brokers = process.env.KAFKA_BROKERS;
  const adminUrl = process.env.DATABASE_URL;
  const prefix = process.env.KAFKA_TOPIC_PREFIX;
  if (brokers === undefined || adminUrl === undefined || prefix === undefined) {
    throw new Error(
      'KAFKA_BROKERS, KAFKA_TOPIC_PREFIX and DATABASE_URL must be set (npm run bench sets them)',
    );
  }
  const configFor = (group: string, extra: Record<string, string> = {}) =>
    loadConfig({
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: `${prefix}${group}`,
      ...extra,
    });
  const config = configFor('producer');
  const kafka = config.kafka as NonNullable<AppConfig['kafka']>;
  const topics = topicNames(prefix);
  const region = parseRegion(JSON.parse(readFileSync(config.regionFile, 'utf8')), config.regionFile);
  const events: MonitorEvent[] = createSimulator({
    region,
    ratePerSecond: 1,
    seed: 77,
    source: 'bench',
  }).burst(N, Date.now() - 60_000);

  progress(`producing ${N} events to ${topics.incident} and ${topics.accident}`);
  const producer = new KafkaProducerRepository(kafka);
  for (let i = 0; i < events.length; i += 5_000) await producer.publish(events.slice(i, i + 5_000));
  await producer.close();

  const rows: Row[] = [];
  const add = (path: string, seconds: number) => {
    const baseline = rows[0]?.eventsPerSecond;
    const eventsPerSecond = N / seconds;
    rows.push({
      path,
      events: N,
      seconds,
      eventsPerSecond,
      vsBaseline: baseline === undefined ? null : eventsPerSecond / baseline,
    });
  };

  progress('bare kafkajs loop');
  add(
    'bare kafkajs eachBatch loop (baseline: count only)',
    await bareConsumeLoop(
      configFor('bare').kafka as NonNullable<AppConfig['kafka']>,
      [topics.incident, topics.accident],
      N,
    ),
  );

  progress('ingest path into PostgreSQL');
  await withPostgresDatabase(adminUrl, async (url) => {
    const db = await PostgresDatabase.open(url);
    await migrate(db);
    add(
      'ingest path -> PostgreSQL 15 (validate, idempotent insert, commit)',
      await ingestPath(configFor('pg', { DATABASE_URL: url }), db, N),
    );
    await db.close();
  });

  progress('ingest path into PGlite with TimescaleDB');
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-pglite-'));
  try {
    const db = await PgliteDatabase.open(dataDir);
    await migrate(db);
    add('ingest path -> PGlite + TimescaleDB (embedded)', await ingestPath(configFor('pglite'), db, N));
    await db.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }

  progress('components alone');
  const validator = createEventValidator({ region });
  const encoded = events.map((event) => JSON.stringify(event));
  let started = performance.now();
  for (const raw of encoded) validator.decode(raw);
  add('  validation alone (JSON.parse + schema + region), one core', (performance.now() - started) / 1000);
  await withPostgresDatabase(adminUrl, async (url) => {
    const db = await PostgresDatabase.open(url);
    await migrate(db);
    const store = new EventStoreRepository(db);
    started = performance.now();
    for (let i = 0; i < events.length; i += 2_000) await store.insert(events.slice(i, i + 2_000));
    add('  idempotent insert alone -> PostgreSQL 15, batches of 2,000', (performance.now() - started) / 1000);
    await db.close();
  });

  const meta = {
    events: N,
    partitions: 6,
    cpus: cpus().length,
    node: process.version,
    kafkaBrokers: brokers,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...meta, rows }, null, 2)}\n`);
    return;
  }
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const lines = [
    `ingest bench: ${fmt(N)} events over ${meta.partitions} partitions per topic, ${meta.cpus} cores, Node ${meta.node}`,
    '',
    '| path | events/s | seconds | vs baseline |',
    '|---|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.path} | ${fmt(r.eventsPerSecond)} | ${r.seconds.toFixed(2)} | ${r.vsBaseline === null ? '1.00' : r.vsBaseline.toFixed(2)} |`,
    ),
    '',
    'goal: the ingest path keeps >= 0.60 of the baseline rate',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
