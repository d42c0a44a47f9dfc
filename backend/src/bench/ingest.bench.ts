import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEventValidator,
  topicNames,
  type BatchSummary,
  type MonitorEvent,
} from '@district-monitor/streams';
import { createSimulator } from '@district-monitor/streams/simulator';
import type { AppConfig } from '../config/app-config.js';
import type { Database } from '../database/database.js';
import { bucketContext, migrate } from '../database/migrations.js';
import { AggregateRefresher } from '../features/aggregate-refresher.js';
import { FeatureRepository } from '../features/feature.repository.js';
import { FeatureService } from '../features/feature.service.js';
import { PgliteDatabase } from '../database/pglite.repository.js';
import { PostgresDatabase } from '../database/postgres.repository.js';
import { EventStoreRepository } from '../database/event-store.repository.js';
import { IngestService } from '../ingest/ingest.service.js';
import { DeadLetterTableRepository } from '../transport/dead-letter.repository.js';
import { NonRetriableError } from '../transport/errors.js';
import { KafkaEventSource } from '../transport/kafka.consumer.js';
import { KafkaProducerRepository } from '../transport/kafka-producer.repository.js';
import { bareConsumeLoop } from './bare-loop.consumer.js';
import { EventBus, subscribeAll } from '../events/event-bus.js';
import {
  configFor,
  kafkaOf,
  progress,
  regionOf,
  withPostgresDatabase,
  type BenchEnv,
  type BenchRow,
} from './bench-kit.js';

/**
 * Ingest section: events per second of the ingest path (Kafka -> validation -> idempotent insert ->
 * offset commit) beside a bare kafkajs loop over the same messages, plus each stage alone.
 */
async function ingestPath(config: AppConfig, db: Database, events: number): Promise<number> {
  const kafka = kafkaOf(config);
  const region = await regionOf(config);
  const deadLetters = new KafkaProducerRepository(kafka, new DeadLetterTableRepository(db));
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
  // The whole path a batch takes: store, feature upkeep and the aggregate refresh behind it.
  const features = new FeatureService(region, new FeatureRepository(db));
  await features.load();
  const aggregates = new AggregateRefresher(db, region);
  const store = new EventStoreRepository(db);
  const bus = new EventBus();
  subscribeAll(bus, [features, aggregates]);
  bus.on('batch.handled', (summary) => {
    listener.publishBatch(summary);
  });
  const ingest = new IngestService(config, region, store, deadLetters, bus);
  const source = new KafkaEventSource(kafka);
  await source.start(async (batch) => {
    first ??= performance.now();
    await ingest.handleBatch(batch, 'kafka');
  });
  const seconds = await finished;
  await source.stop();
  await aggregates.settle();
  await deadLetters.close();
  return seconds;
}

export async function ingestSection(env: BenchEnv, count: number): Promise<BenchRow[]> {
  const prefix = env.prefix;
  const config = configFor(env, prefix, 'producer');
  const kafka = kafkaOf(config);
  const topics = topicNames(prefix);
  const region = await regionOf(config);
  const events: MonitorEvent[] = createSimulator({
    region,
    ratePerSecond: 1,
    seed: 77,
    source: 'bench',
  }).burst(count, Date.now() - 60_000);

  progress(`producing ${count} events to ${topics.incident} and ${topics.accident}`);
  // Publishes only: it never dead-letters, so it has no fallback table.
  const producer = new KafkaProducerRepository(kafka, {
    deadLetter: () => Promise.reject(new NonRetriableError('the bench producer does not dead-letter')),
  });
  for (let i = 0; i < events.length; i += 5_000) await producer.publish(events.slice(i, i + 5_000));
  await producer.close();

  const rows: BenchRow[] = [];
  let baseline = 0;
  const add = (path: string, seconds: number, goal: string | null = null) => {
    const rate = count / seconds;
    if (rows.length === 0) baseline = rate;
    rows.push({ section: 'ingest', path, value: rate, unit: 'events/s', vsBaseline: rate / baseline, goal });
  };

  progress('bare kafkajs loop');
  add(
    'bare kafkajs eachBatch loop, counting only (baseline)',
    await bareConsumeLoop(kafkaOf(configFor(env, prefix, 'bare')), [topics.incident, topics.accident], count),
  );

  progress('ingest path into PostgreSQL');
  await withPostgresDatabase(env.adminUrl, async (url) => {
    const db = await PostgresDatabase.open(url);
    await migrate(db, bucketContext(region));
    add(
      'ingest path -> PostgreSQL 15 (validate, idempotent insert, commit)',
      await ingestPath(configFor(env, prefix, 'pg', { DATABASE_URL: url }), db, count),
      '>= 0.60 of baseline',
    );
    await db.close();
  });

  progress('ingest path into PGlite with TimescaleDB');
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-pglite-'));
  try {
    const db = await PgliteDatabase.open(dataDir);
    await migrate(db, bucketContext(region));
    add(
      'ingest path -> PGlite + TimescaleDB (embedded)',
      await ingestPath(configFor(env, prefix, 'pglite'), db, count),
    );
    await db.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }

  progress('stages alone');
  const validator = createEventValidator({ region });
  const encoded = events.map((event) => JSON.stringify(event));
  let started = performance.now();
  for (const raw of encoded) validator.decode(raw);
  add('  validation alone (JSON.parse + schema + region), one core', (performance.now() - started) / 1000);
  await withPostgresDatabase(env.adminUrl, async (url) => {
    const db = await PostgresDatabase.open(url);
    await migrate(db, bucketContext(region));
    const store = new EventStoreRepository(db);
    started = performance.now();
    for (let i = 0; i < events.length; i += 2_000) await store.insert(events.slice(i, i + 2_000));
    add('  idempotent insert alone -> PostgreSQL 15, batches of 2,000', (performance.now() - started) / 1000);
    await db.close();
  });
  return rows;
}
