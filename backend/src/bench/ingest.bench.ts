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
import { bucketContext, migrate } from '../database/migrate.js';
import { AggregateRefresher } from '../features/aggregate-refresher.js';
import { FeatureRepository } from '../features/feature.repository.js';
import { FeatureService } from '../features/feature.service.js';
import { PgliteDatabase } from '../database/pglite.repository.js';
import { PostgresDatabase } from '../database/postgres.repository.js';
import {
  DEFAULT_WRITE_METHOD,
  EventStoreRepository,
  WRITE_METHODS,
  type WriteMethod,
} from '../database/event-store.repository.js';
import { IngestService } from '../ingest/ingest.service.js';
import { DeadLetterTableRepository } from '../transport/dead-letter.repository.js';
import { NonRetriableError } from '../transport/errors.js';
import { KafkaEventSource } from '../transport/kafka.consumer.js';
import { KafkaProducerRepository } from '../transport/kafka-producer.repository.js';
import { metrics } from '../metrics/metrics.js';
import { bareConsumeLoop } from './bare-loop.consumer.js';
import { rawCopy } from './raw-copy.js';
import { EventBus, subscribeAll } from '../events/event-bus.js';
import {
  configFor,
  kafkaOf,
  progress,
  regionOf,
  createPostgresDatabase,
  type BenchEnv,
  type BenchRow,
} from './bench-kit.js';

/**
 * Ingest section: events per second of the ingest path (Kafka -> validation -> idempotent insert ->
 * offset commit) beside a bare kafkajs loop over the same messages and beside the database's own limit,
 * a raw COPY of the same rows into the same tables, plus each stage and each write method alone.
 */

const STAGES = ['validate', 'store', 'write', 'apply', 'dead_letter', 'refresh'] as const;
type Stage = (typeof STAGES)[number];
const STAGE_WHAT: Readonly<Record<Stage, string>> = {
  validate: 'decode and schema',
  store: 'idempotent write, waiting for the write combiner included',
  write: 'group transactions of the write combiner, per group',
  apply: 'features and aggregate queue',
  dead_letter: 'publishing dead letters',
  refresh: 'continuous aggregates, off the batch',
};

/** Seconds summed per stage of the batch path so far (metrics.stageDuration, process-wide). */
async function stageSeconds(): Promise<Record<Stage, number>> {
  const sums = Object.fromEntries(STAGES.map((stage) => [stage, 0])) as Record<Stage, number>;
  for (const value of (await metrics.stageDuration.get()).values) {
    const stage = value.labels.stage;
    if (value.metricName?.endsWith('_sum') === true && typeof stage === 'string' && stage in sums) {
      sums[stage as Stage] += value.value;
    }
  }
  return sums;
}

/** The path's seconds from its first batch to its last event, and the seconds each stage took meanwhile. */
interface PathRun {
  readonly seconds: number;
  readonly stages: Record<Stage, number>;
}

async function ingestPath(config: AppConfig, db: Database, events: number): Promise<PathRun> {
  const before = await stageSeconds();
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
  const aggregates = new AggregateRefresher(db, region, config);
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
  const after = await stageSeconds();
  await source.stop();
  await aggregates.settle();
  await deadLetters.close();
  const stages = Object.fromEntries(STAGES.map((stage) => [stage, after[stage] - before[stage]]));
  return { seconds, stages: stages as Record<Stage, number> };
}

/** How a path's batches reach their transactions, for its row's name. */
function describeGrouping(config: AppConfig): string {
  const { groupMaxEvents, writers } = config.ingest;
  const concurrently = config.kafka?.consumer.partitionsConcurrently ?? 1;
  return groupMaxEvents === undefined
    ? `; one transaction per batch, ${concurrently} at once`
    : `; group commit: ${writers} writer(s), <= ${groupMaxEvents} events a group`;
}

/** What part of the ingest section runs (`--engine`, `--path-only`): the whole of it by default. */
export interface IngestOptions {
  /** Only this engine. */
  readonly engine?: 'postgres' | 'pglite';
  /** The raw COPY and the ingest path only, without each write method alone and the validation row. */
  readonly pathOnly?: boolean;
}

export async function ingestSection(
  env: BenchEnv,
  count: number,
  options: IngestOptions = {},
): Promise<BenchRow[]> {
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
  const add = (path: string, seconds: number, goal: string | null = null, base = baseline) => {
    const rate = count / seconds;
    if (rows.length === 0) baseline = rate;
    rows.push({
      section: 'ingest',
      path,
      value: rate,
      unit: 'events/s',
      vsBaseline: rate / (rows.length === 0 ? rate : base),
      goal,
    });
    return rate;
  };

  progress('bare kafkajs loop');
  add(
    'bare kafkajs eachBatch loop, counting only (baseline)',
    await bareConsumeLoop(kafkaOf(configFor(env, prefix, 'bare')), [topics.incident, topics.accident], count),
  );

  /**
   * One engine: the raw COPY twice (before and after), the ingest path between them, then each write
   * method alone; ratios are to the faster raw COPY, so noise cannot flatter the path.
   */
  const engine = async (
    name: string,
    open: () => Promise<{
      db: Database;
      group: string;
      extra: Record<string, string>;
      done: () => Promise<void>;
    }>,
  ) => {
    const fresh = async () => {
      const opened = await open();
      await migrate(opened.db, bucketContext(region));
      return opened;
    };
    const raw: number[] = [];
    const measureRaw = async () => {
      const { db, done } = await fresh();
      raw.push(await rawCopy(db, events));
      await done();
    };
    progress(`${name}: raw COPY`);
    await measureRaw();
    progress(`${name}: ingest path (default)`);
    const path = await fresh();
    const pathConfig = configFor(env, prefix, path.group, path.extra);
    const { seconds: pathSeconds, stages } = await ingestPath(pathConfig, path.db, count);
    const engineKind = path.db.info.kind;
    await path.done();
    // The same path with group commit (ingest/write-combiner.ts), in the same run: what the default (one
    // transaction per batch) is measured against. INGEST_GROUP_MAX_EVENTS / INGEST_WRITERS set for the
    // bench choose the group bound and writers (defaults 20,000 and 1).
    progress(`${name}: ingest path with group commit`);
    const grouped = await fresh();
    const groupMax = pathConfig.ingest.groupMaxEvents ?? 20_000;
    const groupConfig = configFor(env, prefix, grouped.group, {
      ...grouped.extra,
      INGEST_GROUP_MAX_EVENTS: String(groupMax),
      INGEST_WRITERS: String(pathConfig.ingest.writers),
    });
    const { seconds: groupSeconds } = await ingestPath(groupConfig, grouped.db, count);
    await grouped.done();
    progress(`${name}: raw COPY again`);
    await measureRaw();
    const rawSeconds = Math.min(...raw);
    const rawRate = add(
      `${name}: raw COPY of the same rows into the same tables, no idempotency (the database's limit; ` +
        `faster of ${raw.map((seconds) => Math.round(count / seconds).toLocaleString('en-US')).join(' and ')}/s)`,
      rawSeconds,
    );
    add(
      `  ${name}: ingest path (validate, idempotent ${DEFAULT_WRITE_METHOD[engineKind]} write, ` +
        `amendments, counts, commit${describeGrouping(pathConfig)}), vs the raw COPY`,
      pathSeconds,
      '>= 0.50 of raw COPY',
      rawRate,
    );
    add(
      `  ${name}: ingest path${describeGrouping(groupConfig)}, vs the raw COPY`,
      groupSeconds,
      null,
      rawRate,
    );
    // Summed over batches (two or more run at once), so they may add up to more than the path's time.
    for (const stage of STAGES) {
      if (stages[stage] === 0) continue;
      rows.push({
        section: 'ingest',
        path: `    ${name}: stage ${stage}, seconds summed over batches (${STAGE_WHAT[stage]}; path took ${pathSeconds.toFixed(2)} s)`,
        value: stages[stage],
        unit: 's',
        vsBaseline: null,
        goal: null,
      });
    }
    if (options.pathOnly === true) return;
    // Two rounds, the second in reverse order, and the faster of each method's two runs: the machine's
    // load drifts over minutes, and one pass in a fixed order would hand the drift to the last method.
    const alone = new Map<WriteMethod, number[]>();
    for (const method of [...WRITE_METHODS, ...[...WRITE_METHODS].reverse()]) {
      progress(`${name}: ${method} write alone`);
      const { db, done } = await fresh();
      const store = new EventStoreRepository(db);
      store.method = method;
      const started = performance.now();
      for (let i = 0; i < events.length; i += 2_000) await store.insert(events.slice(i, i + 2_000));
      alone.set(method, [...(alone.get(method) ?? []), (performance.now() - started) / 1000]);
      await done();
    }
    for (const [method, runs] of alone) {
      add(
        `  ${name}: idempotent insert alone, ${method} method, batches of 2,000, vs the raw COPY ` +
          `(faster of ${runs.map((seconds) => Math.round(count / seconds).toLocaleString('en-US')).join(' and ')}/s)`,
        Math.min(...runs),
        null,
        rawRate,
      );
    }
  };

  if (options.engine !== 'pglite')
    await engine('PostgreSQL 15', async () => {
      const { url, drop } = await createPostgresDatabase(env.adminUrl);
      const db = await PostgresDatabase.open(url);
      return {
        db,
        group: `pg-${Math.random().toString(36).slice(2)}`,
        extra: { DATABASE_URL: url },
        done: async () => {
          await db.close();
          await drop();
        },
      };
    });

  if (options.engine !== 'postgres')
    await engine('PGlite + TimescaleDB', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'bench-pglite-'));
      const db = await PgliteDatabase.open(dataDir);
      return {
        db,
        group: `pglite-${Math.random().toString(36).slice(2)}`,
        extra: {},
        done: async () => {
          await db.close();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    });

  if (options.pathOnly === true) return rows;
  progress('validation alone');
  const validator = createEventValidator({ region });
  const encoded = events.map((event) => JSON.stringify(event));
  const started = performance.now();
  for (const raw of encoded) validator.decode(raw);
  add('validation alone (JSON.parse + schema + region), one core', (performance.now() - started) / 1000);
  return rows;
}
