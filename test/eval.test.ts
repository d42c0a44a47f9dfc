import { execFile, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

interface Report {
  task: string;
  metricNames: string[];
  notes: string[];
  rows: {
    model: string;
    kind: string;
    metrics: Record<string, number | null>;
    fitMs: number;
    predictMs: number;
    reliability?: {
      from: number;
      to: number;
      n: number;
      predicted: number | null;
      observed: number | null;
    }[];
  }[];
}

/**
 * `npm run eval -- --json ...` as an outside tool runs it; its stdout is one JSON document. Asynchronous:
 * a run takes minutes, and a blocked test worker loses its connection to vitest.
 */
async function evaluate(...args: string[]): Promise<{ tasks: Report[] }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['data/dist/cli/eval.js', '--json', ...args],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout) as { tasks: Report[] };
}

// The limits are hang guards, not speed claims: roughly 4 to 8 times what each took in this machine's full runs
// (T1 ~260 s, T2 150-240 s, NAB 380-460 s). `npm test` runs the evaluation at nice 10 beside the board
// tests, so other work on the machine starves it first: with two busy loops at normal priority beside the
// suite, T1 and T2 timed out at their former limits of 600 s and 900 s.
const T1_LIMIT_MS = 1_200_000;
const T2_LIMIT_MS = 1_200_000;
const NAB_LIMIT_MS = 1_800_000;

describe('npm run eval -- --json', () => {
  it(
    'T1 on the NCRB tables: every row the issue names, with the Python reference, scored on the same splits',
    async () => {
      const { tasks } = await evaluate('--task', 't1');
      expect(tasks.map((t) => t.task)).toEqual(['t1']);
      const [t1] = tasks;
      const models = t1?.rows.map((r) => r.model);
      expect(models).toEqual([
        'persistence',
        'mean-3y',
        'ets',
        'prophet',
        'random-forest',
        'k-means',
        'fusion',
        'python-prophet',
        'python-random-forest',
      ]);
      for (const row of t1?.rows ?? []) {
        expect(row.metrics.accuracy).toBeGreaterThan(1 / 3 - 0.1);
        expect(row.metrics.accuracy).toBeLessThanOrEqual(1);
        expect(row.metrics.macroF1).toBeGreaterThan(0);
        expect(row.metrics.brier).toBeGreaterThanOrEqual(0);
        expect(row.metrics.brier).toBeLessThanOrEqual(2);
        expect(row.fitMs).toBeGreaterThanOrEqual(0);
        // Reliability table: every class probability of the 14 x 28 predictions falls in one of 10 bins.
        expect(row.reliability?.length).toBe(10);
        expect(row.reliability?.reduce((n, bin) => n + bin.n, 0)).toBe(3 * 14 * 28);
      }
      // The Python reference recomputed the baseline rows' metrics from their predictions, and they agree.
      expect(t1?.notes.join('\n')).toMatch(
        /recomputed \d+ metrics of the rows persistence, mean-3y, ets.*agree with ours to 3 decimals/,
      );
    },
    T1_LIMIT_MS,
  );

  it(
    'T2 on the Chicago stream: counts and terciles for every model row',
    async () => {
      const { tasks } = await evaluate('--task', 't2', '--no-reference');
      const [t2] = tasks;
      expect(t2?.metricNames).toEqual([
        'mase',
        'coverage80',
        'tercileAccuracy',
        'tercileMacroF1',
        'tercileBrier',
      ]);
      expect(t2?.rows.map((r) => r.model)).toEqual([
        'last-week',
        'mean-4w',
        'mean-8w',
        'mean-8w × seasonal factor',
        'mean-8w × seasonal factor × city momentum',
        'ets',
        'prophet',
        'random-forest',
        'k-means',
        'fusion',
      ]);
      const naive = t2?.rows.find((r) => r.model === 'last-week');
      // The naive forecast's MASE on the test weeks is near 1 by construction of the scale.
      expect(naive?.metrics.mase).toBeGreaterThan(0.8);
      expect(naive?.metrics.mase).toBeLessThan(1.4);
      for (const row of t2?.rows ?? []) {
        expect(row.metrics.mase).toBeGreaterThan(0.3);
        expect(row.metrics.coverage80).toBeGreaterThan(0.3);
        expect(row.metrics.tercileAccuracy).toBeGreaterThan(0.25);
      }
    },
    T2_LIMIT_MS,
  );

  it('refuses a bad option with a message naming it', () => {
    const run = spawnSync(process.execPath, ['data/dist/cli/eval.js', '--task', 't9'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--task must be t1 or t2, not "t9"');
  });

  it('fusion-ablation refuses a set of the other task, or a misspelt one, before running anything', () => {
    const ablation = (...args: string[]) =>
      spawnSync(process.execPath, ['data/dist/cli/fusion-ablation.js', ...args], { encoding: 'utf8' });
    const wrongTask = ablation('--task', 't1', '--set', 'boost');
    expect(wrongTask.status).toBe(2);
    expect(wrongTask.stderr).toContain('--set boost is not a set of t1 (main, district, ordinal)');
    const typo = ablation('--set', 'celing');
    expect(typo.status).toBe(2);
    expect(typo.stderr).toMatch(
      /--set celing is not a set of t1 or t2 \(t1: main, district, ordinal; t2: main, .*, ceiling, momentum\)/,
    );
    expect(typo.stdout).toBe('');
  });
});

interface NabProfileResult {
  score: number;
  raw: number;
  threshold: number;
  tp: number;
  fp: number;
  fn: number;
}

interface NabJson {
  generatedAt: string;
  tasks?: unknown;
  nab: {
    task: string;
    files: number;
    records: number;
    windows: number;
    nullRaw: Record<string, number>;
    perfectRaw: Record<string, number>;
    detectors: {
      detector: string;
      how: string;
      profiles: Record<string, NabProfileResult>;
      files: { path: string; windows: number; tp: number; fp: number; fn: number; score: number }[];
      runMs: number;
      fits: number | null;
      meanFitMs: number | null;
    }[];
  };
}

const NAB_DIR = '../shared/data/nab';
const PROFILES = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'];

describe('npm run eval -- --nab DIR --json', () => {
  it(
    'scores the spike detector, a threshold and the null detector on the NAB subset, as NAB scores',
    async () => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['data/dist/cli/eval.js', '--nab', NAB_DIR, '--json'],
        { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      );
      const { nab, tasks } = JSON.parse(stdout) as NabJson;
      // --nab alone runs no other task.
      expect(tasks).toBeUndefined();
      expect(nab.task).toBe('nab');
      const labels = JSON.parse(
        await readFile(join(NAB_DIR, 'labels', 'combined_windows.json'), 'utf8'),
      ) as Record<string, unknown[]>;
      const labelled = Object.values(labels).reduce((n, windows) => n + windows.length, 0);
      expect(nab.files).toBe(Object.keys(labels).length);
      expect(nab.windows).toBe(labelled);
      expect(nab.detectors.map((d) => d.detector)).toEqual([
        'surge',
        'bocpd',
        'spike',
        'spike-two-sided',
        'threshold',
        'null',
      ]);
      for (const detector of nab.detectors) {
        expect(Object.keys(detector.profiles).sort()).toEqual([...PROFILES].sort());
        for (const profile of PROFILES) {
          const result = detector.profiles[profile];
          expect(Number.isFinite(result?.score)).toBe(true);
          // The score is normalised against the null detector (0) and the perfect one (100).
          expect(result?.score).toBeLessThanOrEqual(100);
          expect(result?.score).toBeGreaterThanOrEqual(0);
          // Every labelled window is either found or missed.
          expect((result?.tp ?? 0) + (result?.fn ?? 0)).toBe(labelled);
          expect(result?.fp).toBeGreaterThanOrEqual(0);
        }
        expect(detector.files.reduce((n, f) => n + f.tp + f.fn, 0)).toBe(labelled);
        expect(detector.runMs).toBeGreaterThanOrEqual(0);
      }
      const nullRow = nab.detectors.find((d) => d.detector === 'null');
      for (const profile of PROFILES) {
        expect(nullRow?.profiles[profile]?.score).toBe(0);
        expect(nullRow?.profiles[profile]?.fn).toBe(labelled);
        expect(nab.perfectRaw[profile]).toBe(labelled);
      }
      const spike = nab.detectors.find((d) => d.detector === 'spike');
      expect(spike?.fits).toBeGreaterThan(0);
      expect(spike?.meanFitMs).toBeGreaterThan(0);
      // The streaming surge detector replaced the Prophet interval as the NAB row to beat (issue 18).
      const score = (name: string) =>
        nab.detectors.find((d) => d.detector === name)?.profiles.standard?.score ?? 0;
      console.log(`NAB standard: surge ${score('surge')}, spike-two-sided ${score('spike-two-sided')}`);
      expect(score('surge')).toBeGreaterThan(score('spike-two-sided'));
      // Issue 18's goal on these 18 files (round four of docs/surge-detection.md measured 66.7).
      expect(score('surge')).toBeGreaterThanOrEqual(65);
    },
    NAB_LIMIT_MS,
  );

  it('refuses a directory that is not a NAB corpus, with exit code 2', async () => {
    const run = promisify(execFile)(process.execPath, ['data/dist/cli/eval.js', '--nab', 'no/such/nab/dir'], {
      encoding: 'utf8',
    });
    await expect(run).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('no/such/nab/dir does not exist') as unknown,
    });
  });
});
