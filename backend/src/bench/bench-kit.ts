import { readRegion } from '@district-monitor/data/runtime';
import type { Region } from '@district-monitor/streams';
import pg from 'pg';
import { loadConfig, type AppConfig, type KafkaConfig } from '../config/app-config.js';

/** One figure of the benchmark table. */
export interface BenchRow {
  readonly section: string;
  readonly path: string;
  readonly value: number;
  /** `events/s`, `s`, `ms`, `MiB`, or a model bench's own unit. */
  readonly unit: string;
  /** This figure over the section's baseline (same unit), when there is one. */
  readonly vsBaseline: number | null;
  readonly goal: string | null;
}

/** What `scripts/bench.mjs` prepared: a broker with topics under `prefix`, a PostgreSQL admin URL. */
export interface BenchEnv {
  readonly brokers: string;
  readonly adminUrl: string;
  readonly prefix: string;
}

export function benchEnv(): BenchEnv {
  const { KAFKA_BROKERS: brokers, DATABASE_URL: adminUrl, KAFKA_TOPIC_PREFIX: prefix } = process.env;
  if (brokers === undefined || adminUrl === undefined || prefix === undefined) {
    throw new Error(
      'KAFKA_BROKERS, KAFKA_TOPIC_PREFIX and DATABASE_URL must be set (npm run bench sets them)',
    );
  }
  return { brokers, adminUrl, prefix };
}

/** The consumer, write-combiner and aggregate-refresh settings a bench run may set (docs/ingest.md, "Consumer settings"), passed to every backend it runs. */
const CONSUMER_VARIABLES = [
  'KAFKA_MAX_WAIT_MS',
  'KAFKA_MIN_BYTES',
  'KAFKA_MAX_BYTES',
  'KAFKA_MAX_BYTES_PER_PARTITION',
  'KAFKA_PARTITIONS_CONCURRENTLY',
  'INGEST_WRITERS',
  'INGEST_GROUP_MAX_EVENTS',
  'AGGREGATE_REFRESH_MS',
] as const;

/** The consumer settings of the bench's own environment, to compare settings in runs of the same build. */
export function consumerSettings(): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const name of CONSUMER_VARIABLES) {
    const value = process.env[name];
    if (value !== undefined && value !== '') settings[name] = value;
  }
  return settings;
}

/** The backend's configuration for a bench step: topics under `prefix`, its own consumer group. */
export function configFor(
  env: BenchEnv,
  prefix: string,
  group: string,
  extra: Record<string, string> = {},
): AppConfig {
  return loadConfig({
    KAFKA_BROKERS: env.brokers,
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_GROUP_ID: `${prefix}${group}`,
    ...consumerSettings(),
    ...extra,
  });
}

export function kafkaOf(config: AppConfig): KafkaConfig {
  if (config.kafka === undefined) throw new Error('bench configuration without Kafka');
  return config.kafka;
}

export function regionOf(config: AppConfig): Promise<Region> {
  return readRegion(config.regionFile);
}

/** A fresh database for one step, dropped afterwards. */
export async function withPostgresDatabase<T>(
  adminUrl: string,
  work: (url: string) => Promise<T>,
): Promise<T> {
  const { url, drop } = await createPostgresDatabase(adminUrl);
  try {
    return await work(url);
  } finally {
    await drop();
  }
}

/** How long a drop waits for an autovacuum worker in the database to finish. */
const DROP_WAIT_MS = 30_000;

/**
 * A fresh database named `prefix` and a unique suffix, and the function that drops it (closing every
 * connection to it). The test suite's databases come from here too.
 */
export async function createPostgresDatabase(
  adminUrl: string,
  prefix = 'bench',
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  // A client per statement: one held for the database's life could die with a server restart, and its
  // unhandled 'error' event would end the process.
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      withAdmin(adminUrl, async (admin) => {
        // FORCE ends the sessions left open, but PostgreSQL refuses it to a role without pg_signal_backend
        // while an autovacuum worker (a process of no role) is in the database: "must be a member of the
        // role whose process is being terminated" (42501). Retried until the worker is done; it failed an
        // afterAll in CI.
        const deadline = Date.now() + DROP_WAIT_MS;
        for (;;) {
          try {
            await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            return;
          } catch (error) {
            if ((error as { code?: unknown }).code !== '42501' || Date.now() > deadline) throw error;
            await new Promise((settle) => setTimeout(settle, 250));
          }
        }
      }),
  };
}

async function withAdmin<T>(adminUrl: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

export const progress = (line: string): void => {
  process.stderr.write(`bench: ${line}\n`);
};
