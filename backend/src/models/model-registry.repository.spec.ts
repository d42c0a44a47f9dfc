import type { ModelCard } from '@district-monitor/streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketContext, migrate } from '../database/migrate.js';
import { PgliteDatabase } from '../database/pglite.repository.js';
import { ModelRegistryRepository, TrainingInProgressError } from './model-registry.repository.js';

const card = (trainedAt: string): ModelCard => ({
  trainedAt,
  window: { from: '2024-01-01T00:00:00.000Z', to: '2024-12-31T23:00:00.000Z' },
  data: { districts: 4, samples: 208, events: 12_345 },
  features: { crime: 128, trend: 64, profile: 32, fusion: 224 },
  metrics: { accuracy: 0.61, mase: 0.8, brier: null },
  branches: { forest: { trees: 50 }, profiles: { k: 3, silhouette: 0.41 } },
  timings: { forecasts: 1.5, fusion: 2.25 },
});

/** A bundle-sized JSON text: nested objects, floats, long base64-like strings. */
const bundleText = (seed: number): string =>
  JSON.stringify({
    format: 'district-models@1',
    region: 'TN',
    trainedUntil: 1_735_689_600_000,
    card: card('2025-01-01T00:00:00.000Z'),
    branches: {
      forecasts: { format: 'forecasts@1', series: Array.from({ length: 200 }, (_, i) => (i * seed) / 7) },
      forest: { format: 'forest@1', weights: 'QUJD'.repeat(50_000) },
      profiles: {
        format: 'profiles@1',
        centroids: [
          [0.1, -2.5e-7],
          [1e21, 3],
        ],
      },
      fusion: { format: 'fusion@1', layers: [{ units: 32, bias: [0.5, -0.25] }] },
    },
  });

describe('ModelRegistryRepository on PGlite', () => {
  let db: PgliteDatabase;
  let registry: ModelRegistryRepository;

  beforeAll(async () => {
    db = await PgliteDatabase.open('memory://');
    await migrate(db, bucketContext({ timeZone: 'Asia/Kolkata' }));
    registry = new ModelRegistryRepository(db);
    // PGlite starts in seconds, slower when the cores are shared.
  }, 60_000);
  afterAll(() => db.close());

  it('round-trips a version: training, then stored and activated in one step, bundle unchanged', async () => {
    expect(await registry.active()).toBeUndefined();
    const until = new Date('2025-01-01T00:00:00Z');
    const started = await registry.startTraining('api', until);
    expect(started).toMatchObject({
      id: 'v1',
      status: 'training',
      requestedBy: 'api',
      trainedUntil: until.toISOString(),
      active: false,
      card: null,
      error: null,
      finishedAt: null,
    });
    const text = bundleText(1);
    const activatedAt = await registry.completeAndActivate('v1', card('2025-01-01T00:00:00.000Z'), text);
    expect(activatedAt).toBeInstanceOf(Date);
    expect(await registry.activeBundle()).toEqual({ id: 'v1', bundle: JSON.parse(text) as unknown });
    expect(await registry.active()).toEqual({
      id: 'v1',
      activatedAt,
      trainedUntil: until,
      card: card('2025-01-01T00:00:00.000Z'),
    });
    const listed = await registry.list();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id: 'v1', status: 'ready', active: true });
    expect(listed[0]).not.toHaveProperty('bundle');
  });

  it('allows one training at a time, and names the running one', async () => {
    const second = await registry.startTraining('schedule', new Date('2025-02-01T00:00:00Z'));
    const refused = await registry
      .startTraining('api', new Date('2025-02-01T00:00:00Z'))
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TrainingInProgressError);
    expect((refused as TrainingInProgressError).runningVersion).toBe(second.id);
    expect(await registry.markFailed(second.id, 'ModelInputError: too little data')).toBe(true);
    // Failed once: not again, and the active version did not move.
    expect(await registry.markFailed(second.id, 'again')).toBe(false);
    expect(await registry.get(second.id)).toMatchObject({
      status: 'failed',
      error: 'ModelInputError: too little data',
      active: false,
    });
    expect((await registry.active())?.id).toBe('v1');
  });

  it('activates only a ready version, and never lets the active one be marked failed', async () => {
    const failed = (await registry.list()).find((version) => version.status === 'failed');
    await expect(registry.activate(failed?.id ?? 'none')).rejects.toThrow();
    await expect(
      db.query(
        "UPDATE model_versions SET status = 'failed', error = 'x', finished_at = now() WHERE id = 'v1'",
      ),
    ).rejects.toThrow();
    expect((await registry.active())?.id).toBe('v1');
  });

  it('switches the active version, marks trainings a crash left failed, and lists newest first', async () => {
    const third = await registry.startTraining('api', new Date('2025-03-01T00:00:00Z'));
    await registry.completeAndActivate(third.id, card('2025-03-01T00:00:00.000Z'), bundleText(3));
    expect((await registry.activeBundle())?.id).toBe(third.id);
    // Rolling back to v1 is one activation.
    await registry.activate('v1');
    expect((await registry.active())?.id).toBe('v1');

    for (let i = 0; i < 8; i++) {
      const version = await registry.startTraining('schedule', new Date('2025-04-01T00:00:00Z'));
      await registry.markFailed(version.id, `attempt ${i}`);
    }
    const left = await registry.startTraining('startup', new Date('2025-05-01T00:00:00Z'));
    expect(await registry.failInterrupted('interrupted')).toEqual([left.id]);
    const ids = (await registry.list()).map((version) => version.id);
    // v3 is the refused second training: its sequence number was drawn, then the insert failed.
    expect(ids).toEqual(['v13', 'v12', 'v11', 'v10', 'v9', 'v8', 'v7', 'v6', 'v5', 'v4', 'v2', 'v1']);
    expect(await registry.latest()).toMatchObject({ id: 'v13', status: 'failed', error: 'interrupted' });
  });
});
