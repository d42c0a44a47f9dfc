import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readRegion } from '@district-monitor/data/runtime';
import { topicNames } from '@district-monitor/streams';
import { KafkaSink, loadCsvStream, replay, toKafkaMessages } from '@district-monitor/streams/producers';
import { chicagoRowMapper } from '@district-monitor/data/chicago-format';
import pg from 'pg';
import { REPO_ROOT } from '../config/app-config.js';
import { bucketContext, migrate } from '../database/migrate.js';
import { PostgresDatabase } from '../database/postgres.repository.js';
import { bareProduceLoop } from './bare-producer.repository.js';
import {
  consumerSettings,
  progress,
  withPostgresDatabase,
  type BenchEnv,
  type BenchRow,
} from './bench-kit.js';

const FILE = resolve(REPO_ROOT, '../shared/data/incidents/chicago_crimes_2017.csv');
const REGION_FILE = `${REPO_ROOT}data/regions/chicago.json`;
const BATCH = 2_000;

/** A built script of this repository run as its own process, once its output has matched `ready`. */
interface Started {
  pid: number;
  match: RegExpExecArray;
  stop(): Promise<void>;
}

async function startProcess(script: string, env: Record<string, string>, ready: RegExp): Promise<Started> {
  const child = spawn(process.execPath, [`${REPO_ROOT}${script}`], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'log', ...consumerSettings(), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const found = ready.exec(log);
      if (found !== null) resolve(found);
    });
    child.once('exit', (code) => {
      reject(new Error(`${script} exited with ${code}: ${log}`));
    });
  });
  if (child.pid === undefined) throw new Error(`${script} has no pid`);
  return {
    pid: child.pid,
    match,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Starts the built backend as its own process and waits until it is healthy. */
async function startBackend(env: Record<string, string>): Promise<Started> {
  const backend = await startProcess('backend/dist/main.js', env, /board at (http:\/\/[\d.:a-z]+)\//);
  const url = backend.match[1];
  for (;;) {
    const health = await fetch(`${url}/api/health`)
      .then((r) => r.json() as Promise<{ status: string }>)
      .catch(() => undefined);
    if (health?.status === 'ok') break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return backend;
}

/**
 * Replays the file into Kafka under `prefix` at full speed and waits until `url`'s incidents table holds
 * every event; returns the seconds from the first event sent.
 */
async function replayUntilStored(
  brokers: string[],
  prefix: string,
  url: string,
  events: Parameters<typeof replay>[0]['events'],
): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const started = performance.now();
    const sink = new KafkaSink(brokers, prefix, { clientId: 'bench-e2e' });
    await replay({ source: FILE, events, sink, speed: { kind: 'max' }, batchSize: BATCH });
    await sink.close();
    for (;;) {
      const stored = Number(
        (await client.query<{ n: string }>('SELECT count(*) AS n FROM incidents')).rows[0]?.n,
      );
      if (stored >= events.length) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return (performance.now() - started) / 1000;
  } finally {
    await client.end();
  }
}

/** Peak resident memory of a live process (Linux: VmHWM), in MiB. */
function peakMemoryMiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match?.[1] === undefined) throw new Error(`no VmHWM for process ${pid}`);
  return Number(match[1]) / 1024;
}

/**
 * Replay section: the producer CLI's replay path into Kafka beside a bare kafkajs producer over the same
 * events, then the whole 2017 file end to end into PostgreSQL through the backend, with its peak memory.
 */
export async function replaySection(env: BenchEnv): Promise<BenchRow[]> {
  const region = await readRegion(REGION_FILE);
  progress(`reading ${FILE}`);
  const { events } = await loadCsvStream(FILE, chicagoRowMapper(region), 'ID');
  const brokers = env.brokers.split(',');
  const rows: BenchRow[] = [];

  progress(`bare kafkajs producer: ${events.length} events`);
  const bareTopics = topicNames(`${env.prefix}bare-`);
  const encoded = [];
  for (let i = 0; i < events.length; i += BATCH)
    encoded.push(toKafkaMessages(events.slice(i, i + BATCH), bareTopics));
  const bareRate = events.length / (await bareProduceLoop(brokers, encoded));
  rows.push({
    section: 'replay',
    path: 'bare kafkajs producer, pre-encoded batches of 2,000 (baseline)',
    value: bareRate,
    unit: 'events/s',
    vsBaseline: 1,
    goal: null,
  });

  progress('replay into Kafka');
  const sink = new KafkaSink(brokers, `${env.prefix}replay-`, { clientId: 'bench-replay' });
  const replayed = await replay({ source: FILE, events, sink, speed: { kind: 'max' }, batchSize: BATCH });
  await sink.close();
  const replayRate = replayed.sent / replayed.seconds;
  rows.push({
    section: 'replay',
    path: 'replay into Kafka (npm run produce -- replay path)',
    value: replayRate,
    unit: 'events/s',
    vsBaseline: replayRate / bareRate,
    goal: null,
  });

  progress('end to end: replay -> Kafka -> backend -> PostgreSQL');
  await withPostgresDatabase(env.adminUrl, async (url) => {
    const prefix = `${env.prefix}e2e-`;
    const backend = await startBackend({
      DATABASE_URL: url,
      KAFKA_BROKERS: env.brokers,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_GROUP_ID: `${prefix}ingest`,
      REGION_FILE,
      SIMULATOR: 'off',
    });
    try {
      rows.push({
        section: 'replay',
        path: `chicago_crimes_2017.csv (${events.length} events) end to end into PostgreSQL`,
        value: await replayUntilStored(brokers, prefix, url, events),
        unit: 's',
        vsBaseline: null,
        goal: '<= 6 s',
      });
      rows.push({
        section: 'replay',
        path: 'backend peak resident memory during it',
        value: peakMemoryMiB(backend.pid),
        unit: 'MiB',
        vsBaseline: null,
        goal: '< 1024 MiB',
      });
    } finally {
      await backend.stop();
    }
  });

  // The machine's floor for the same trip: the same replay, and in the backend's place a process that only
  // parses and COPYs each batch raw (bench/copy-consumer.ts). What the backend adds is the difference.
  progress('floor: replay -> Kafka -> raw COPY consumer -> PostgreSQL');
  await withPostgresDatabase(env.adminUrl, async (url) => {
    const db = await PostgresDatabase.open(url);
    await migrate(db, bucketContext(region));
    await db.close();
    const prefix = `${env.prefix}floor-`;
    const consumer = await startProcess(
      'backend/dist/bench/copy-consumer.js',
      {
        DATABASE_URL: url,
        KAFKA_BROKERS: env.brokers,
        KAFKA_TOPIC_PREFIX: prefix,
        KAFKA_GROUP_ID: `${prefix}copy`,
      },
      /^ready$/m,
    );
    try {
      rows.push({
        section: 'replay',
        path: 'floor: the same replay into a consumer that only COPYs each batch raw (no validation, idempotency or counts)',
        value: await replayUntilStored(brokers, prefix, url, events),
        unit: 's',
        vsBaseline: null,
        goal: null,
      });
    } finally {
      await consumer.stop();
    }
  });
  return rows;
}
