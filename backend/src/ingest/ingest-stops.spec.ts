import { readFileSync } from 'node:fs';
import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import { parseRegion, type BatchSummary, type MonitorEvent } from '@district-monitor/streams';
import { createSimulator } from '@district-monitor/streams/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config.js';
import { EventBus } from '../events/event-bus.js';
import { MIGRATIONS, bucketContext, migrate } from '../database/migrate.js';
import { PgliteDatabase } from '../database/pglite.repository.js';
import { degradedReasons } from '../health/health.controller.js';
import { BatchRunner, type BatchControl } from '../transport/batch-runner.js';
import { DeadLetterTableRepository } from '../transport/dead-letter.repository.js';
import { isRetriable, NonRetriableError } from '../transport/errors.js';
import type { InboundBatch, SourceHealth } from '../transport/transport.js';
import { EventStoreRepository, type CountChange } from '../database/event-store.repository.js';
import { IngestService } from './ingest.service.js';

const region = parseRegion(
  JSON.parse(readFileSync(new URL('../../../data/regions/tamil-nadu.json', import.meta.url), 'utf8')),
  'tamil-nadu.json',
);

const batchOf = (list: readonly MonitorEvent[], extra: readonly string[] = []): InboundBatch => ({
  heartbeat: () => Promise.resolve(),
  messages: [
    ...list.map((event, i) => ({
      topic: event.kind === 'incident' ? 'incidents' : 'accidents',
      partition: 0,
      offset: String(i),
      key: event.district,
      value: JSON.stringify(event),
    })),
    ...extra.map((value, i) => ({
      topic: 'incidents',
      partition: 0,
      offset: String(list.length + i),
      key: null,
      value,
    })),
  ],
});

/** Every line the Nest loggers write while the spec runs, level first. */
const lines: string[] = [];
const capture: LoggerService = {
  log: (...parts: unknown[]) => lines.push(['log', ...parts.map(String)].join(' ')),
  error: (...parts: unknown[]) => lines.push(['error', ...parts.map(String)].join(' ')),
  warn: (...parts: unknown[]) => lines.push(['warn', ...parts.map(String)].join(' ')),
  debug: (...parts: unknown[]) =>
    lines.push(['debug', ...parts.map((part) => JSON.stringify(part))].join(' ')),
  verbose: () => undefined,
};

/** A batch's control as kafkajs's `eachBatch` payload gives it (a live partition), recording resolves. */
function control(position: string): BatchControl & { resolved: number } {
  const state = { resolved: 0 };
  return Object.assign(state, {
    position,
    isLive: () => true,
    heartbeat: () => Promise.resolve(),
    resolve: () => {
      state.resolved++;
    },
  });
}

/** What the Kafka source reports to /api/health once its runner stopped the consumer (kafka.consumer.ts). */
function sourceHealthOf(runner: BatchRunner): SourceHealth {
  return {
    state: runner.failure === null ? 'running' : 'crashed',
    failure: runner.failure,
    lastError: runner.failure,
    retrying: runner.retrying,
    brokers: { reachable: true, error: null },
    lag: 0,
    lagByPartition: [],
    lastProgressAt: null,
    stalled: false,
    stallAfterSeconds: 60,
  };
}

describe('the batch path on the real ingest wiring (PGlite event store, dead-letter table, batch runner)', () => {
  let db: PgliteDatabase;
  const summaries: BatchSummary[] = [];
  let applied = 0;
  /** A subscriber with a bug: it reads a district it never loaded (a TypeError, on every attempt). */
  let buggy = false;
  const totals = new Map<string, { events: number }>();
  let ingest: IngestService;

  beforeAll(async () => {
    Logger.overrideLogger(capture);
    db = await PgliteDatabase.open('memory://');
    expect(await migrate(db, bucketContext(region))).toEqual(
      MIGRATIONS.map((migration) => migration.version),
    );
    const bus = new EventBus();
    bus.on('batch.handled', (summary) => summaries.push(summary));
    bus.on('batch.committed', ({ changes }) => {
      applyChanges(changes);
    });
    ingest = new IngestService(
      loadConfig({}),
      region,
      new EventStoreRepository(db),
      new DeadLetterTableRepository(db),
      bus,
    );
    /** The features' subscriber, with its bug switched on by `buggy`. */
    function applyChanges(changes: readonly CountChange[]): void {
      applied++;
      const table = buggy ? new Map<string, { events: number }>() : totals;
      for (const change of changes) {
        if (!buggy && !table.has(change.district)) table.set(change.district, { events: 0 });
        (table.get(change.district) as { events: number }).events += change.events;
      }
    }
  });
  afterAll(async () => {
    Logger.overrideLogger(new ConsoleLogger());
    await db.close();
  });

  const count = async (sql: string) => (await db.query<{ n: number }>(sql)).rows[0]?.n ?? NaN;

  it('returns the outcome of a batch and logs each dead letter with topic, partition and offset', async () => {
    const events = createSimulator({ region, seed: 5 }).burst(4, Date.parse('2024-05-01T00:00:00Z'));
    const runner = new BatchRunner((batch) => ingest.handleBatch(batch, 'kafka').then(() => undefined), {
      initialDelayMs: 1,
      maxDelayMs: 4,
    });
    const outcome = await ingest.handleBatch(batchOf(events, ['{"not":"an event"}']), 'kafka');
    expect(outcome).toMatchObject({ processed: 5, stored: 4, duplicates: 0, deadLettered: 1 });
    expect(outcome.deadLetters.map(({ message }) => message.offset)).toEqual(['4']);
    expect(lines.filter((line) => line.startsWith('warn dead-lettered incidents/0@4: '))).toHaveLength(1);
    expect(await count('SELECT count(*)::int AS n FROM dead_letters')).toBe(1);

    // The same batch again: every event a duplicate, the bad message dead-lettered again, nothing thrown.
    const again = control('incidents/0@0');
    await runner.run(batchOf(events, ['{"not":"an event"}']), again);
    expect(again.resolved).toBe(1);
    expect(summaries.at(-1)).toMatchObject({ stored: 0, duplicates: 4, deadLettered: 1 });
    expect(runner.failure).toBeNull();
  });

  it('stops the consumer on a TypeError of a subscriber: tried once, logged with its position, health degraded', async () => {
    buggy = true;
    const events = createSimulator({ region, seed: 6 }).burst(6, Date.parse('2024-05-02T00:00:00Z'));
    const before = await count(
      'SELECT (SELECT count(*) FROM incidents) + (SELECT count(*) FROM accidents) AS n',
    );
    let handled = 0;
    const runner = new BatchRunner(
      (batch) => {
        handled++;
        return ingest.handleBatch(batch, 'kafka').then(() => undefined);
      },
      { initialDelayMs: 1, maxDelayMs: 4 },
    );
    const appliedBefore = applied;
    const batchControl = control('incidents/0@0');
    const error = await runner.run(batchOf(events), batchControl).catch((thrown: unknown) => thrown);

    // Not retried: the handler ran once, the offsets were not resolved, and kafkajs (whose
    // restartOnFailure asks isRetriable) does not restart the consumer on it.
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    expect(isRetriable(error)).toBe(false);
    expect(handled).toBe(1);
    expect(applied - appliedBefore).toBe(1);
    expect(batchControl.resolved).toBe(0);
    // The store committed before the subscriber failed, once.
    expect(
      await count('SELECT (SELECT count(*) FROM incidents) + (SELECT count(*) FROM accidents) AS n'),
    ).toBe(before + 6);

    const logged = lines.filter((line) => line.startsWith('error a programming error stops the consumer'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('batch incidents/0@0: TypeError: Cannot read properties of undefined');

    const reasons = degradedReasons({ ...db.info, ok: true }, sourceHealthOf(runner));
    expect(reasons).toEqual([
      expect.stringMatching(
        /^ingest stopped: batch incidents\/0@0: TypeError: Cannot read properties of undefined/,
      ),
    ]);
  });
});
