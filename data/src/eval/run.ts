import { fileURLToPath } from 'node:url';
import { loadChicagoIncidents, type IncidentRow } from '../incidents.js';
import { loadRegion } from '../registry.js';
import type { ModelRow, TaskReport } from './report.js';
import { checkMetricsInPython, type ReferenceScoreJob } from './reference.js';
import { tierReferenceRows, weeklyReferenceRows } from './reference-rows.js';
import {
  FIRST_TIER_TARGET,
  evaluateTiers,
  persistence,
  threeYearMean,
  TIER_METRICS,
  type TierModel,
} from '../tier/tier-eval.js';
import { loadTierTask } from '../tier/tier-task.js';
import {
  TierForecastCache,
  tierForecaster,
  tierForest,
  tierFusion,
  tierProfiles,
} from '../tier/tier-models.js';
import { cityMomentumBaseline } from './weekly-city.js';
import { seasonalMeanBaseline } from './weekly-season.js';
import { cachedEts, cachedProphet, WeeklyForecastCache, weeklyStackedFusion } from './weekly-stack.js';
import {
  evaluateWeekly,
  meanBaseline,
  WARM_UP_WEEKS,
  WEEKLY_METRICS,
  weeklySamples,
  type WeeklyModel,
} from './weekly-eval.js';
import { buildWeeklyTask } from './weekly-task.js';
import { WeeklyFeatureCache, weeklyForest, weeklyProfiles } from './weekly-models.js';
import { initAugurs } from '../runtime/augurs.js';
import { initTensorflow } from '../runtime/tf.js';

/** The repository root (data/dist/eval/run.js is three levels down). */
const REPO = new URL('../../../', import.meta.url);
const SHARED = new URL('../shared/data/', REPO);

export interface EvalOptions {
  readonly seed: number;
  /** Run the Python reference (prophet, scikit-learn) on the same splits. */
  readonly reference: boolean;
  readonly incidentFiles?: readonly string[];
  readonly regionFile?: string;
  readonly ncrbDirectory?: string;
  /** T2: complete weeks at the end of the data predicted and scored (default 13). */
  readonly testWeeks?: number;
  readonly progress: (line: string) => void;
}

/** T1: Tamil Nadu district risk tiers, NCRB tables, rolling origin. */
export async function runTierTask(options: EvalOptions): Promise<TaskReport> {
  const registry = await loadRegion(new URL('data/regions/tamil-nadu.json', REPO));
  const directory = options.ncrbDirectory ?? fileURLToPath(new URL('ncrb/', SHARED));
  options.progress(`t1: loading the NCRB tables from ${directory}`);
  const task = await loadTierTask(directory, registry);
  await initTensorflow();
  const forecasts = new TierForecastCache(task, await initAugurs(), options.seed);
  const models: TierModel[] = [
    persistence,
    threeYearMean,
    tierForecaster('ets', forecasts),
    tierForecaster('prophet', forecasts),
    tierForest(options.seed),
    tierProfiles(options.seed),
    tierFusion(forecasts, options.seed),
  ];
  const rows: ModelRow[] = [];
  const scored: { name: string; metrics: ModelRow['metrics']; job: ReferenceScoreJob }[] = [];
  for (const model of models) {
    const { predictions: _predictions, ...row } = await evaluateTiers(
      task,
      model,
      (done, total) => {
        options.progress(`t1: ${model.name} origin ${done}/${total}`);
      },
      (job) => {
        if (model.kind === 'baseline') scored.push({ name: model.name, metrics: {}, job });
      },
    );
    rows.push(row);
  }
  const reference = { notes: [] as string[] };
  if (options.reference) {
    options.progress("t1: the baseline rows' metrics recomputed in Python");
    reference.notes.push(
      checkMetricsInPython(
        scored.map((s) => ({ ...s, metrics: rows.find((r) => r.model === s.name)?.metrics ?? {} })),
        options.seed,
        3,
      ),
    );
    options.progress('t1: Python reference (prophet, scikit-learn) on the same splits');
    const python = await tierReferenceRows(task, options.seed);
    rows.push(...python.rows);
    reference.notes.push(
      `Python reference: ${Object.entries(python.engine)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  }
  const targets = task.years.slice(FIRST_TIER_TARGET);
  return {
    task: 't1',
    title: 'Tamil Nadu district risk tier next year (IPC cases per 100,000: low / middle / high third)',
    data: {
      source: directory,
      units: `${task.units.length} (districts split since 2001 merged back: ${task.units
        .filter((u) => u.members.length > 1)
        .map((u) => u.members.join('+'))
        .join(', ')})`,
      years: task.years.join(', '),
      predicted: `${targets.length} target years (${targets[0]}-${targets.at(-1)}), ${targets.length * task.units.length} predictions, each model refitted on all earlier target years`,
    },
    metricNames: TIER_METRICS,
    rows,
    notes: [
      ...reference.notes,
      ...(forecasts.etsFallbacks.length > 0
        ? [
            `AutoETS found no model for ${forecasts.etsFallbacks.length} unit-years (forecast = last value): ${forecasts.etsFallbacks.slice(0, 5).join('; ')}`,
          ]
        : []),
    ],
  };
}

/** T2: next-week incident count and tercile per police district. */
export async function runWeeklyTask(options: EvalOptions): Promise<TaskReport> {
  const registry = await loadRegion(options.regionFile ?? new URL('data/regions/chicago.json', REPO));
  const files = options.incidentFiles ?? [
    fileURLToPath(new URL('incidents/chicago_crimes_2016.csv', SHARED)),
    fileURLToPath(new URL('incidents/chicago_crimes_2017.csv', SHARED)),
  ];
  const rows: IncidentRow[] = [];
  for (const file of files) {
    options.progress(`t2: reading ${file}`);
    const load = await loadChicagoIncidents(file, registry);
    for (const row of load.rows) rows.push(row);
  }
  const task = buildWeeklyTask(
    rows,
    registry,
    options.testWeeks === undefined ? {} : { testWeeks: options.testWeeks },
  );
  const tf = await initTensorflow();
  options.progress(`t2: TF.js backend ${tf.backend} (${tf.reason})`);
  const training = weeklySamples(task, WARM_UP_WEEKS, task.testStart);
  const test = weeklySamples(task, task.testStart, task.weekStarts.length - 1);
  const augurs = await initAugurs();
  const cache = new WeeklyFeatureCache(task, augurs, options.seed);
  cache.build(WARM_UP_WEEKS, task.weekStarts.length - 1, (done, total) => {
    if (done % 10 === 0 || done === total) options.progress(`t2: branch vectors, week ${done}/${total}`);
  });
  // ETS, Prophet and the fusion's stacked inputs share one set of forecasts.
  const forecasts = new WeeklyForecastCache(task, augurs, options.seed);
  const models: WeeklyModel[] = [
    meanBaseline(1),
    meanBaseline(4),
    meanBaseline(8),
    seasonalMeanBaseline(),
    cityMomentumBaseline(),
    cachedEts(forecasts),
    cachedProphet(forecasts),
    weeklyForest(cache, options.seed),
    weeklyProfiles(cache),
    weeklyStackedFusion(cache, forecasts, { seed: options.seed }),
  ];
  const results: ModelRow[] = [];
  const scored: { name: string; metrics: ModelRow['metrics']; job: ReferenceScoreJob }[] = [];
  for (const model of models) {
    options.progress(`t2: ${model.name}`);
    const row = await evaluateWeekly(task, model, training, test, (job) => {
      if (model.kind === 'baseline') scored.push({ name: model.name, metrics: {}, job });
    });
    results.push(row);
    const entry = scored.find((s) => s.name === model.name);
    // Python names the tercile scores as T1's: accuracy, macroF1, brier.
    const m = row.metrics;
    if (entry !== undefined)
      entry.metrics = {
        mase: m.mase ?? null,
        coverage80: m.coverage80 ?? null,
        accuracy: m.tercileAccuracy ?? null,
        macroF1: m.tercileMacroF1 ?? null,
        brier: m.tercileBrier ?? null,
      };
  }
  const notes: string[] = [];
  if (options.reference) {
    options.progress("t2: the baseline rows' metrics recomputed in Python");
    notes.push(checkMetricsInPython(scored, options.seed, 3));
    options.progress('t2: Python reference (prophet, scikit-learn) on the same splits');
    const python = await weeklyReferenceRows(task, cache, training, test, options.seed);
    results.push(...python.rows);
    notes.push(
      `Python reference: ${Object.entries(python.engine)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  }
  const day = (ms: number | undefined) => new Date(ms ?? NaN).toISOString().slice(0, 10);
  return {
    task: 't2',
    title: 'next-week incident count and tercile per police district',
    data: {
      source: files.join(', '),
      districts: `${task.series.length} (${task.excluded.map((e) => `${e.code} left out: ${e.reason}`).join('; ') || 'none left out'})`,
      training: `weeks from ${day(task.weekStarts[WARM_UP_WEEKS])} to ${day(task.weekStarts[task.testStart])} (${training.length} district-weeks; the first ${WARM_UP_WEEKS} weeks are history only)`,
      test: `${task.weekStarts.length - 1 - task.testStart} weeks from ${day(task.weekStarts[task.testStart])} to ${day(task.weekStarts.at(-1))} (${test.length} district-weeks)`,
      weeks:
        "local Monday 00:00 to Sunday 24:00; MASE scale: mean absolute week-to-week change over the training weeks, per district; terciles of each district's training weeks",
    },
    metricNames: WEEKLY_METRICS,
    rows: results,
    notes,
  };
}
