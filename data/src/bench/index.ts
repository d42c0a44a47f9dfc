export type { BenchRow } from './bench-row.js';
export { forecastBench, type ForecastBenchOptions } from './forecast.bench.js';
export { forestBench } from './forest.bench.js';
export { fusionBench } from './fusion.bench.js';
export { spikeBench, type SpikeBenchOptions } from './spike.bench.js';
