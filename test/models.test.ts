import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { readRateTable } from '@district-monitor/data';
import type {
  ActiveModelResponse,
  DistrictScore,
  ModelVersionsResponse,
  MonitorEvent,
  Region,
  ScoresResponse,
  ScoresUpdate,
} from '@district-monitor/streams';
import { createSimulator } from '@district-monitor/streams/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, TEST_ADMIN_PASSWORD, type RunningBackend } from './helpers/backend.js';
import { region as tamilNadu } from './helpers/events.js';
import { createDatabase, REPO_ROOT, requireEnv, waitFor } from './helpers/services.js';
import { connectBoard } from './helpers/socket.js';

/**
 * The models end to end, on the built backend: retraining through the API on a year of simulated
 * events, activation, scores of the districts a batch touched (REST and Socket.IO), a failed training
 * that leaves the active version serving, the registry surviving a restart, and retraining kept to admins.
 */
const DISTRICTS = ['TN-CHN', 'TN-MDU', 'TN-CBE', 'TN-TNV', 'TN-VLR', 'TN-KKI'];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Events per day across the six districts: about 22,000 in the simulated year. */
const EVENTS_PER_DAY = 60;
/** Trainings of six districts over a year take seconds to tens of seconds; leave room for two slow cores. */
const TRAINING_MS = 360_000;

/** Six Tamil Nadu districts and Chennai's and Madurai's commissionerates: a small region keeps training quick. */
const region: Region = {
  code: tamilNadu.code,
  name: `${tamilNadu.name} (model test)`,
  timeZone: tamilNadu.timeZone,
  units: tamilNadu.units.filter(
    (unit) => DISTRICTS.includes(unit.code) || unit.code === 'TN-CHNC' || unit.code === 'TN-MDUC',
  ),
};

/** A year of events up to an hour ago, from the calibrated simulator (the rate table's district mix). */
function simulatedYear(now: number): MonitorEvent[] {
  const rates = readRateTable(`${REPO_ROOT}data/rates/tamil-nadu.json`, region);
  const simulator = createSimulator({
    region,
    ...(rates === undefined ? {} : { rates }),
    ratePerSecond: EVENTS_PER_DAY / 86_400,
    seed: 5,
    source: 'it-models',
  });
  const start = now - 365 * DAY;
  const events: MonitorEvent[] = [];
  simulator.tick(start);
  for (let at = start + HOUR; at <= now - HOUR; at += HOUR) events.push(...simulator.tick(at));
  return events;
}

/** `count` events in the last minute, spread over `districts` only. */
function freshEvents(count: number, districts: readonly string[], seed: number): MonitorEvent[] {
  return createSimulator({ region, ratePerSecond: 1, seed, source: `it-models-fresh${seed}` })
    .burst(count, Date.now() - 1000)
    .map(({ unit: _unit, ...event }, i) => ({
      ...event,
      district: districts[i % districts.length] ?? 'TN-CHN',
    }));
}

interface Reply<T> {
  status: number;
  body: T;
}

/** The admin's session token of the running scenario: `call` sends it unless told otherwise. */
let session: string | undefined;

/** `token` undefined: the admin's session; null: no credential at all. */
async function call<T = Record<string, unknown>>(
  url: string,
  init: { method?: string; token?: string | null; body?: string } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = {};
  const token = init.token === undefined ? session : init.token;
  if (token !== null && token !== undefined) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function postEvents(url: string, events: readonly MonitorEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 5000) {
    const reply = await call(`${url}/api/events`, {
      method: 'POST',
      token: null,
      body: JSON.stringify(events.slice(i, i + 5000)),
    });
    expect(reply.status, JSON.stringify(reply.body).slice(0, 500)).toBe(202);
  }
}

/** Waits until the version has left `training`; returns the registry listing. */
async function trained(url: string, id: string): Promise<ModelVersionsResponse> {
  return waitFor(
    `model ${id} to finish training`,
    async () => {
      const { body } = await call<ModelVersionsResponse>(`${url}/api/models`);
      const version = body.versions.find((candidate) => candidate.id === id);
      return version !== undefined && version.status !== 'training' ? body : undefined;
    },
    { timeoutMs: TRAINING_MS, intervalMs: 500 },
  );
}

/** The region's local hour index (IST has no daylight saving: hours start at hh:30 UTC). */
const localHour = (at: number): number => Math.floor((at + 5.5 * HOUR) / HOUR);

function checkScore(score: DistrictScore, version: string): void {
  expect(score.modelVersion).toBe(version);
  expect(score.elevated).toBeGreaterThanOrEqual(0);
  expect(score.elevated).toBeLessThanOrEqual(1);
  expect(score.classProbabilities).toHaveLength(3);
  expect(score.classProbabilities.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 5);
  expect(score.expectedCount).toBeGreaterThanOrEqual(0);
  expect(score.interval80[0]).toBeLessThanOrEqual(score.interval80[1]);
  expect(Number.isNaN(Date.parse(score.asOf))).toBe(false);
}

function scenario(
  name: string,
  database: () => Promise<{ env: Record<string, string>; drop: () => Promise<void> }>,
) {
  describe(name, () => {
    const folder = mkdtempSync(join(tmpdir(), 'models-it-'));
    const slug = name.includes('PGlite') ? 'pglite' : 'postgres';
    const regionFile = join(folder, 'region.json');
    writeFileSync(regionFile, JSON.stringify(region));
    let env: Record<string, string>;
    let drop: () => Promise<void>;
    let backend: RunningBackend;
    let url: string;

    beforeAll(async () => {
      ({ env, drop } = await database());
      env = {
        ...env,
        REGION_FILE: regionFile,
        SIMULATOR: 'off',
        INGEST_AUTH: 'off',
        MODEL_RETRAIN_HOURS: '0',
      };
      backend = await startBackend(env);
      url = backend.url;
      session = await backend.login();
    });
    afterAll(async () => {
      await backend.stop('SIGTERM');
      await drop();
      rmSync(folder, { recursive: true, force: true });
    });

    it('says why there are no scores before a first model, and keeps retraining to admins', async () => {
      const scores = await call<ScoresResponse>(`${url}/api/scores`);
      expect(scores.status).toBe(200);
      expect(scores.body).toMatchObject({ modelVersion: null, districts: [] });
      expect(scores.body.reason).toContain('no model is active yet');
      expect((await call(`${url}/api/models/active`)).status).toBe(503);
      expect((await call(`${url}/api/districts/TN-CHN/score`)).status).toBe(503);
      expect((await call(`${url}/api/districts/tn-chn/score`)).status).toBe(400);
      expect((await call(`${url}/api/districts/TN-ZZZ/score`)).status).toBe(404);
      expect((await call(`${url}/api/districts/TN-CHNC/score`)).status).toBe(404);
      expect(await call<ModelVersionsResponse>(`${url}/api/models`)).toMatchObject({
        status: 200,
        body: { active: null, training: null, versions: [] },
      });

      const retrain = `${url}/api/models/retrain`;
      expect((await call(retrain, { method: 'POST', token: null })).status).toBe(401);
      expect((await call(retrain, { method: 'POST', token: `${session ?? ''}x` })).status).toBe(401);
      const created = await call(`${url}/api/users`, {
        method: 'POST',
        body: JSON.stringify({ username: 'it-operator', password: 'it-operator-password', role: 'operator' }),
      });
      expect(created.status).toBe(201);
      const operator = await backend.login('it-operator', 'it-operator-password');
      expect((await call(`${url}/api/models`, { token: operator })).status).toBe(200);
      expect(await call(retrain, { method: 'POST', token: operator })).toMatchObject({
        status: 403,
        body: { message: 'this route needs the admin role; user "it-operator" is operator' },
      });
      // An admin's request is accepted, and fails at once (no events yet).
      expect(await call(retrain, { method: 'POST' })).toMatchObject({
        status: 202,
        body: { id: 'v1', status: 'training' },
      });
      const { versions } = await trained(url, 'v1');
      expect(versions[0]).toMatchObject({ id: 'v1', status: 'failed', active: false });
      expect(versions[0]?.error).toContain('not enough data: no events stored before');
      expect((await call(`${retrain}?until=yesterday`, { method: 'POST' })).status).toBe(400);
      const future = new Date(Date.now() + DAY).toISOString();
      expect((await call(`${retrain}?until=${future}`, { method: 'POST' })).status).toBe(400);
    });

    it(
      'retrains through the API on a year of events, refuses a second training meanwhile, and activates',
      async () => {
        await postEvents(url, simulatedYear(Date.now()));
        const started = performance.now();
        const accepted = await call<{ id: string; status: string }>(`${url}/api/models/retrain`, {
          method: 'POST',
        });
        expect(accepted).toMatchObject({ status: 202, body: { id: 'v2', status: 'training' } });
        const again = await call(`${url}/api/models/retrain`, { method: 'POST' });
        expect(again).toMatchObject({ status: 409, body: { runningVersion: 'v2' } });

        const listing = await trained(url, 'v2');
        console.log(
          `models it (${name}): v2 trained and activated in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
            (/v2: training on .*? ms/.exec(backend.output())?.[0] ?? ''),
        );
        const version = listing.versions.find((candidate) => candidate.id === 'v2');
        expect(version, JSON.stringify(version)).toMatchObject({
          status: 'ready',
          active: true,
          requestedBy: 'api',
          error: null,
        });
        expect(version?.card?.features).toEqual({ crime: 128, trend: 64, profile: 32, fusion: 224 });
        expect(listing.active).toBe('v2');
        expect(JSON.stringify(listing)).not.toContain('"bundle"');

        const active = await call<ActiveModelResponse>(`${url}/api/models/active`);
        expect(active.status).toBe(200);
        expect(active.body.id).toBe('v2');
        expect(active.body.card).toEqual(version?.card);

        const scores = await call<ScoresResponse>(`${url}/api/scores`);
        expect(scores.body.modelVersion).toBe('v2');
        expect(scores.body.districts.map((score) => score.district).sort()).toEqual([...DISTRICTS].sort());
        for (const score of scores.body.districts) checkScore(score, 'v2');
      },
      TRAINING_MS + 60_000,
    );

    it('scores exactly the districts a batch touched, over REST and Socket.IO, and reports the time it adds', async () => {
      const before = await call<ScoresResponse>(`${url}/api/scores`);
      const asOf = new Map(before.body.districts.map((score) => [score.district, score.asOf]));
      const board = await connectBoard(url, session ?? '');
      const pushed: ScoresUpdate[] = [];
      board.socket.on('scores', (update) => pushed.push(update));
      const hourBefore = localHour(Date.now());
      await postEvents(url, freshEvents(40, ['TN-CHN', 'TN-MDU'], 71));
      // Only scores computed after `before`: the activation's own push may still reach a client connecting
      // within its 200 ms coalescing window.
      const rescored = (): DistrictScore[] =>
        pushed.flatMap((entry) => entry.districts).filter((score) => score.asOf !== asOf.get(score.district));
      const pushedScores = await waitFor('a scores push for Chennai and Madurai', () => {
        const seen = new Set(rescored().map((score) => score.district));
        return seen.has('TN-CHN') && seen.has('TN-MDU') ? rescored() : undefined;
      });
      for (const score of pushedScores) checkScore(score, 'v2');
      const chennai = await call<DistrictScore>(`${url}/api/districts/TN-CHN/score`);
      expect(chennai.status).toBe(200);
      checkScore(chennai.body, 'v2');
      expect(Date.parse(chennai.body.asOf)).toBeGreaterThan(Date.parse(asOf.get('TN-CHN') ?? ''));
      if (localHour(Date.now()) === hourBefore) {
        // No new hour began (which rescores every district): only the touched two were rescored.
        expect(new Set(pushedScores.map((score) => score.district))).toEqual(new Set(['TN-CHN', 'TN-MDU']));
        const coimbatore = await call<DistrictScore>(`${url}/api/districts/TN-CBE/score`);
        expect(coimbatore.body.asOf).toBe(asOf.get('TN-CBE'));
      }
      board.close();

      // Twenty batches touching all six districts: what scoring adds to each, and what its runs cost.
      const started = performance.now();
      for (let i = 0; i < 20; i++) await postEvents(url, freshEvents(60, DISTRICTS, 100 + i));
      const perRequestMs = (performance.now() - started) / 20;
      interface Summary {
        count: number;
        meanMs: number | null;
        p99Ms: number | null;
      }
      const scoring = await waitFor('the last scoring run', async () => {
        const health = await call<{
          models: { scoring: { addedPerBatch: Summary; perRun: Summary; meanPerDistrictMs: number } };
        }>(`${url}/api/health`);
        const { scoring: current } = health.body.models;
        // The batch before these twenty made one run; these make at least one more.
        return current.perRun.count >= 2 ? current : undefined;
      });
      expect(scoring.addedPerBatch.count).toBeGreaterThanOrEqual(21);
      console.log(
        `models it (${name}): POST of 60 events ${perRequestMs.toFixed(1)} ms; scoring ` +
          JSON.stringify(scoring),
      );
    });

    it('draws the forecast band, the factors and the model panel on the board', async () => {
      const browser = await chromium.launch({
        executablePath: requireEnv('CHROMIUM'),
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      mkdirSync(`${REPO_ROOT}artifacts/board`, { recursive: true });
      try {
        const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
        await page.goto(`${url}/`);
        await page.getByLabel('Username').fill('admin');
        await page.getByLabel('Password').fill(TEST_ADMIN_PASSWORD);
        await page.getByLabel('Password').press('Enter');
        await page
          .locator('[data-testid="connection-state"][data-state="live"]')
          .waitFor({ timeout: 30_000 });
        await page.goto(`${url}/#/district/TN-MDU`);
        const forecast = page.locator('[data-testid="forecast-chart"][data-ready="true"]');
        await forecast.waitFor({ timeout: 30_000 });
        // The model's daily forecast with its 80% band is drawn beside the observed line.
        await waitFor('the forecast days', async () =>
          Number(await forecast.getAttribute('data-forecast-days')) > 0 ? true : undefined,
        );
        expect(await forecast.locator('.apexcharts-series').count()).toBeGreaterThanOrEqual(3);
        expect(await forecast.getByText('No model yet').count()).toBe(0);
        expect(await page.getByTestId('factor').count()).toBeGreaterThan(0);
        await page.screenshot({ path: `${REPO_ROOT}artifacts/board/district-model-${slug}-1920x1080.png` });

        await page.getByRole('link', { name: 'Analysis' }).click();
        await page.getByTestId('model-active').getByText('v2').waitFor();
        await page.getByTestId('cluster-profile').first().waitFor();
        await page.screenshot({ path: `${REPO_ROOT}artifacts/board/analysis-model-${slug}-1920x1080.png` });
      } finally {
        await browser.close();
      }
    });

    it('records a failed training and keeps the active version serving', async () => {
      // Events before 2000 do not exist: the training cannot have enough data.
      const accepted = await call<{ id: string }>(`${url}/api/models/retrain?until=2000-01-01T00:00:00Z`, {
        method: 'POST',
      });
      expect(accepted).toMatchObject({ status: 202, body: { id: 'v3' } });
      const listing = await trained(url, 'v3');
      expect(listing.versions.find((version) => version.id === 'v3')).toMatchObject({
        status: 'failed',
        active: false,
        trainedUntil: '2000-01-01T00:00:00.000Z',
        error: 'not enough data: no events stored before 2000-01-01T00:00:00.000Z',
      });
      expect(listing.active).toBe('v2');
      expect((await call<ActiveModelResponse>(`${url}/api/models/active`)).body.id).toBe('v2');
      expect((await call<ScoresResponse>(`${url}/api/scores`)).body.modelVersion).toBe('v2');
      const health = await call<{ models: Record<string, unknown> }>(`${url}/api/health`);
      expect(health.body.models).toMatchObject({
        active: { id: 'v2' },
        training: null,
        lastTraining: { id: 'v3', status: 'failed', requestedBy: 'api' },
      });
    });

    it('loads the active version from the registry after a restart, without training', async () => {
      expect(await backend.stop('SIGTERM')).toBe(0);
      backend = await startBackend(env);
      url = backend.url;
      expect(backend.output()).toContain('model v2 loaded and active');
      expect((await call<ActiveModelResponse>(`${url}/api/models/active`)).body.id).toBe('v2');
      const scores = await call<ScoresResponse>(`${url}/api/scores`);
      expect(scores.body.districts).toHaveLength(DISTRICTS.length);
      for (const score of scores.body.districts) checkScore(score, 'v2');
      const { body } = await call<ModelVersionsResponse>(`${url}/api/models`);
      expect(body.versions.map(({ id, status, active }) => ({ id, status, active }))).toEqual([
        { id: 'v3', status: 'failed', active: false },
        { id: 'v2', status: 'ready', active: true },
        { id: 'v1', status: 'failed', active: false },
      ]);
    });
  });
}

describe('models: registry, retraining, scoring', () => {
  scenario('on PGlite with TimescaleDB', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'models-it-db-'));
    const drop = (): Promise<void> => {
      rmSync(dataDir, { recursive: true, force: true });
      return Promise.resolve();
    };
    return Promise.resolve({ env: { DATA_DIR: dataDir }, drop });
  });

  scenario('on plain PostgreSQL 15', async () => {
    const database = await createDatabase();
    return { env: { DATABASE_URL: database.url }, drop: () => database.drop() };
  });
});
