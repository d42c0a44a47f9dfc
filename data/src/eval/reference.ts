import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A scikit-learn random-forest job of the reference script. */
export interface ReferenceForestJob {
  readonly trainX: readonly (readonly number[])[];
  readonly testX: readonly (readonly number[])[];
  readonly trainClass: readonly number[];
  readonly trainCount?: readonly number[];
  readonly trees: number;
}

/** A Python Prophet series: epoch-second timestamps, values, steps to forecast. */
export interface ReferenceSeries {
  readonly name: string;
  readonly ds: readonly number[];
  readonly y: readonly number[];
  readonly horizon: number;
  readonly settings?: Readonly<Record<string, unknown>>;
}

/** A row's predictions, for the script to score with numpy and scikit-learn (a check of our metric code). */
export interface ReferenceScoreJob {
  readonly truth: readonly number[];
  readonly probabilities: readonly (readonly number[])[];
  readonly predicted?: readonly number[];
  readonly counts?: readonly number[];
  readonly forecasts?: readonly number[];
  readonly scales?: readonly number[];
  readonly intervals?: readonly (readonly [number, number])[];
}

export interface ReferenceJob {
  readonly seed: number;
  readonly scores?: Readonly<Record<string, ReferenceScoreJob>>;
  readonly forests?: Readonly<Record<string, ReferenceForestJob>>;
  readonly prophet?: {
    readonly settings: Readonly<Record<string, unknown>>;
    readonly series: readonly ReferenceSeries[];
  };
}

export interface ReferenceForestResult {
  /** Probabilities over classes 0..K-1 (classes absent from training get 0). */
  readonly classProbabilities: number[][];
  readonly count?: number[];
  readonly fitSeconds: number;
  readonly predictSeconds: number;
}

export interface ReferenceSeriesResult {
  readonly name: string;
  readonly point: number[];
  readonly lower: number[];
  readonly upper: number[];
  readonly fitSeconds: number;
  readonly predictSeconds: number;
}

export interface ReferenceResult {
  readonly engine: Readonly<Record<string, string>>;
  readonly forests: Readonly<Record<string, ReferenceForestResult>>;
  readonly prophet: readonly ReferenceSeriesResult[];
  /** Metrics recomputed by the script, by row name. */
  readonly scores: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

const SCRIPT = fileURLToPath(new URL('../../../eval/python/reference.py', import.meta.url));

/**
 * Runs eval/python/reference.py (Python Prophet and scikit-learn; its first run creates .cache/python and
 * pip-installs them) on a job and reads its result.
 * @throws Error naming the script's exit status and its last stderr lines when it fails.
 */
export function runReference(job: ReferenceJob, classes: number): ReferenceResult {
  const directory = mkdtempSync(join(tmpdir(), 'eval-reference-'));
  try {
    const input = join(directory, 'job.json');
    const output = join(directory, 'result.json');
    writeFileSync(input, JSON.stringify(job));
    const run = spawnSync('python3', [SCRIPT, input, '--out', output], {
      stdio: ['ignore', 'inherit', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.status !== 0) {
      const tail = run.stderr.toString().trim().split('\n').slice(-8).join('\n');
      throw new Error(
        `eval/python/reference.py failed (${run.status ?? run.signal ?? 'no status'}):\n${tail}`,
      );
    }
    return parseResult(JSON.parse(readFileSync(output, 'utf8')) as unknown, classes);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

interface RawForest {
  classes: number[];
  classProbabilities: number[][];
  count?: number[];
  fitSeconds: number;
  predictSeconds: number;
}

function parseResult(raw: unknown, classes: number): ReferenceResult {
  if (typeof raw !== 'object' || raw === null || !('engine' in raw) || typeof raw.engine !== 'object')
    throw new Error('eval/python/reference.py printed no engine versions');
  // The script is ours and versioned with this reader: its shape is the documented one.
  const doc = raw as {
    engine: Record<string, string>;
    forests?: Record<string, RawForest>;
    prophet?: { series?: ReferenceSeriesResult[] };
    scores?: Record<string, Record<string, number>>;
  };
  const forests: Record<string, ReferenceForestResult> = {};
  for (const [name, forest] of Object.entries(doc.forests ?? {})) {
    // scikit-learn returns columns only for the classes seen in training.
    const classProbabilities = forest.classProbabilities.map((row) => {
      const full = new Array<number>(classes).fill(0);
      forest.classes.forEach((c, j) => (full[c] = row[j] ?? 0));
      return full;
    });
    forests[name] = {
      classProbabilities,
      ...(forest.count === undefined ? {} : { count: forest.count }),
      fitSeconds: forest.fitSeconds,
      predictSeconds: forest.predictSeconds,
    };
  }
  return { engine: doc.engine, forests, prophet: doc.prophet?.series ?? [], scores: doc.scores ?? {} };
}

/**
 * Sends the rows' predictions to the script, which recomputes their metrics with numpy and scikit-learn, and
 * compares them with ours to `decimals` decimals. Returns a one-line summary.
 * @throws Error naming every metric that disagrees.
 */
export function checkMetricsInPython(
  rows: readonly {
    readonly name: string;
    readonly metrics: Readonly<Record<string, number | null>>;
    readonly job: ReferenceScoreJob;
  }[],
  seed: number,
  classes: number,
  decimals = 3,
): string {
  const result = runReference(
    { seed, scores: Object.fromEntries(rows.map((r) => [r.name, r.job])) },
    classes,
  );
  const disagreements: string[] = [];
  let compared = 0;
  for (const row of rows) {
    const python = result.scores[row.name] ?? {};
    for (const [metric, value] of Object.entries(python)) {
      const ours = row.metrics[metric];
      if (ours === null || ours === undefined) continue;
      compared += 1;
      if (ours.toFixed(decimals) !== value.toFixed(decimals))
        disagreements.push(
          `${row.name} ${metric}: ours ${ours.toFixed(decimals + 3)}, Python ${value.toFixed(decimals + 3)}`,
        );
    }
  }
  if (disagreements.length > 0 || compared === 0)
    throw new Error(
      `the Python recomputation of the baseline rows' metrics disagrees at ${decimals} decimals: ${disagreements.join('; ') || 'nothing compared'}`,
    );
  return `Python (numpy ${result.engine.numpy ?? ''}, scikit-learn ${result.engine['scikit-learn'] ?? ''}) recomputed ${compared} metrics of the rows ${rows.map((r) => r.name).join(', ')} from their predictions: all agree with ours to ${decimals} decimals`;
}
