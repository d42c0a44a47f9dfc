import {
  forecastBench,
  forestBench,
  fusionBench,
  type BenchRow as ModelBenchRow,
} from '@district-monitor/data/bench';
import type { BenchRow } from './bench-kit.js';

/**
 * The models section: fusion scoring per district (fast path against tfjs' generic predict), Prophet fits of
 * every Tamil Nadu district x category (ours against Python Prophet, run in the same bench), random-forest
 * fit and predict. The rows come from data/src/bench; `vs baseline` is the figure over its baseline.
 */
export async function modelsSection(): Promise<BenchRow[]> {
  const rows: ModelBenchRow[] = [
    ...(await fusionBench()),
    ...(await forecastBench()),
    ...(await forestBench()),
  ];
  return rows.map((row) => ({
    section: 'models',
    path: row.name,
    value: row.value,
    unit: row.unit,
    vsBaseline: row.baseline !== undefined && row.baseline !== 0 ? row.value / row.baseline : null,
    goal: row.note ?? null,
  }));
}
