/**
 * Fusion network benchmark: training time on 4,096 × 224 synthetic rows for a fixed number of epochs,
 * and scoring time for ONE district (features → fusion output, the live incremental path) and for the
 * 38-district batch, p50 / p99 over many calls, on the wasm backend. Baselines measured in the same run:
 * the same scoring through tfjs-layers' generic `model.predict`, and the fast path on the cpu backend.
 *
 * Run alone: `node data/dist/bench/fusion.bench.js` (after `npx tsc -b data`).
 */
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { FusionNetwork, fusionBranches, syntheticFusionSet, BRANCH_SIZES } from '@district-monitor/models';
import { initTensorflow } from '../runtime/tf.js';
import type { BenchRow } from './bench-row.js';

/** Sizes of the benchmark (defaults: the issue's). */
export interface FusionBenchOptions {
  /** Training rows (4,096). */
  readonly trainingRows?: number;
  /** Epochs, all run (5). */
  readonly epochs?: number;
  /** Timed single-district calls per path (2,000, after 200 warm-up calls). */
  readonly calls?: number;
  /** Districts in the batch (38, Tamil Nadu). */
  readonly districts?: number;
}

const WIDTH = BRANCH_SIZES.crimeStatistics + BRANCH_SIZES.trend + BRANCH_SIZES.profile;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

/** Times `calls` calls of `fn` after a warm-up, in milliseconds, sorted. */
function timeCalls(fn: () => void, calls: number): number[] {
  for (let i = 0; i < Math.min(200, calls); i++) fn();
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

/** Runs the benchmark and returns its rows; leaves the wasm backend active. */
export async function fusionBench(options: FusionBenchOptions = {}): Promise<BenchRow[]> {
  const trainingRows = options.trainingRows ?? 4096;
  const epochs = options.epochs ?? 5;
  const calls = options.calls ?? 2000;
  const districts = options.districts ?? 38;
  const runtime = await initTensorflow({ prefer: 'wasm' });
  // 32 rows per period: 4,096 training rows are 128 whole periods, and the 20% validation split (time
  // ordered) adds 32 periods (1,024 rows) after them.
  const perPeriod = 32;
  const trainingPeriods = Math.ceil(trainingRows / perPeriod);
  const data = syntheticFusionSet({
    periods: trainingPeriods + Math.ceil(trainingPeriods / 4),
    districts: perPeriod,
    width: WIDTH,
    seed: 1,
    rate: 20,
    rateSlope: 0.3,
  });

  const fitStart = performance.now();
  const net = FusionNetwork.fit(data, {
    branches: fusionBranches(BRANCH_SIZES),
    maxEpochs: epochs,
    patience: epochs,
  });
  const fitMs = performance.now() - fitStart;
  try {
    const row = data.rows[0] ?? [];
    const batch = data.rows.slice(0, districts);
    const fastOne = timeCalls(() => net.predictOne(row), calls);
    const genericOne = timeCalls(() => net.predictWithLayers([row]), calls);
    const fastBatch = timeCalls(() => net.predict(batch), Math.max(200, calls / 4));
    const genericBatch = timeCalls(() => net.predictWithLayers(batch), Math.max(200, calls / 4));
    const leakBefore = tf.memory().numTensors;
    for (let i = 0; i < 1000; i++) net.predictOne(row);
    const leaked = tf.memory().numTensors - leakBefore;

    await initTensorflow({ prefer: 'cpu' });
    const cpuOne = timeCalls(() => net.predictOne(row), calls);
    const cpuBatch = timeCalls(() => net.predict(batch), Math.max(200, calls / 4));
    await initTensorflow({ prefer: 'wasm' });

    const wasm = `${runtime.backend}${runtime.wasmSimd ? ' (SIMD)' : ''}`;
    // Tail latencies on a shared machine say as much about the neighbours as about the code.
    const load = `load average ${(loadavg()[0] ?? NaN).toFixed(1)} on ${availableParallelism()} cores`;
    const sample = `${calls} calls after 200 warm-up`;
    return [
      {
        name: `fusion: fit ${trainingRows} × ${WIDTH}, ${epochs} epochs`,
        value: fitMs,
        unit: 'ms',
        note: `${net.metadata.metrics.training.rows} training rows + ${net.metadata.metrics.validation.rows} validation rows (scored every epoch), ${net.metadata.metrics.epochsRun} epochs, hidden [64, 32], batch 64, dropout 0.1, on ${wasm}`,
      },
      {
        name: 'fusion: score 1 district p50',
        value: percentile(fastOne, 0.5),
        unit: 'ms',
        baseline: percentile(genericOne, 0.5),
        note: `fast path (validate + standardise + fused matMul, tidy + dataSync) on ${wasm}; baseline: tfjs-layers model.predict on ${wasm}; ${sample}`,
      },
      {
        name: 'fusion: score 1 district p99',
        value: percentile(fastOne, 0.99),
        unit: 'ms',
        baseline: percentile(genericOne, 0.99),
        note: `goal < 5 ms on wasm; baseline: model.predict on ${wasm}; ${load}`,
      },
      {
        name: 'fusion: score 1 district p99 (cpu backend)',
        value: percentile(cpuOne, 0.99),
        unit: 'ms',
        note: `the same fast path on the pure-JS cpu backend, for comparison (p50 ${percentile(cpuOne, 0.5).toFixed(3)} ms)`,
      },
      {
        name: `fusion: score ${districts} districts p50`,
        value: percentile(fastBatch, 0.5),
        unit: 'ms',
        baseline: percentile(genericBatch, 0.5),
        note: `one batch, fast path on ${wasm}; baseline: model.predict on ${wasm}; cpu backend p50 ${percentile(cpuBatch, 0.5).toFixed(3)} ms`,
      },
      {
        name: `fusion: score ${districts} districts p99`,
        value: percentile(fastBatch, 0.99),
        unit: 'ms',
        baseline: percentile(genericBatch, 0.99),
        note: `baseline: model.predict on ${wasm}; ${load}`,
      },
      {
        name: 'fusion: tensors leaked over 1,000 scorings',
        value: leaked,
        unit: 'tensors',
      },
    ];
  } finally {
    net.dispose();
  }
}

// Standalone: print the rows as JSON lines.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = await fusionBench();
  for (const row of rows) console.log(JSON.stringify(row));
}
