import { readFileSync } from 'node:fs';
import type { ModelCard, ModelRequester, ModelVersionInfo } from '@district-monitor/streams';
import { parseRegion } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config.js';
import { TrainingInProgressError, type ActiveVersion } from './model-registry.repository.js';
import {
  ActivationRefusedError,
  ModelRegistryService,
  TRAINING_SEED,
  type RegistryStore,
  type Scoring,
  type TrainingData,
} from './model-registry.service.js';
import { TrainingFailedError, type ModelTrainer, type TrainingJob } from './model-trainer.js';
import type {
  ActivationCheck,
  CoordinationHealth,
  ModelCoordination,
  TrainingLease,
} from './model-coordination.js';
import type { ActiveScorer, ScorerLoader } from './scorer.js';
import type { CountRow, TrainingDataSummary } from './training-data.js';

const region = parseRegion(
  JSON.parse(readFileSync(new URL('../../../data/regions/tamil-nadu.json', import.meta.url), 'utf8')),
  'tamil-nadu.json',
);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 10:20 UTC is 15:50 IST: the current local hour began at 10:00 UTC (hours start at hh:30 UTC in IST). */
const NOW = Date.parse('2025-06-02T10:20:00Z');
const HOUR_START = Date.parse('2025-06-02T09:30:00Z');

const cardOf = (version: string): ModelCard => ({
  trainedAt: `card of ${version}`,
  window: { from: '', to: '' },
  data: {},
  features: { crime: 128, trend: 64, profile: 32, fusion: 224 },
  metrics: {},
  branches: {},
  timings: {},
});

/** The registry in memory, with the database's rules: one training at a time, only ready versions active. */
class MemoryStore implements RegistryStore {
  readonly versions: (ModelVersionInfo & { bundle?: string })[] = [];
  activeId: string | undefined;
  private next = 1;

  startTraining(requestedBy: ModelRequester, trainedUntil: Date): Promise<ModelVersionInfo> {
    const running = this.versions.find((version) => version.status === 'training');
    if (running !== undefined) return Promise.reject(new TrainingInProgressError(running.id));
    const version: ModelVersionInfo = {
      id: `v${this.next++}`,
      status: 'training',
      requestedBy,
      createdAt: new Date(NOW).toISOString(),
      finishedAt: null,
      trainedUntil: trainedUntil.toISOString(),
      active: false,
      card: null,
      error: null,
    };
    this.versions.push(version);
    return Promise.resolve(version);
  }

  completeAndActivate(id: string, card: ModelCard, bundle: string): Promise<Date> {
    const i = this.versions.findIndex((version) => version.id === id && version.status === 'training');
    const version = this.versions[i];
    if (version === undefined) return Promise.reject(new Error(`${id} is not training`));
    this.versions[i] = { ...version, status: 'ready', card, bundle, finishedAt: 'now' };
    this.activeId = id;
    return Promise.resolve(new Date(NOW));
  }

  activate(id: string): Promise<Date> {
    const version = this.versions.find((candidate) => candidate.id === id);
    if (version?.status !== 'ready') return Promise.reject(new Error(`${id} is not ready`));
    this.activeId = id;
    return Promise.resolve(new Date(NOW));
  }

  markFailed(id: string, error: string): Promise<boolean> {
    const i = this.versions.findIndex((version) => version.id === id && version.status === 'training');
    const version = this.versions[i];
    if (version === undefined) return Promise.resolve(false);
    this.versions[i] = { ...version, status: 'failed', error, finishedAt: 'now' };
    return Promise.resolve(true);
  }

  async failInterrupted(reason: string): Promise<string[]> {
    const ids = this.versions.filter((version) => version.status === 'training').map((version) => version.id);
    for (const id of ids) await this.markFailed(id, reason);
    return ids;
  }

  latest(): Promise<ModelVersionInfo | undefined> {
    return Promise.resolve(this.versions.at(-1));
  }

  get(id: string): Promise<ModelVersionInfo | undefined> {
    return Promise.resolve(this.versions.find((version) => version.id === id));
  }

  activeBundle(): Promise<{ id: string; bundle: unknown } | undefined> {
    const version = this.versions.find((candidate) => candidate.id === this.activeId);
    if (version?.bundle === undefined) return Promise.resolve(undefined);
    return Promise.resolve({ id: version.id, bundle: JSON.parse(version.bundle) as unknown });
  }

  active(): Promise<ActiveVersion | undefined> {
    const version = this.versions.find((candidate) => candidate.id === this.activeId);
    if (version?.card == null) return Promise.resolve(undefined);
    return Promise.resolve({
      id: version.id,
      activatedAt: new Date(NOW),
      trainedUntil: new Date(version.trainedUntil),
      card: version.card,
    });
  }

  status(id: string): Pick<ModelVersionInfo, 'status' | 'error'> | undefined {
    const version = this.versions.find((candidate) => candidate.id === id);
    return version === undefined ? undefined : { status: version.status, error: version.error };
  }
}

/** One crime_body count per day over `days` days before NOW, `perDay` events each. */
class FakeData implements TrainingData {
  readonly reads: [number, number][] = [];

  constructor(
    private readonly days: number,
    private readonly perDay = 10,
  ) {}

  private rows(): CountRow[] {
    return Array.from({ length: this.days }, (_, i) => ({
      bucket: new Date(HOUR_START - (i + 1) * DAY),
      district: i % 2 === 0 ? 'TN-CHN' : 'TN-MDU',
      category: 'crime_body' as const,
      events: this.perDay,
      killed: 0,
      injured: 0,
    }));
  }

  summary(from: Date, until: Date): Promise<TrainingDataSummary> {
    const rows = this.rows().filter((row) => row.bucket >= from && row.bucket < until);
    const first = rows.reduce<number | null>(
      (min, row) => (min === null ? row.bucket.getTime() : Math.min(min, row.bucket.getTime())),
      null,
    );
    return Promise.resolve({ firstBucket: first, events: rows.reduce((sum, row) => sum + row.events, 0) });
  }

  hourlyBetween(from: Date, until: Date): Promise<CountRow[]> {
    this.reads.push([from.getTime(), until.getTime()]);
    return Promise.resolve(this.rows().filter((row) => row.bucket >= from && row.bucket < until));
  }
}

/** A trainer whose trainings the test ends: `finish(i)` with a bundle, `fail(i)` with an error. */
class FakeTrainer implements ModelTrainer {
  readonly jobs: { job: TrainingJob; resolve(text: string): void; reject(error: Error): void }[] = [];
  cancelled = 0;

  train(job: TrainingJob): Promise<string> {
    return new Promise((resolve, reject) => {
      this.jobs.push({ job, resolve, reject });
    });
  }

  cancel(): Promise<void> {
    this.cancelled++;
    for (const pending of this.jobs) pending.reject(new TrainingFailedError('worker terminated', 'crash'));
    return Promise.resolve();
  }

  finish(i: number): void {
    const pending = this.jobs[i];
    if (pending === undefined) throw new Error(`no training ${i}`);
    pending.resolve(JSON.stringify({ format: 'district-models@1', region: 'TN', marker: i }));
  }
}

class FakeLoader implements ScorerLoader {
  failWith: string | undefined;
  readonly loaded: { bundle: unknown; version: string }[] = [];

  load(bundle: unknown, version: string): Promise<ActiveScorer> {
    this.loaded.push({ bundle, version });
    if (this.failWith !== undefined) return Promise.reject(new Error(this.failWith));
    return Promise.resolve({
      version,
      card: cardOf(version),
      score: () => {
        throw new Error('not scored in this spec');
      },
    });
  }
}

class FakeScoring implements Scoring {
  readonly activated: string[] = [];

  activate(scorer: ActiveScorer): void {
    this.activated.push(scorer.version);
  }

  get version(): string | null {
    return this.activated.at(-1) ?? null;
  }

  health(): ReturnType<Scoring['health']> {
    const none = { count: 0, lastMs: null, meanMs: null, p99Ms: null, maxMs: null };
    return {
      districts: 0,
      intervalMs: 250,
      addedPerBatch: none,
      perRun: none,
      scoredDistricts: 0,
      meanPerDistrictMs: null,
      failures: 0,
      lastError: null,
    };
  }
}

/** Replicas sharing a server: the lock is held by "another replica" while `heldElsewhere`; notify() plays the database. */
class FakeCoordination implements ModelCoordination {
  readonly kind = 'postgres' as const;
  heldElsewhere = false;
  leases = 0;
  released = 0;
  private listener: ((check: ActivationCheck) => void) | undefined;

  follow(onActivation: (check: ActivationCheck) => void): Promise<void> {
    this.listener = onActivation;
    return Promise.resolve();
  }

  notify(check: ActivationCheck = 'notified'): void {
    this.listener?.(check);
  }

  tryLockTraining(): Promise<TrainingLease | null> {
    if (this.heldElsewhere || this.leases > this.released) return Promise.resolve(null);
    this.leases++;
    return Promise.resolve({
      release: () => {
        this.released++;
        return Promise.resolve();
      },
    });
  }

  stop(): Promise<void> {
    this.listener = undefined;
    return Promise.resolve();
  }

  health(): CoordinationHealth {
    return { kind: this.kind, listening: true, notifications: 0, reconnects: 0, lastError: null };
  }
}

function setup(
  options: { days?: number; env?: Record<string, string>; coordination?: ModelCoordination } = {},
) {
  const store = new MemoryStore();
  const data = new FakeData(options.days ?? 120);
  const trainer = new FakeTrainer();
  const loader = new FakeLoader();
  const scoring = new FakeScoring();
  const config = loadConfig({ MODEL_RETRAIN_HOURS: '0', ...options.env });
  const registry = new ModelRegistryService(
    config,
    region,
    store,
    data,
    trainer,
    loader,
    scoring,
    options.coordination,
  );
  return { store, data, trainer, loader, scoring, registry };
}

/** Stores a ready version as another replica's training would (not activated). */
async function readyVersion(store: MemoryStore, id: string): Promise<void> {
  await store.startTraining('api', new Date(HOUR_START));
  const i = store.versions.findIndex((version) => version.id === id);
  const version = store.versions[i];
  if (version === undefined) throw new Error(`${id} was not created`);
  store.versions[i] = { ...version, status: 'ready', card: cardOf(id), bundle: `{"of":"${id}"}` };
}

/** Lets the background steps before the trainer call run (reads, packing). */
async function untilTraining(trainer: FakeTrainer, count: number): Promise<void> {
  for (let i = 0; i < 100 && trainer.jobs.length < count; i++) await new Promise((r) => setImmediate(r));
  expect(trainer.jobs).toHaveLength(count);
}

describe('ModelRegistryService', () => {
  it('trains on the counts before the current local hour, then stores, activates and swaps the scorer', async () => {
    const { store, data, trainer, loader, scoring, registry } = setup();
    const version = await registry.requestTraining('api', { now: NOW });
    expect(version).toMatchObject({
      id: 'v1',
      status: 'training',
      trainedUntil: new Date(HOUR_START).toISOString(),
    });
    expect(registry.trainingVersion).toBe('v1');
    await untilTraining(trainer, 1);
    const job = trainer.jobs[0]?.job;
    // 120 daily rows of 10 events, two districts; read in 7-day slices over the 730-day window.
    expect(job).toMatchObject({ until: HOUR_START, seed: TRAINING_SEED, region });
    expect(job?.counts.length).toBe(120);
    expect(job?.counts.districts).toEqual(['TN-CHN', 'TN-MDU']);
    expect(data.reads).toHaveLength(Math.ceil(730 / 7));
    expect(data.reads[0]?.[0]).toBe(HOUR_START - 730 * DAY);
    expect(data.reads.at(-1)?.[1]).toBe(HOUR_START);
    expect(scoring.activated).toEqual([]);

    trainer.finish(0);
    await registry.idle();
    expect(store.status('v1')).toEqual({ status: 'ready', error: null });
    expect(store.activeId).toBe('v1');
    expect(loader.loaded).toEqual([
      { version: 'v1', bundle: { format: 'district-models@1', region: 'TN', marker: 0 } },
    ]);
    expect(scoring.activated).toEqual(['v1']);
    expect(registry.active).toMatchObject({
      id: 'v1',
      card: cardOf('v1'),
      trainedUntil: new Date(HOUR_START),
    });
    expect(registry.trainingVersion).toBeNull();
    expect(registry.health()).toMatchObject({
      active: { id: 'v1' },
      training: null,
      lastTraining: { id: 'v1', status: 'ready', requestedBy: 'api' },
    });
  });

  it('refuses a second training while one runs, naming it, even on the same turn', async () => {
    const { trainer, registry } = setup();
    const first = registry.requestTraining('api', { now: NOW });
    const second = registry.requestTraining('api', { now: NOW });
    await expect(second).rejects.toBeInstanceOf(TrainingInProgressError);
    expect((await first).id).toBe('v1');
    await expect(registry.requestTraining('api', { now: NOW })).rejects.toMatchObject({
      runningVersion: 'v1',
    });
    await untilTraining(trainer, 1);
    trainer.finish(0);
    await registry.idle();
    expect((await registry.requestTraining('api', { now: NOW })).id).toBe('v2');
  });

  it('records a failed training with its reason and keeps the previous version active', async () => {
    const { store, trainer, scoring, registry } = setup();
    await registry.requestTraining('api', { now: NOW });
    await untilTraining(trainer, 1);
    trainer.finish(0);
    await registry.idle();

    await registry.requestTraining('schedule', { now: NOW });
    await untilTraining(trainer, 2);
    trainer.jobs[1]?.reject(new TrainingFailedError('ModelInputError: district TN-CHN has 3 weeks', 'input'));
    await registry.idle();
    expect(store.status('v2')).toEqual({
      status: 'failed',
      error: 'ModelInputError: district TN-CHN has 3 weeks',
    });
    expect(store.activeId).toBe('v1');
    expect(scoring.activated).toEqual(['v1']);
    expect(registry.active?.id).toBe('v1');
    expect(registry.health().lastTraining).toMatchObject({ id: 'v2', status: 'failed' });
  });

  it('fails a training whose bundle cannot be loaded, without activating it', async () => {
    const { store, trainer, loader, scoring, registry } = setup();
    loader.failWith = 'ModelFormatError: forest@2 is not forest@1';
    await registry.requestTraining('api', { now: NOW });
    await untilTraining(trainer, 1);
    trainer.finish(0);
    await registry.idle();
    expect(store.status('v1')).toEqual({
      status: 'failed',
      error: 'the trained bundle could not be loaded: Error: ModelFormatError: forest@2 is not forest@1',
    });
    expect(store.activeId).toBeUndefined();
    expect(scoring.activated).toEqual([]);
  });

  it('records too little data as failed without starting the worker', async () => {
    const { store, trainer, registry } = setup({ days: 30 });
    await registry.requestTraining('api', { now: NOW });
    await registry.idle();
    expect(trainer.jobs).toHaveLength(0);
    expect(store.status('v1')?.error).toBe(
      `not enough data: the stored events span 30.0 days before ${new Date(HOUR_START).toISOString()}; ` +
        'a training needs at least 105',
    );
  });

  it('trains until an instant the caller gives', async () => {
    const { trainer, registry } = setup();
    const until = HOUR_START - 10 * DAY;
    expect((await registry.requestTraining('api', { until, now: NOW })).trainedUntil).toBe(
      new Date(until).toISOString(),
    );
    await untilTraining(trainer, 1);
    // Rows of the last ten days lie after `until`: 110 remain.
    expect(trainer.jobs[0]?.job.counts.length).toBe(110);
  });

  describe('start-up and schedule', () => {
    it('loads the active version at start, and trains nothing when it loads', async () => {
      const { store, trainer, loader, scoring, registry } = setup({ env: { MODEL_RETRAIN_HOURS: '24' } });
      await store.startTraining('api', new Date(HOUR_START));
      await store.completeAndActivate('v1', cardOf('v1'), '{"format":"district-models@1","region":"TN"}');
      await registry.start(NOW);
      await registry.stop();
      expect(loader.loaded.map((entry) => entry.version)).toEqual(['v1']);
      expect(scoring.activated).toEqual(['v1']);
      expect(registry.health()).toMatchObject({ active: { id: 'v1' }, loadError: null });
      expect(trainer.jobs).toHaveLength(0);
    });

    it('marks trainings left running failed, and trains a first version when enough data is stored', async () => {
      const { store, trainer, registry } = setup({ env: { MODEL_RETRAIN_HOURS: '24' } });
      await store.startTraining('api', new Date(HOUR_START));
      await registry.start(NOW);
      expect(store.status('v1')).toEqual({
        status: 'failed',
        error: 'interrupted: the backend stopped while it trained',
      });
      await untilTraining(trainer, 1);
      expect(registry.trainingVersion).toBe('v2');
      expect(store.versions[1]?.requestedBy).toBe('startup');
      // Stopping ends the worker; the version is recorded as stopped.
      await registry.stop();
      expect(trainer.cancelled).toBe(1);
      expect(store.status('v2')).toEqual({
        status: 'failed',
        error: 'stopped: the backend shut down during training',
      });
      await expect(registry.requestTraining('api', { now: NOW })).rejects.toThrow('the backend is stopping');
    });

    it('reports an active version that cannot be loaded, and trains a replacement', async () => {
      const { store, trainer, loader, registry } = setup({ env: { MODEL_RETRAIN_HOURS: '24' } });
      await store.startTraining('api', new Date(HOUR_START));
      await store.completeAndActivate('v1', cardOf('v1'), '{"format":"district-models@0"}');
      loader.failWith = 'expected a district-models@1 bundle';
      await registry.start(NOW);
      expect(registry.active).toBeUndefined();
      expect(registry.health().loadError).toBe('v1: Error: expected a district-models@1 bundle');
      expect(registry.unavailableReason).toBe(
        'the active model could not be loaded: v1: Error: expected a district-models@1 bundle',
      );
      await untilTraining(trainer, 1);
      await registry.stop();
    });

    it('does not train at start with too little data, nor at all with MODEL_RETRAIN_HOURS=0', async () => {
      const short = setup({ days: 20, env: { MODEL_RETRAIN_HOURS: '24' } });
      await short.registry.start(NOW);
      await short.registry.stop();
      expect(short.store.versions).toEqual([]);

      const off = setup({ env: { MODEL_RETRAIN_HOURS: '0' } });
      await off.registry.start(NOW);
      await off.registry.tick(NOW + 1000 * DAY);
      await off.registry.stop();
      expect(off.store.versions).toEqual([]);
    });

    it('schedules the next training MODEL_RETRAIN_HOURS after the last attempt', async () => {
      const { store, trainer, registry } = setup({ env: { MODEL_RETRAIN_HOURS: '6' } });
      await registry.requestTraining('api', { now: NOW });
      await untilTraining(trainer, 1);
      trainer.finish(0);
      await registry.idle();
      await registry.tick(NOW + 6 * HOUR - 1);
      expect(store.versions).toHaveLength(1);
      await registry.tick(NOW + 6 * HOUR);
      expect(store.versions.map((version) => version.requestedBy)).toEqual(['api', 'schedule']);
      await untilTraining(trainer, 2);
      trainer.finish(1);
      await registry.idle();
      expect(store.activeId).toBe('v2');
    });
  });

  describe('across replicas', () => {
    it('serves a version another replica activated once notified, and ignores a notification of the one it serves', async () => {
      const coordination = new FakeCoordination();
      const { store, loader, scoring, registry } = setup({ coordination });
      await readyVersion(store, 'v1');
      await readyVersion(store, 'v2');
      await store.activate('v1');
      await registry.start(NOW);
      expect(registry.active?.id).toBe('v1');
      // Another replica activates v2: the database notifies.
      await store.activate('v2');
      coordination.notify();
      await registry.followActive('re-check');
      expect(registry.active?.id).toBe('v2');
      expect(scoring.activated).toEqual(['v1', 'v2']);
      coordination.notify();
      await registry.followActive('re-check');
      expect(loader.loaded.map((entry) => entry.version)).toEqual(['v1', 'v2']);
      await registry.stop();
    });

    it('keeps the served version when the newly active bundle cannot be loaded', async () => {
      const coordination = new FakeCoordination();
      const { store, loader, registry } = setup({ coordination });
      await readyVersion(store, 'v1');
      await readyVersion(store, 'v2');
      await store.activate('v1');
      await registry.start(NOW);
      await store.activate('v2');
      loader.failWith = 'corrupt bundle';
      await registry.followActive('notified');
      expect(registry.active?.id).toBe('v1');
      loader.failWith = undefined;
      await registry.followActive('re-check');
      expect(registry.active?.id).toBe('v2');
      await registry.stop();
    });

    it('does not train while another replica holds the lock, naming its version, and trains once it is free', async () => {
      const coordination = new FakeCoordination();
      const { store, trainer, registry } = setup({ coordination });
      await store.startTraining('schedule', new Date(HOUR_START)); // v1, on the other replica
      coordination.heldElsewhere = true;
      const refused = registry.requestTraining('api', { now: NOW });
      await expect(refused).rejects.toBeInstanceOf(TrainingInProgressError);
      await expect(refused).rejects.toMatchObject({ runningVersion: 'v1' });
      expect(store.versions).toHaveLength(1);
      expect(registry.trainingVersion).toBeNull();
      // That replica died: its lock went with its connection, and its version is marked failed.
      coordination.heldElsewhere = false;
      const version = await registry.requestTraining('api', { now: NOW });
      expect(version.id).toBe('v2');
      expect(store.status('v1')).toEqual({
        status: 'failed',
        error: 'interrupted: the replica that trained it stopped',
      });
      await untilTraining(trainer, 1);
      trainer.jobs[0]?.resolve('{"format":"district-models@1","region":"TN"}');
      await registry.idle();
      expect(coordination.released).toBe(coordination.leases);
      expect(registry.active?.id).toBe('v2');
    });

    it('leaves a training of another replica alone at start', async () => {
      const coordination = new FakeCoordination();
      const { store, registry } = setup({ coordination });
      await store.startTraining('api', new Date(HOUR_START));
      coordination.heldElsewhere = true;
      await registry.start(NOW);
      expect(store.status('v1')).toEqual({ status: 'training', error: null });
      await registry.stop();
    });

    it('activates a ready version through the API path, and refuses unknown and unready ones', async () => {
      const { store, registry } = setup();
      await readyVersion(store, 'v1');
      await store.startTraining('api', new Date(HOUR_START)); // v2, training
      await expect(registry.activate('v9')).rejects.toMatchObject({
        name: 'ActivationRefusedError',
        reason: 'unknown',
      });
      await expect(registry.activate('v2')).rejects.toBeInstanceOf(ActivationRefusedError);
      await expect(registry.activate('v2')).rejects.toThrow('v2 is training; only a ready version');
      const active = await registry.activate('v1');
      expect(active.id).toBe('v1');
      expect(registry.active?.id).toBe('v1');
    });
  });
});
