/**
 * Spike detector refit bench: the wall time of one refit (Prophet fit on the trailing `historySteps` steps,
 * the seeded interval simulation, the path of `refitEvery` steps) for the history lengths the live engine
 * uses, at steps of 1, 5 and 60 minutes, with both optimizers. The series are Poisson counts with a daily
 * cycle (mean 20 a step). The live engine runs one detector per district: 38 refits every `refitEvery` steps.
 *
 * Run alone: `node data/dist/bench/spike.bench.js [--refits N] [--json]`.
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { Random, SpikeDetector, type AugursRuntime } from '@district-monitor/models';
import { initAugurs } from '../runtime/augurs.js';
import type { BenchRow } from './bench-row.js';

export interface SpikeBenchOptions {
  /** History lengths measured. Default 60, 168 and 2016. */
  readonly historySteps?: readonly number[];
  /** Step lengths measured, ms. Default 1, 5 and 60 minutes. */
  readonly stepsMs?: readonly number[];
  /** Refits timed per setting (after 3 untimed). Default 50. */
  readonly refits?: number;
  readonly optimizers?: readonly ('map' | 'stan')[];
}

const MINUTE = 60_000;

/** Median and 90th percentile refit time per setting, ms. */
export async function spikeBench(options: SpikeBenchOptions = {}): Promise<BenchRow[]> {
  const runtime = await initAugurs();
  // Untimed: the first fits compile the wasm and warm the JIT.
  refitTimes(runtime, 'map', 168, 3_600_000, 20);
  const rows: BenchRow[] = [];
  for (const optimizer of options.optimizers ?? ['map', 'stan']) {
    for (const historySteps of options.historySteps ?? [60, 168, 2016]) {
      for (const stepMs of options.stepsMs ?? [MINUTE, 5 * MINUTE, 60 * MINUTE]) {
        const times = refitTimes(runtime, optimizer, historySteps, stepMs, options.refits ?? 50);
        const name = `spike refit ${optimizer} history ${historySteps} step ${stepMs / MINUTE} min`;
        rows.push({ name: `${name} p50`, value: quantile(times, 0.5), unit: 'ms' });
        rows.push({ name: `${name} p90`, value: quantile(times, 0.9), unit: 'ms' });
      }
    }
  }
  return rows;
}

function refitTimes(
  runtime: AugursRuntime,
  optimizer: 'map' | 'stan',
  historySteps: number,
  stepMs: number,
  refits: number,
): number[] {
  const random = new Random(historySteps + stepMs);
  const perDay = 86_400_000 / stepMs;
  const detector = new SpikeDetector(runtime, {
    stepMs,
    historySteps,
    minHistorySteps: historySteps,
    refitEvery: 1,
    optimizer,
  });
  const start = Date.UTC(2024, 0, 1);
  const times: number[] = [];
  for (let i = 0; i < historySteps + 3 + refits; i++) {
    const at = start + i * stepMs;
    if (i >= historySteps) {
      // With refitEvery 1, each forecast of a new step refits.
      const started = performance.now();
      detector.forecast(at);
      if (i >= historySteps + 3) times.push(performance.now() - started);
    }
    detector.push(at, random.poisson(20 * (1 + 0.4 * Math.sin((2 * Math.PI * i) / perDay))));
  }
  return times;
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { refits: { type: 'string' }, json: { type: 'boolean' } } });
  const refits = values.refits === undefined ? 50 : Number(values.refits);
  if (!Number.isInteger(refits) || refits < 1) throw new Error('--refits must be a whole number >= 1');
  const rows = await spikeBench({ refits });
  if (values.json === true) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else
    for (const row of rows)
      process.stdout.write(`${row.name.padEnd(48)} ${row.value.toFixed(1).padStart(8)} ${row.unit}\n`);
}
