import { readFileSync } from 'node:fs';
import { initModelRuntime } from '@district-monitor/data/runtime';
import {
  forecastBench,
  forestBench,
  fusionBench,
  type BenchRow as ModelBenchRow,
} from '@district-monitor/data/bench';
import {
  CUBE_HOURS,
  DistrictScorer,
  HourClock,
  HourlyCube,
  computeDistrictFeatures,
  regionWeek,
  trainDistrictModels,
  type HourlyCountInput,
} from '@district-monitor/models';
import { INCIDENT_CATEGORIES, type Region } from '@district-monitor/streams';
import { mulberry32 } from '@district-monitor/streams/simulator';
import type { BenchRow } from './bench-kit.js';

/**
 * The models section: one district scored end to end (crime features, trend and profile vectors, fusion)
 * with a trained bundle; the fusion network alone (fast path against tfjs' generic predict); Prophet fits of
 * every Tamil Nadu district x category (ours against Python Prophet, run in the same bench); random-forest
 * fit and predict. `vs baseline` is the figure over its baseline.
 */
export async function modelsSection(): Promise<BenchRow[]> {
  const rows: ModelBenchRow[] = [
    ...(await scoringBench()),
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

/**
 * Incremental scoring of one district, as the backend does after a batch: its 128 features from the hourly
 * cube, then `DistrictScorer.score` (trend vector from the stored forecasts, profile vector, fusion), with a
 * bundle trained on 200 days of Poisson counts for 6 Tamil Nadu districts.
 */
async function scoringBench(): Promise<ModelBenchRow[]> {
  const runtime = await initModelRuntime();
  const full = JSON.parse(
    readFileSync(new URL('../../../data/regions/tamil-nadu.json', import.meta.url), 'utf8'),
  ) as Region;
  const codes = ['TN-CHN', 'TN-MDU', 'TN-CBE', 'TN-SLM', 'TN-ARI', 'TN-TVL'];
  const region: Region = { ...full, units: full.units.filter((u) => codes.includes(u.code)) };
  const clock = new HourClock(region.timeZone);
  const until = Date.parse('2026-11-01T00:00:00+05:30');
  const random = mulberry32(11);
  const counts: HourlyCountInput[] = [];
  for (let hour = until - 200 * 86_400_000; hour < until; hour += 3_600_000)
    for (const district of codes)
      for (const category of INCIDENT_CATEGORIES.slice(0, 3)) {
        const events = random() < 0.3 ? 1 + Math.floor(random() * 2) : 0;
        if (events > 0) counts.push({ district, category, hour, events, killed: 0, injured: 0 });
      }
  const started = performance.now();
  const bundle = trainDistrictModels({ region, counts, until, seed: 1 }, runtime, { maxEpochs: 30 });
  const trainMs = performance.now() - started;
  const scorer = DistrictScorer.load(bundle, runtime, 'bench');
  const unit = region.units.find((u) => u.code === 'TN-MDU');
  if (unit === undefined) throw new Error('TN-MDU is not in the region file');
  // Every district's cube: a scoring run also reads the region's week (its momentum) from all of them.
  const cubes = new Map(
    codes.map((code) => [
      code,
      new HourlyCube({ endHour: clock.hourOf(until) + 24 * 7, capacityHours: CUBE_HOURS }),
    ]),
  );
  for (const row of counts)
    cubes.get(row.district)?.add(row.category, clock.hourOf(row.hour), row.events, 0, 0);
  const cube = cubes.get(unit.code);
  if (cube === undefined) throw new Error('no cube for TN-MDU');
  const times: number[] = [];
  for (let i = 0; i < 2200; i++) {
    const asOf = until + (i % 168) * 3_600_000 + 60_000;
    const t0 = performance.now();
    const crimeVector = computeDistrictFeatures({
      counts: cube,
      clock,
      asOf,
      unit,
      regionPopulation: null,
    }).vector;
    const region = regionWeek([...cubes.values()], clock, asOf);
    scorer.score({ unit, counts: cube, clock, crimeVector, asOf, region });
    if (i >= 200) times.push(performance.now() - t0);
  }
  scorer.dispose();
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? NaN;
  return [
    {
      name: 'scoring: 1 district, features -> fusion output, p50',
      value: at(0.5),
      unit: 'ms',
      note: `crime features + the region's week (6 districts) + trend + profile + fusion, ${runtime.tf.backend}; 2,000 calls after 200 warm-up`,
    },
    {
      name: 'scoring: 1 district, features -> fusion output, p99',
      value: at(0.99),
      unit: 'ms',
      baseline: 5,
      note: `goal < 5 ms on the ${runtime.tf.backend} backend`,
    },
    {
      name: 'training: trainDistrictModels, 6 districts x 200 days',
      value: trainMs,
      unit: 'ms',
      note: `${bundle.card.data.samples ?? '?'} samples, Prophet with the exact MAP solver, forest 100 trees, count trees, interval networks <= 30 epochs`,
    },
  ];
}
