/**
 * Random-forest and k-means profile benchmark on synthetic crime-statistics-like rows (a latent district
 * risk drives 30 of the 128 columns, the rest is noise; the class is the tercile of risk + noise):
 * - classifier fit on 2,000 x 128 with the default options (100 trees, half the columns, 128 rows per tree);
 * - prediction (class probabilities) for 1 row and for the 38-district batch, p50 / p99 over many calls;
 * - permutation importance on 300 rows x 128 features x 5 repeats (192,000 row predictions);
 * - k-means profiles on 38 districts x 19 inputs (k from 2 to 6, 10 restarts each) and one profile vector.
 *
 * Run alone: `node data/dist/bench/forest.bench.js` (after `npx tsc -b data`).
 */
import { fileURLToPath } from 'node:url';
import {
  ForestClassifier,
  PROFILE_INPUTS,
  ProfileModel,
  permutationImportance,
  profileVector,
} from '@district-monitor/models';
import { mulberry32 } from '@district-monitor/streams/random';
import type { BenchRow } from './bench-row.js';

/** Sizes of the benchmark (defaults: the issue's). */
export interface ForestBenchOptions {
  /** Training rows (2,000). */
  readonly trainingRows?: number;
  /** Columns (128). */
  readonly width?: number;
  /** Rows of the permutation importance (300). */
  readonly importanceRows?: number;
  /** Repeats of the permutation importance (5). */
  readonly repeats?: number;
  /** Timed calls per prediction size (500, after 50 warm-up calls). */
  readonly calls?: number;
}

/** Rows whose first 30 columns carry a latent risk; class = tercile of risk + noise. */
function synthetic(rows: number, width: number, seed: number): { X: number[][]; y: number[] } {
  const random = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const X: number[][] = [];
  const risk: number[] = [];
  for (let i = 0; i < rows; i++) {
    const latent = gauss();
    X.push(
      Array.from({ length: width }, (_, j) => (j < 30 ? latent * (0.5 + (j % 5) * 0.2) + gauss() : gauss())),
    );
    risk.push(latent + 0.5 * gauss());
  }
  const sorted = [...risk].sort((a, b) => a - b);
  const low = sorted[Math.floor(rows / 3)] ?? 0;
  const high = sorted[Math.floor((2 * rows) / 3)] ?? 0;
  return { X, y: risk.map((value) => (value < low ? 0 : value < high ? 1 : 2)) };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

function timeCalls(fn: () => void, calls: number): number[] {
  for (let i = 0; i < Math.min(50, calls); i++) fn();
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

/** Runs the benchmark and returns its rows. */
export function forestBench(options: ForestBenchOptions = {}): Promise<BenchRow[]> {
  const trainingRows = options.trainingRows ?? 2000;
  const width = options.width ?? 128;
  const importanceRows = options.importanceRows ?? 300;
  const repeats = options.repeats ?? 5;
  const calls = options.calls ?? 500;
  const train = synthetic(trainingRows, width, 1);
  const test = synthetic(Math.max(importanceRows, 38), width, 2);

  const fitStart = performance.now();
  const model = ForestClassifier.fit(train.X, train.y, { classes: [0, 1, 2] });
  const fitMs = performance.now() - fitStart;
  const accuracy =
    model.predict(test.X).filter((label, i) => label === test.y[i]).length / Math.max(1, test.y.length);

  const one = [test.X[0] ?? []];
  const batch = test.X.slice(0, 38);
  const oneTimes = timeCalls(() => model.predictProba(one), calls);
  const batchTimes = timeCalls(() => model.predictProba(batch), calls);

  const evaluation = test.X.slice(0, importanceRows);
  const importanceStart = performance.now();
  const importance = permutationImportance(model, evaluation, test.y.slice(0, importanceRows), { repeats });
  const importanceMs = performance.now() - importanceStart;
  const top = importance.ranked[0];

  const random = mulberry32(3);
  const districts = Array.from({ length: 38 }, (_, i) =>
    PROFILE_INPUTS.map((input) =>
      input.transform === 'log1p' ? (i % 3 === 0 ? 400 : 60) * (0.5 + random()) : 0.1 + 0.3 * random(),
    ),
  );
  const profileStart = performance.now();
  const profiles = ProfileModel.fit(districts);
  const profileMs = performance.now() - profileStart;
  const vectorTimes = timeCalls(() => profileVector(profiles, districts[0] ?? []), calls);

  return Promise.resolve([
    {
      name: `forest fit ${trainingRows}x${width} (classifier, ${model.options.nEstimators} trees)`,
      value: fitMs,
      unit: 'ms',
      note: `test accuracy ${accuracy.toFixed(3)}, out-of-bag ${model.outOfBag.score?.toFixed(3) ?? 'n/a'}`,
    },
    { name: 'forest predict 1 row p50', value: percentile(oneTimes, 0.5), unit: 'ms' },
    { name: 'forest predict 1 row p99', value: percentile(oneTimes, 0.99), unit: 'ms' },
    { name: 'forest predict 38 rows p50', value: percentile(batchTimes, 0.5), unit: 'ms' },
    { name: 'forest predict 38 rows p99', value: percentile(batchTimes, 0.99), unit: 'ms' },
    {
      name: `permutation importance ${importanceRows}x${width}x${repeats}`,
      value: importanceMs,
      unit: 'ms',
      note:
        `${importance.cost.rowPredictions} row predictions, ${importance.cost.treeEvaluations} tree walks; ` +
        `top ${top?.name ?? '?'} ${top?.mean.toFixed(3) ?? '?'} ± ${top?.std.toFixed(3) ?? '?'}`,
    },
    {
      name: `profiles fit 38x${PROFILE_INPUTS.length} (k 2-6, 10 restarts)`,
      value: profileMs,
      unit: 'ms',
      note: `k = ${profiles.k}, silhouette ${profiles.silhouette.toFixed(3)}`,
    },
    { name: 'profile vector 1 district p50', value: percentile(vectorTimes, 0.5), unit: 'ms' },
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const row of await forestBench()) {
    console.log(`${row.name}: ${row.value.toFixed(3)} ${row.unit}${row.note ? ` (${row.note})` : ''}`);
  }
}
