import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { stripVTControlCharacters } from 'node:util';
import { REPO_ROOT } from '../config/app-config.js';
import { progress, type BenchRow } from './bench-kit.js';

/** Longest wait for the first model before the section gives up. */
const TIMEOUT_MS = 10 * 60_000;
const GOAL_S = 120;

interface HealthModels {
  readonly models?: { readonly active: { readonly id: string } | null };
}

/**
 * The first start of the embedded default, as a new user runs it: `npm start` (scripts/start.mjs, the
 * build already done) with an empty DATA_DIR and no other setting. Measured from the spawn: the board
 * listening, and the first live model active (GET /api/health); the backfill's own events/s on PGlite
 * through the ingest path, as it logs it ("backfill done: ... (N events/s)").
 */
export async function firstStartSection(): Promise<BenchRow[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-first-start-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    DATA_DIR: dataDir,
    PORT: '0',
    ADMIN_PASSWORD: 'bench-admin-password-0123',
  };
  progress('first start: npm start on an empty DATA_DIR (embedded default)');
  const started = performance.now();
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const plain = (): string => stripVTControlCharacters(log);
  try {
    let url: string | undefined;
    let listeningS: number | undefined;
    let modelS: number | undefined;
    while (modelS === undefined) {
      if (performance.now() - started > TIMEOUT_MS)
        throw new Error(`no live model ${TIMEOUT_MS / 1000} s after npm start:\n${plain().slice(-3000)}`);
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${plain()}`);
      url ??= /board at (http:\/\/[\d.:a-z]+)\//.exec(plain())?.[1];
      if (url !== undefined) {
        listeningS ??= (performance.now() - started) / 1000;
        const health = (await (await fetch(`${url}/api/health`)).json()) as HealthModels;
        if (health.models?.active != null) modelS = (performance.now() - started) / 1000;
      }
      await delay(250);
    }
    const done =
      /backfill done: ([\d,]+) events .*?; ([\d,]+) written in ([\d.]+) s \(([\d,]+) events\/s\)/.exec(
        plain(),
      );
    if (done === null) throw new Error(`the backfill did not report its rate:\n${plain().slice(-3000)}`);
    const number = (text: string | undefined): number => Number((text ?? '').replaceAll(',', ''));
    const events = number(done[2]);
    const perSecond = number(done[4]);
    progress(
      `first start: listening after ${(listeningS ?? 0).toFixed(1)} s, ${events} events backfilled at ` +
        `${perSecond} events/s, first live model after ${modelS.toFixed(1)} s`,
    );
    return [
      {
        section: 'first start',
        path: 'npm start -> board listening (empty DATA_DIR)',
        value: listeningS ?? 0,
        unit: 's',
        vsBaseline: null,
        goal: null,
      },
      {
        section: 'first start',
        path: `backfill on PGlite through the ingest path (${events.toLocaleString('en-US')} events)`,
        value: perSecond,
        unit: 'events/s',
        vsBaseline: null,
        goal: null,
      },
      {
        section: 'first start',
        path: 'npm start -> first live model trained and active',
        value: modelS,
        unit: 's',
        vsBaseline: null,
        goal: `<= ${GOAL_S} s`,
      },
    ];
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve(undefined);
      else child.once('exit', resolve);
    });
    rmSync(dataDir, { recursive: true, force: true });
  }
}
