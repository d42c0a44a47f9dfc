import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

interface Report {
  task: string;
  metricNames: string[];
  rows: {
    model: string;
    kind: string;
    metrics: Record<string, number | null>;
    fitMs: number;
    predictMs: number;
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

describe('npm run eval -- --json', () => {
  it('T1 on the NCRB tables: every row the issue names, with the Python reference, scored on the same splits', async () => {
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
    }
  }, 600_000);

  it('T2 on the Chicago stream: counts and terciles for every model row', async () => {
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
  }, 900_000);

  it('refuses a bad option with a message naming it', () => {
    const run = spawnSync(process.execPath, ['data/dist/cli/eval.js', '--task', 't9'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--task must be t1 or t2, not "t9"');
  });
});
