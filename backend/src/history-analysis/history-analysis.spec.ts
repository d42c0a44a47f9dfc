import { readFileSync } from 'node:fs';
import {
  HISTORY_ANALYSIS_FORMAT,
  historyHash,
  type HistoryAnalysisBundle,
  type HistoryAnalysisUnit,
  type HistoryTableSource,
  type HistoryTable,
} from '@district-monitor/data/history-analysis';
import { parseRegion, type UserInfo } from '@district-monitor/streams';
import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { correlationSource } from '../analysis/analysis.controller.js';
import { loadConfig } from '../config/app-config.js';
import { TrainingFailedError } from '../models/model-trainer.js';
import type { StoredAnalysis } from './history-analysis.repository.js';
import { HistoryAnalysisService, HISTORY_SEED, type HistoryStore } from './history-analysis.service.js';
import type { HistoryTrainer } from './history-analysis.trainer.js';
import { BundleFormatError, ServedAnalysis, parseBundle } from './history-analysis.views.js';

const region = parseRegion(
  JSON.parse(readFileSync(new URL('../../../data/regions/tamil-nadu.json', import.meta.url), 'utf8')),
  'tamil-nadu.json',
);

const user = (districts: readonly string[] | null): UserInfo => ({
  id: 'u1',
  username: 'it-user',
  role: 'viewer',
  districts,
  createdAt: '2025-01-01T00:00:00.000Z',
});

function unit(code: string, members: string[], profile: number, tier: 0 | 1 | 2): HistoryAnalysisUnit {
  return {
    code,
    name: members.join(' + '),
    members,
    population: 1_000_000,
    heads: [
      {
        head: 'ipc_total',
        label: 'All IPC crimes',
        observed: [{ year: 2022, count: 3000, ratePer100k: 300 }],
        forecast: [{ year: 2023, ratePer100k: 310, lower80: 250, upper80: 380 }],
        noForecastReason: null,
      },
    ],
    contributions: [
      {
        factor: 'literacy',
        label: 'literacy',
        group: 'census',
        contribution: 0.1,
        sd: 0.01,
        meanAbsChange: 0.1,
      },
    ],
    profile,
    tier: {
      unit: code,
      year: 2023,
      tier,
      tierLabel: (['low', 'middle', 'high'] as const)[tier],
      probability: 0.7,
      probabilities: [0.1, 0.2, 0.7],
      branches: {
        randomForest: { tier, probability: 0.6 },
        prophet: { tier, probability: 1 },
        kMeans: { tier: 0, probability: 0.4 },
      },
      lastObservedTier: tier,
    },
  };
}

/** Three units: Coimbatore + Erode + Tiruppur and Chennai in profile 0, Madurai in profile 1. */
const bundle: HistoryAnalysisBundle = {
  format: HISTORY_ANALYSIS_FORMAT,
  historyHash: 'abc',
  region: 'TN',
  source: 'test',
  years: [2001, 2022],
  missingYears: [2015],
  seed: 1,
  timings: { prophet: 1, forest: 2 },
  heads: [{ key: 'ipc_total', label: 'All IPC crimes' }],
  units: [
    unit('TN-CBE', ['TN-CBE', 'TN-ERD', 'TN-TUP'], 0, 1),
    unit('TN-CHN', ['TN-CHN'], 0, 2),
    unit('TN-MDU', ['TN-MDU'], 1, 0),
  ],
  importance: {
    method: 'm',
    target: 't',
    trainYears: [2003, 2017],
    testYears: [2018, 2022],
    heldOutR2: 0.8,
    repeats: 10,
    factors: [],
  },
  profiles: {
    method: 'k',
    k: 2,
    silhouette: 0.4,
    profiles: [
      { label: 0, description: 'high IPC crime', units: ['TN-CBE', 'TN-CHN'], centroid: [] },
      { label: 1, description: 'low IPC crime', units: ['TN-MDU'], centroid: [] },
    ],
  },
  tiers: { method: 'fusion', year: 2023 },
  correlations: {
    basis: 'b',
    variables: [
      { key: 'a', label: 'A', group: 'crime' },
      { key: 'b', label: 'B', group: 'socioeconomic' },
    ],
    columns: [
      [1, 2, 3],
      [2, 4, 6.5],
    ],
  },
};
const version = {
  id: 'h1',
  historyHash: 'abc',
  trainedAt: '2025-01-01T00:00:00.000Z',
  trainingSeconds: 3,
  source: 'test',
  years: [2001, 2022] as const,
  missingYears: [2015],
};

describe('ServedAnalysis', () => {
  const served = new ServedAnalysis(bundle, version, region);

  it("answers a district with its unit's figures, its profile and the peers of the other units", () => {
    const tup = served.district(user(null), 'TN-TUP');
    expect(tup?.unit.code).toBe('TN-CBE');
    expect(tup?.tier).toMatchObject({ district: 'TN-TUP', unit: 'TN-CBE', tier: 1, tierLabel: 'middle' });
    expect(tup?.profile.description).toBe('high IPC crime');
    expect([...(tup?.profile.districts ?? [])].sort()).toEqual(['TN-CBE', 'TN-CHN', 'TN-ERD', 'TN-TUP']);
    // Peers: districts of the profile outside the district's own unit.
    expect(tup?.peers).toEqual(['TN-CHN']);
    expect(served.district(user(null), 'TN-KGI')).toBeUndefined();
  });

  it("narrows tiers, units and profile members to the user's districts; sizes stay whole", () => {
    const scoped = user(['TN-TUP', 'TN-MDU']);
    expect(served.tiers(scoped).map((t) => [t.district, t.unit])).toEqual([
      ['TN-MDU', 'TN-MDU'],
      ['TN-TUP', 'TN-CBE'],
    ]);
    const summary = served.summary(scoped);
    expect(summary.units.map((u) => u.code)).toEqual(['TN-CBE', 'TN-MDU']);
    const [first, second] = summary.profiles.profiles;
    expect(first).toMatchObject({ units: ['TN-CBE'], districts: ['TN-TUP'], size: 2 });
    expect(second).toMatchObject({ units: ['TN-MDU'], districts: ['TN-MDU'], size: 1 });
    expect(summary.tiers.tiers).toHaveLength(2);
    expect(served.district(scoped, 'TN-TUP')?.peers).toEqual([]);
  });

  it('gives every district of the region covered by a unit a tier, in registry order', () => {
    const all = served.tiers(user(null)).map((t) => t.district);
    expect(all).toEqual(
      region.units
        .filter(
          (u) => u.kind === 'district' && ['TN-CBE', 'TN-ERD', 'TN-TUP', 'TN-CHN', 'TN-MDU'].includes(u.code),
        )
        .map((u) => u.code),
    );
  });

  it('computes the correlations of the stored columns, labelled as the history', () => {
    const matrix = served.correlations();
    expect(matrix.source).toBe('history');
    expect(matrix.districts).toBe(3);
    expect(matrix.values[0]?.[0]).toBe(1);
    // r of (1, 2, 3) and (2, 4, 6.5): sxy = 4.5, sxx = 2, syy = 61/6.
    expect(matrix.values[0]?.[1]).toBeCloseTo(4.5 / Math.sqrt(2 * (61 / 6)), 4);
  });
});

describe('parseBundle and correlationSource', () => {
  it('refuses a bundle of another format or without units', () => {
    expect(parseBundle(bundle)).toBe(bundle);
    expect(() => parseBundle({ ...bundle, format: 'history-analysis@0' })).toThrow(BundleFormatError);
    expect(() => parseBundle({ format: HISTORY_ANALYSIS_FORMAT })).toThrow(/no units/);
    expect(() => parseBundle(null)).toThrow(BundleFormatError);
  });

  it('reads the source of the correlations: live by default, 400 for anything else', () => {
    expect(correlationSource(undefined)).toBe('live');
    expect(correlationSource('history')).toBe('history');
    expect(() => correlationSource('both')).toThrow(BadRequestException);
    expect(() => correlationSource(['live', 'history'])).toThrow(/expected one of live, history/);
  });
});

const table: HistoryTable = {
  region: 'TN',
  source: 'test',
  years: [2021, 2022],
  categories: ['crime_body'],
  indicators: [],
  units: [],
};

class FakeStore implements HistoryStore {
  readonly rows: { id: string; hash: string; status: string; bundle?: string; error?: string }[] = [];
  private stored(row: { id: string; hash: string; bundle?: string }): StoredAnalysis {
    return {
      id: row.id,
      historyHash: row.hash,
      createdAt: new Date(0),
      finishedAt: new Date(1000),
      bundle: JSON.parse(row.bundle ?? 'null') as unknown,
    };
  }
  readyFor(hash: string) {
    const row = this.rows.find((r) => r.hash === hash && r.status === 'ready');
    return Promise.resolve(row === undefined ? undefined : this.stored(row));
  }
  latestReady() {
    const row = this.rows.filter((r) => r.status === 'ready').at(-1);
    return Promise.resolve(row === undefined ? undefined : this.stored(row));
  }
  startTraining(hash: string) {
    const id = `h${this.rows.length + 1}`;
    this.rows.push({ id, hash, status: 'training' });
    return Promise.resolve(id);
  }
  complete(id: string, text: string) {
    const row = this.rows.find((r) => r.id === id);
    if (row === undefined) throw new Error(id);
    Object.assign(row, { status: 'ready', bundle: text });
    return Promise.resolve(new Date(2000));
  }
  markFailed(id: string, error: string) {
    const row = this.rows.find((r) => r.id === id);
    if (row !== undefined) Object.assign(row, { status: 'failed', error });
    return Promise.resolve();
  }
  failInterrupted() {
    const ids = this.rows.filter((r) => r.status === 'training').map((r) => r.id);
    for (const row of this.rows) if (row.status === 'training') row.status = 'failed';
    return Promise.resolve(ids);
  }
}

class FakeTrainer implements HistoryTrainer {
  readonly calls: { table: HistoryTable; seed: number }[] = [];
  constructor(private readonly answer: () => Promise<string>) {}
  train(tableArg: HistoryTable, seed: number) {
    this.calls.push({ table: tableArg, seed });
    return this.answer();
  }
  cancel() {
    return Promise.resolve();
  }
}

const source = (load: () => Promise<HistoryTable>): HistoryTableSource => ({
  description: 'the test history',
  load,
});

function service(
  store: FakeStore,
  trainer: FakeTrainer,
  from: HistoryTableSource,
  env: Record<string, string> = {},
) {
  return new HistoryAnalysisService(loadConfig(env), region, store, from, trainer);
}

describe('HistoryAnalysisService', () => {
  it('trains when no analysis of the history is stored, stores it and serves it', async () => {
    const store = new FakeStore();
    const trainer = new FakeTrainer(() => Promise.resolve(JSON.stringify(bundle)));
    const history = service(
      store,
      trainer,
      source(() => Promise.resolve(table)),
    );
    expect(history.status().state).toBe('absent');
    history.onApplicationBootstrap();
    await history.settled();
    expect(trainer.calls).toEqual([{ table, seed: HISTORY_SEED }]);
    expect(store.rows).toMatchObject([{ id: 'h1', hash: historyHash(table), status: 'ready' }]);
    expect(history.status()).toEqual({ state: 'ready', reason: null });
    expect(history.analysis?.version).toMatchObject({
      id: 'h1',
      historyHash: historyHash(table),
      trainingSeconds: 3,
    });
    expect(history.response(user(['TN-MDU'])).analysis?.tiers.tiers.map((t) => t.district)).toEqual([
      'TN-MDU',
    ]);
  });

  it('serves the stored analysis of the same history without training, and retrains when the history changed', async () => {
    const store = new FakeStore();
    store.rows.push({ id: 'h1', hash: historyHash(table), status: 'ready', bundle: JSON.stringify(bundle) });
    const trainer = new FakeTrainer(() => Promise.resolve(JSON.stringify(bundle)));
    const same = service(
      store,
      trainer,
      source(() => Promise.resolve(table)),
    );
    same.onApplicationBootstrap();
    await same.settled();
    expect(trainer.calls).toHaveLength(0);
    expect(same.analysis?.version.id).toBe('h1');

    const changed = { ...table, years: [2022] };
    const other = service(
      store,
      trainer,
      source(() => Promise.resolve(changed)),
    );
    other.onApplicationBootstrap();
    await other.settled();
    expect(trainer.calls).toHaveLength(1);
    expect(other.analysis?.version).toMatchObject({ id: 'h2', historyHash: historyHash(changed) });
  });

  it('says why when the training fails, and records the failure', async () => {
    const store = new FakeStore();
    const trainer = new FakeTrainer(() =>
      Promise.reject(new TrainingFailedError('RangeError: too few years', 'error')),
    );
    const history = service(
      store,
      trainer,
      source(() => Promise.resolve(table)),
    );
    history.onApplicationBootstrap();
    await history.settled();
    expect(history.status()).toEqual({
      state: 'failed',
      reason: 'the history analysis failed: RangeError: too few years',
    });
    expect(history.analysis).toBeUndefined();
    expect(store.rows).toMatchObject([{ status: 'failed', error: 'RangeError: too few years' }]);
  });

  it('serves the newest stored analysis when the history cannot be read, and fails with the reason when there is none', async () => {
    const unreadable = source(() => Promise.reject(new Error('ENOENT: no such file')));
    const empty = service(
      new FakeStore(),
      new FakeTrainer(() => Promise.reject(new Error('unused'))),
      unreadable,
    );
    empty.onApplicationBootstrap();
    await empty.settled();
    expect(empty.status().state).toBe('failed');
    expect(empty.status().reason).toMatch(/could not be read \(the test history\): ENOENT/);

    const store = new FakeStore();
    store.rows.push({ id: 'h7', hash: 'older', status: 'ready', bundle: JSON.stringify(bundle) });
    const fallback = service(store, new FakeTrainer(() => Promise.reject(new Error('unused'))), unreadable);
    fallback.onApplicationBootstrap();
    await fallback.settled();
    expect(fallback.analysis?.version.id).toBe('h7');
  });

  it('retrains over a stored bundle it cannot read, and does nothing when off', async () => {
    const store = new FakeStore();
    store.rows.push({ id: 'h1', hash: historyHash(table), status: 'ready', bundle: '{"format":"old"}' });
    const trainer = new FakeTrainer(() => Promise.resolve(JSON.stringify(bundle)));
    const history = service(
      store,
      trainer,
      source(() => Promise.resolve(table)),
    );
    history.onApplicationBootstrap();
    await history.settled();
    expect(trainer.calls).toHaveLength(1);

    const off = service(
      new FakeStore(),
      trainer,
      source(() => Promise.resolve(table)),
      { HISTORY_ANALYSIS: 'off' },
    );
    off.onApplicationBootstrap();
    await off.settled();
    expect(off.status()).toEqual({
      state: 'absent',
      reason: 'the history analysis is off (HISTORY_ANALYSIS=off)',
    });
    expect(trainer.calls).toHaveLength(1);
  });
});
