import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readRegion } from '@district-monitor/data/runtime';
import { topicNames } from '@district-monitor/streams';
import { KafkaSink, loadCsvStream, replay, toKafkaMessages } from '@district-monitor/streams/producers';
import { chicagoRowMapper } from '@district-monitor/data/chicago-format';
import pg from 'pg';
import { REPO_ROOT } from '../config/app-config.js';
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

/** Starts the built backend as its own process and waits until it is healthy; resolves its pid and a stop. */
async function startBackend(env: Record<string, string>): Promise<{ pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [`${REPO_ROOT}backend/dist/main.js`], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'log', ...consumerSettings(), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /board at (http:\/\/[\d.:a-z]+)\//.exec(log);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('exit', (code) => {
      reject(new Error(`backend exited with ${code}: ${log}`));
    });
  });
  for (;;) {
    const health = await fetch(`${url}/api/health`)
      .then((r) => r.json() as Promise<{ status: string }>)
      .catch(() => undefined);
    if (health?.status === 'ok') break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (child.pid === undefined) throw new Error('backend has no pid');
  return {
    pid: child.pid,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
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
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const started = performance.now();
      const e2eSink = new KafkaSink(brokers, prefix, { clientId: 'bench-e2e' });
      await replay({ source: FILE, events, sink: e2eSink, speed: { kind: 'max' }, batchSize: BATCH });
      await e2eSink.close();
      for (;;) {
        const stored = Number(
          (await client.query<{ n: string }>('SELECT count(*) AS n FROM incidents')).rows[0]?.n,
        );
        if (stored >= events.length) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const seconds = (performance.now() - started) / 1000;
      rows.push({
        section: 'replay',
        path: `chicago_crimes_2017.csv (${events.length} events) end to end into PostgreSQL`,
        value: seconds,
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
      await client.end();
      await backend.stop();
    }
  });
  return rows;
}
