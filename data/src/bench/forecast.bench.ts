/**
 * Forecast fitting bench: every Tamil Nadu district x category daily series, fitted by our Prophet (augurs
 * + the exact MAP solver) and by Python's Prophet (eval/python/prophet_fit_bench.py, same settings, same
 * series) in the same run; fit time and MASE on a held-out tail for both.
 *
 * The series are built as the live backend builds them: the calibrated simulator (`@district-monitor/
 * streams/simulator`) at the rate table's natural rates (data/rates/tamil-nadu.json, NCRB and road-accident
 * yearly counts, ~183,000 events a year) runs hour by hour over `days` days, and events are counted per
 * district, category and local (IST) day of occurrence. Simulated rather than real data because no real
 * daily incident feed of Tamil Nadu exists in ../shared/data (NCRB is yearly); the simulator reproduces the
 * real yearly volumes per district and category, with weekly and hourly profiles and Poisson noise.
 *
 * Run alone: `node data/dist/bench/forecast.bench.js [--days N] [--limit N] [--no-python] [--no-ets] [--json]`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  EtsForecaster,
  ProphetForecaster,
  resolveProphetOptions,
  resolveSeasonalities,
  TAMIL_NADU_HOLIDAYS,
  type AugursRuntime,
  type ProphetForecastOptions,
  type RegularSeries,
  type SeriesForecast,
} from '@district-monitor/models';
import { CATEGORIES, utcOffsetMs } from '@district-monitor/streams';
import { mulberry32 } from '@district-monitor/streams/random';
import { createSimulator } from '@district-monitor/streams/simulator';
import { readRateTable } from '../rate-table-file.js';
import { readRegion } from '../registry.js';
import { initAugurs } from '../runtime/augurs.js';
import type { BenchRow } from './bench-row.js';

export interface ForecastBenchOptions {
  /** Days simulated; the last `holdoutDays` are held out. Default 365. */
  readonly days?: number;
  /** Days forecast and scored. Default 28. */
  readonly holdoutDays?: number;
  /** Simulator seed. Default 1. */
  readonly seed?: number;
  /** Fit at most this many series (the first ones, district by district). Default all. */
  readonly limit?: number;
  /** Run the Python reference. Default true. */
  readonly python?: boolean;
  /** Python interpreter that runs the script (it makes its own venv in .cache/python). Default `python3`. */
  readonly pythonExecutable?: string;
  /** Also fit the ETS baseline. Default true. */
  readonly ets?: boolean;
  /** Prophet options for both engines (the Python script gets the same). */
  readonly prophet?: Partial<ProphetForecastOptions>;
  /** Progress lines. Default: none. */
  readonly log?: (line: string) => void;
}

const DAY_MS = 86_400_000;
const REPO = new URL('../../../', import.meta.url);
const PYTHON_SCRIPT = fileURLToPath(new URL('eval/python/prophet_fit_bench.py', REPO));

interface NamedSeries {
  readonly name: string;
  readonly train: RegularSeries;
  readonly test: readonly number[];
}

/** Builds the series, fits them with both engines and returns the rows described in the module comment. */
export async function forecastBench(opts: ForecastBenchOptions = {}): Promise<BenchRow[]> {
  const days = opts.days ?? 365;
  const holdout = opts.holdoutDays ?? 28;
  const log = opts.log ?? (() => undefined);
  const runtime = await initAugurs();
  const built = await buildSeries(days, opts.seed ?? 1);
  log(`simulated ${built.events} events over ${days} days in ${built.ms.toFixed(0)} ms`);
  let all: NamedSeries[] = [];
  let constant = 0;
  for (const [name, values] of built.series) {
    const trainValues = values.slice(0, days - holdout);
    if (trainValues.every((v) => v === trainValues[0])) {
      constant++;
      continue;
    }
    all.push({
      name,
      train: { timestamps: built.timestamps.slice(0, days - holdout), values: trainValues },
      test: values.slice(days - holdout),
    });
  }
  if (opts.limit !== undefined) all = all.slice(0, opts.limit);
  log(`${all.length} series to fit (${constant} constant over training skipped)`);

  const prophetOptions: Partial<ProphetForecastOptions> = {
    horizonDays: holdout,
    holidays: TAMIL_NADU_HOLIDAYS,
    timeZone: 'Asia/Kolkata',
    ...opts.prophet,
  };
  const resolved = resolveProphetOptions(prophetOptions);
  const ours = fitAll(new ProphetForecaster(runtime, resolved), all);
  log(`ours: ${all.length} fits in ${ours.wallMs.toFixed(0)} ms (cpu ${ours.cpuMs.toFixed(0)} ms)`);
  const rows: BenchRow[] = [];
  const oursScore = score(
    all,
    ours.forecasts.map((f) => f.point.slice(f.fittedSteps)),
    ours.forecasts.map((f) => [f.lower.slice(f.fittedSteps), f.upper.slice(f.fittedSteps)]),
  );

  rows.push(
    {
      name: 'forecast.series',
      value: all.length,
      unit: 'series',
      note: `TN district x category daily series, ${days - holdout} training days, ${holdout} held out; ${constant} constant series skipped`,
    },
    {
      name: 'forecast.fit_all.ours',
      value: ours.wallMs,
      unit: 'ms',
      note: `augurs Prophet, optimizer ${resolved.optimizer}, fit + ${holdout}-day forecast + 80% intervals, wall clock (cpu ${ours.cpuMs.toFixed(0)} ms)`,
    },
    { name: 'forecast.fit_one_median.ours', value: median(ours.perSeriesMs), unit: 'ms' },
    {
      name: 'forecast.mase.ours',
      value: oursScore.mase,
      unit: 'MASE',
      note: `mean over ${oursScore.scored} series with a non-zero naive error`,
    },
    { name: 'forecast.coverage80.ours', value: oursScore.coverage, unit: 'share', baseline: 0.8 },
  );

  // The other MAP optimizer on the same series: wasmstan (the product's default) and the exact solver.
  const alternative = resolved.optimizer === 'stan' ? 'map' : 'stan';
  const alt = fitAll(new ProphetForecaster(runtime, { ...resolved, optimizer: alternative }), all);
  const altScore = score(
    all,
    alt.forecasts.map((f) => f.point.slice(f.fittedSteps)),
    alt.forecasts.map((f) => [f.lower.slice(f.fittedSteps), f.upper.slice(f.fittedSteps)]),
  );
  rows.push(
    {
      name: `forecast.fit_all.ours_${alternative}`,
      value: alt.wallMs,
      unit: 'ms',
      note: `the same fits with optimizer ${alternative} (cpu ${alt.cpuMs.toFixed(0)} ms)`,
    },
    { name: `forecast.mase.ours_${alternative}`, value: altScore.mase, unit: 'MASE' },
  );

  if (opts.python !== false) {
    const python = await runPython(all, resolved, opts.pythonExecutable ?? 'python3', log);
    const pyScore = score(
      all,
      python.series.map((s) => s.point),
      python.series.map((s) => [s.lower, s.upper]),
    );
    const pythonMs = (python.totals.fitSeconds + python.totals.predictSeconds) * 1000;
    rows.push(
      {
        name: 'forecast.fit_all.python',
        value: pythonMs,
        unit: 'ms',
        note: `prophet ${python.engine.prophet} (cmdstanpy ${python.engine.cmdstanpy}), fit + predict summed per series; process wall ${(python.totals.wallSeconds * 1000).toFixed(0)} ms incl. ${(python.totals.importSeconds * 1000).toFixed(0)} ms import`,
      },
      {
        name: 'forecast.fit_one_median.python',
        value: median(python.series.map((s) => (s.fitSeconds + s.predictSeconds) * 1000)),
        unit: 'ms',
      },
      {
        name: 'forecast.speedup',
        value: pythonMs / ours.wallMs,
        unit: 'x',
        baseline: 10,
        note: 'Python fit time / ours, same series and settings (goal >= 10)',
      },
      { name: 'forecast.mase.python', value: pyScore.mase, unit: 'MASE' },
      {
        name: 'forecast.mase.ratio',
        value: oursScore.mase / pyScore.mase,
        unit: 'ratio',
        baseline: 1.02,
        note: 'ours / Python (goal <= 1.02)',
      },
      { name: 'forecast.coverage80.python', value: pyScore.coverage, unit: 'share', baseline: 0.8 },
      {
        name: `forecast.speedup.${alternative}`,
        value: pythonMs / alt.wallMs,
        unit: 'x',
        baseline: 10,
        note: `with optimizer ${alternative} (goal >= 10)`,
      },
      {
        name: `forecast.mase.ratio.${alternative}`,
        value: altScore.mase / pyScore.mase,
        unit: 'ratio',
        baseline: 1.02,
        note: `with optimizer ${alternative}: ours / Python (goal <= 1.02)`,
      },
    );
  }
  if (opts.ets !== false) {
    const ets = fitAll(new EtsForecaster(runtime, { horizonDays: holdout }), all);
    const etsScore = score(
      all,
      ets.forecasts.map((f) => f.point.slice(f.fittedSteps)),
      ets.forecasts.map((f) => [f.lower.slice(f.fittedSteps), f.upper.slice(f.fittedSteps)]),
    );
    rows.push(
      { name: 'forecast.fit_all.ets', value: ets.wallMs, unit: 'ms', note: 'augurs MSTL + AutoETS baseline' },
      { name: 'forecast.mase.ets', value: etsScore.mase, unit: 'MASE' },
      { name: 'forecast.coverage80.ets', value: etsScore.coverage, unit: 'share', baseline: 0.8 },
    );
  }
  rows.push(...singleFits(runtime));
  return rows;
}

/** Daily counts per `district/category` from the simulator, by local day of occurrence. */
async function buildSeries(
  days: number,
  seed: number,
): Promise<{ timestamps: number[]; series: Map<string, number[]>; events: number; ms: number }> {
  const started = performance.now();
  const region = await readRegion(new URL('regions/tamil-nadu.json', new URL('../../', import.meta.url)));
  const rates = readRateTable(
    fileURLToPath(new URL('rates/tamil-nadu.json', new URL('../../', import.meta.url))),
    region,
  );
  if (rates === undefined)
    throw new Error('data/rates/tamil-nadu.json is missing or not a Tamil Nadu rate table');
  const simulator = createSimulator({ region, rates, seed, source: 'forecast-bench' });
  // Local midnight of 2024-01-01 in the region's zone: the first day of the series.
  const utcMidnight = Date.UTC(2024, 0, 1);
  const start = utcMidnight - utcOffsetMs(utcMidnight, region.timeZone);
  const offset = utcOffsetMs(start, region.timeZone);
  const series = new Map<string, number[]>();
  for (const code of simulator.expectedYearly.keys()) {
    for (const category of CATEGORIES) series.set(`${code}/${category}`, new Array<number>(days).fill(0));
  }
  let events = 0;
  simulator.tick(start);
  for (let hour = 1; hour <= days * 24; hour++) {
    for (const event of simulator.tick(start + hour * 3_600_000)) {
      const at = Date.parse(event.occurredAt ?? event.reportedAt);
      const day = Math.floor((at + offset - (start + offset)) / DAY_MS);
      if (day < 0 || day >= days) continue;
      const values = series.get(`${event.district}/${event.category}`);
      if (values === undefined) continue;
      values[day] = (values[day] as number) + 1;
      events++;
    }
  }
  const timestamps = Array.from({ length: days }, (_, d) => start + d * DAY_MS);
  return { timestamps, series, events, ms: performance.now() - started };
}

interface Forecaster {
  forecast(series: RegularSeries, key?: string): SeriesForecast;
}

function fitAll(
  forecaster: Forecaster,
  all: readonly NamedSeries[],
): { forecasts: SeriesForecast[]; wallMs: number; cpuMs: number; perSeriesMs: number[] } {
  const perSeriesMs: number[] = [];
  const forecasts: SeriesForecast[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const s of all) {
    const t = performance.now();
    forecasts.push(forecaster.forecast(s.train, s.name));
    perSeriesMs.push(performance.now() - t);
  }
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { forecasts, wallMs, cpuMs: (used.user + used.system) / 1000, perSeriesMs };
}

/**
 * Mean MASE over the series (test MAE over the in-sample MAE of the one-step naive forecast; series whose
 * naive error is 0 are left out) and the share of test days inside the interval.
 */
function score(
  all: readonly NamedSeries[],
  points: readonly (readonly number[])[],
  bounds: readonly (readonly [readonly number[], readonly number[]])[],
): { mase: number; coverage: number; scored: number } {
  let maseSum = 0;
  let scored = 0;
  let inside = 0;
  let total = 0;
  all.forEach((s, i) => {
    const point = points[i] as readonly number[];
    const [lower, upper] = bounds[i] as readonly [readonly number[], readonly number[]];
    let naive = 0;
    const train = s.train.values;
    for (let t = 1; t < train.length; t++) naive += Math.abs((train[t] as number) - (train[t - 1] as number));
    naive /= train.length - 1;
    let mae = 0;
    s.test.forEach((y, h) => {
      mae += Math.abs(y - (point[h] as number));
      if (y >= (lower[h] as number) && y <= (upper[h] as number)) inside++;
      total++;
    });
    mae /= s.test.length;
    if (naive > 0) {
      maseSum += mae / naive;
      scored++;
    }
  });
  return { mase: maseSum / scored, coverage: inside / total, scored };
}

interface PythonResult {
  readonly engine: { readonly prophet: string; readonly cmdstanpy: string };
  readonly series: readonly {
    readonly name: string;
    readonly fitSeconds: number;
    readonly predictSeconds: number;
    readonly point: number[];
    readonly lower: number[];
    readonly upper: number[];
  }[];
  readonly totals: {
    readonly fitSeconds: number;
    readonly predictSeconds: number;
    readonly importSeconds: number;
    readonly wallSeconds: number;
  };
}

async function runPython(
  all: readonly NamedSeries[],
  resolved: Readonly<ProphetForecastOptions>,
  python: string,
  log: (line: string) => void,
): Promise<PythonResult> {
  const dir = await mkdtemp(join(tmpdir(), 'forecast-bench-'));
  try {
    const input = join(dir, 'series.json');
    const output = join(dir, 'result.json');
    const first = all[0]?.train.timestamps[0] ?? 0;
    // Every series has the same daily steps and span, so the same seasonalities.
    const seasonalities = resolveSeasonalities(resolved, DAY_MS, all[0]?.train.timestamps.length ?? 0);
    await writeFile(
      input,
      JSON.stringify({
        settings: {
          transform: resolved.transform,
          intervalWidth: resolved.intervalWidth,
          uncertaintySamples: resolved.uncertaintySamples,
          weekly: seasonalities.weekly,
          daily: seasonalities.daily,
          yearly: seasonalities.yearly,
          nChangepoints: resolved.changepoints,
          changepointRange: resolved.changepointRange,
          changepointPriorScale: resolved.changepointPriorScale,
          seasonalityPriorScale: resolved.seasonalityPriorScale,
          holidaysPriorScale: resolved.holidaysPriorScale,
          holidays: resolved.holidays,
          // Local dates of the holidays are matched against local timestamps.
          utcOffsetSeconds: utcOffsetMs(first, resolved.timeZone) / 1000,
          seed: resolved.seed,
        },
        series: all.map((s) => ({
          name: s.name,
          ds: s.train.timestamps.map((t) => t / 1000),
          y: s.train.values,
          horizon: s.test.length,
        })),
      }),
    );
    log(`python: fitting ${all.length} series (first run installs prophet into .cache/python)`);
    await new Promise<void>((resolve, reject) => {
      const child = spawn(python, [PYTHON_SCRIPT, input, '--out', output], {
        stdio: ['ignore', 'inherit', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolve();
        else reject(new Error(`${PYTHON_SCRIPT} exited with ${code}: ${stderr.slice(-2000)}`));
      });
    });
    return JSON.parse(await readFile(output, 'utf8')) as PythonResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One fit on ~2 years of daily data and one on 60 days of hourly data (Poisson counts, weekly and daily cycles). */
function singleFits(runtime: AugursRuntime): BenchRow[] {
  const random = mulberry32(7);
  const poisson = (mean: number): number => {
    const limit = Math.exp(-mean);
    let n = 0;
    for (let p = random(); p > limit; p *= random()) n++;
    return n;
  };
  const start = Date.UTC(2023, 0, 1) - 19_800_000;
  const make = (n: number, step: number, rate: (i: number) => number): RegularSeries => ({
    timestamps: Array.from({ length: n }, (_, i) => start + i * step),
    values: Array.from({ length: n }, (_, i) => poisson(rate(i))),
  });
  const daily = make(
    730,
    DAY_MS,
    (i) => 8 + 0.004 * i + 2 * Math.sin((2 * Math.PI * i) / 7) + 1.5 * Math.sin((2 * Math.PI * i) / 365.25),
  );
  const hourly = make(
    60 * 24,
    3_600_000,
    (i) => 1.2 + 0.8 * Math.sin((2 * Math.PI * i) / 24) + 0.2 * Math.sin((2 * Math.PI * i) / 168),
  );
  const rows: BenchRow[] = [];
  for (const optimizer of ['map', 'stan'] as const) {
    const forecaster = new ProphetForecaster(runtime, {
      optimizer,
      holidays: TAMIL_NADU_HOLIDAYS,
      timeZone: 'Asia/Kolkata',
    });
    for (const [name, series, note] of [
      ['daily_2y', daily, '730 daily steps, weekly + yearly seasonality, TN holidays, 28-day forecast'],
      ['hourly_60d', hourly, '1440 hourly steps, daily + weekly seasonality, TN holidays, 672-step forecast'],
    ] as const) {
      const times: number[] = [];
      // The first fits warm the JIT and the wasm tiers up; the median of the rest is reported.
      for (let r = 0; r < 9; r++) {
        const t = performance.now();
        forecaster.forecast(series, name);
        times.push(performance.now() - t);
      }
      rows.push({
        name: `forecast.one_fit.${name}.${optimizer}`,
        value: median(times.slice(3)),
        unit: 'ms',
        note: `${note}; optimizer ${optimizer}`,
      });
    }
  }
  return rows;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      days: { type: 'string' },
      limit: { type: 'string' },
      'no-python': { type: 'boolean' },
      'no-ets': { type: 'boolean' },
      optimizer: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const optimizer = values.optimizer;
  if (optimizer !== undefined && optimizer !== 'map' && optimizer !== 'stan')
    throw new Error('--optimizer is map or stan');
  const rows = await forecastBench({
    ...(values.days === undefined ? {} : { days: Number(values.days) }),
    ...(values.limit === undefined ? {} : { limit: Number(values.limit) }),
    python: values['no-python'] !== true,
    ets: values['no-ets'] !== true,
    ...(optimizer === undefined ? {} : { prophet: { optimizer } }),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  if (values.json === true) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else
    for (const row of rows)
      process.stdout.write(
        `${row.name.padEnd(40)} ${row.value.toFixed(3).padStart(12)} ${row.unit}${row.baseline === undefined ? '' : ` (baseline ${row.baseline})`}${row.note === undefined ? '' : `  ${row.note}`}\n`,
      );
}
