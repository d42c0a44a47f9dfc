import { CRIME_FEATURE_NAMES } from '@district-monitor/models';
import { oneHot } from '../tier/metrics.js';
import { runReference, type ReferenceSeries } from './reference.js';
import type { ModelRow } from './report.js';
import { FIRST_TIER_TARGET, evaluateTiers, tierSamples, type TierSample } from '../tier/tier-eval.js';
import { crimeMatrix } from '../tier/tier-models.js';
import { tiersOf, type TierTask } from '../tier/tier-task.js';
import { yearlyLogRates } from '../tier/tier-trend.js';
import { evaluateWeekly, type WeeklyForecast, type WeeklyModel, type WeeklySample } from './weekly-eval.js';
import type { WeeklyFeatureCache } from './weekly-models.js';
import type { WeeklyTask } from './weekly-task.js';

const DAY_S = 86_400;
const TREES = 100;

/**
 * The Python reference rows of T2 (scikit-learn random forests on the same 128 features; Python Prophet on
 * the same weekly series with the same settings), scored by the same code as ours.
 */
export async function weeklyReferenceRows(
  task: WeeklyTask,
  cache: WeeklyFeatureCache,
  training: readonly WeeklySample[],
  test: readonly WeeklySample[],
  seed: number,
): Promise<{ rows: ModelRow[]; engine: Readonly<Record<string, string>> }> {
  const weeks = [...new Set(training.map((s) => s.week))].sort((a, b) => a - b);
  const cut = weeks[Math.floor(weeks.length * 0.8)] ?? Infinity;
  const early = training.filter((s) => s.week < cut);
  const late = training.filter((s) => s.week >= cut);
  const forest = (fit: readonly WeeklySample[], predict: readonly WeeklySample[]) => ({
    trainX: fit.map((s) => cache.of(s).crime),
    testX: predict.map((s) => cache.of(s).crime),
    trainClass: fit.map((s) => s.tercile),
    trainCount: fit.map((s) => s.truth),
    trees: TREES,
  });
  // The late training weeks too: their forecasts calibrate the tercile probabilities, as for our Prophet.
  const series: ReferenceSeries[] = [...test, ...late].map((s) => {
    const history = task.series[s.series]?.weekly.slice(0, s.week) ?? [];
    return {
      name: `${s.series}@${s.week}`,
      ds: history.map((_, i) => i * 7 * DAY_S),
      y: history,
      horizon: 1,
      settings: { yearly: history.length * 7 >= 365 },
    };
  });
  const result = runReference(
    {
      seed,
      forests: { test: forest(training, test), calibration: forest(early, late) },
      prophet: { settings: { transform: 'sqrt', weekly: false, daily: false, seed }, series },
    },
    3,
  );
  const key = (s: WeeklySample) => `${s.series}@${s.week}`;
  const forestPredictions = new Map<string, WeeklyForecast>();
  for (const [name, samples] of [
    ['test', test],
    ['calibration', late],
  ] as const) {
    const out = result.forests[name];
    samples.forEach((s, i) =>
      forestPredictions.set(`${name}/${key(s)}`, {
        count: out?.count?.[i] ?? NaN,
        probabilities: out?.classProbabilities[i] ?? [],
      }),
    );
  }
  let forestSet: 'test' | 'calibration' = 'test';
  const pythonForest: WeeklyModel = {
    name: 'python-random-forest',
    kind: 'reference',
    how: `scikit-learn ${result.engine['scikit-learn'] ?? ''} RandomForestRegressor / Classifier (${TREES} trees) on the same ${CRIME_FEATURE_NAMES.length} features and splits`,
    fit: (_task, fitted) => {
      forestSet = fitted.length === training.length ? 'test' : 'calibration';
      return Promise.resolve();
    },
    predict: (_task, samples) =>
      Promise.resolve(samples.map((s) => forestPredictions.get(`${forestSet}/${key(s)}`) ?? { count: NaN })),
  };
  const prophet = new Map(result.prophet.map((r) => [r.name, r]));
  const pythonProphet: WeeklyModel = {
    name: 'python-prophet',
    kind: 'reference',
    how: `Python prophet ${result.engine.prophet ?? ''} on the same weekly series and settings (sqrt scale, yearly from 1 year); its 80% interval`,
    fit: () => Promise.resolve(),
    predict: (_task, samples) =>
      Promise.resolve(
        samples.map((s) => {
          const r = prophet.get(key(s));
          return {
            count: r?.point[0] ?? NaN,
            interval: [r?.lower[0] ?? NaN, r?.upper[0] ?? NaN] as const,
          };
        }),
      ),
  };
  const rows = [
    withTimes(
      await evaluateWeekly(task, pythonProphet, training, test),
      sum(result.prophet.map((r) => r.fitSeconds)),
      sum(result.prophet.map((r) => r.predictSeconds)),
    ),
    withTimes(
      await evaluateWeekly(task, pythonForest, training, test),
      (result.forests.test?.fitSeconds ?? NaN) + (result.forests.calibration?.fitSeconds ?? NaN),
      result.forests.test?.predictSeconds ?? NaN,
    ),
  ];
  return { rows, engine: result.engine };
}

/** The Python reference rows of T1: scikit-learn forests per origin, Python Prophet per unit and origin. */
export async function tierReferenceRows(
  task: TierTask,
  seed: number,
): Promise<{ rows: ModelRow[]; engine: Readonly<Record<string, string>> }> {
  const targets = task.years.map((_, y) => y).filter((y) => y >= FIRST_TIER_TARGET);
  const forests: Record<
    string,
    { trainX: number[][]; testX: number[][]; trainClass: number[]; trees: number }
  > = {};
  const series: ReferenceSeries[] = [];
  for (const target of targets) {
    const training: TierSample[] = [];
    for (let y = 3; y < target; y++) training.push(...tierSamples(task, y));
    const test = tierSamples(task, target);
    forests[String(target)] = {
      trainX: crimeMatrix(task, training),
      testX: crimeMatrix(task, test),
      trainClass: training.map((s) => s.truth),
      trees: TREES,
    };
    for (const s of test) {
      const { values, ahead } = yearlyLogRates(task, s.unit, s.last);
      series.push({
        name: `${s.unit}@${target}`,
        ds: values.map((_, i) => i * 365 * DAY_S),
        y: values,
        horizon: ahead,
      });
    }
  }
  const result = runReference(
    {
      seed,
      forests,
      prophet: { settings: { transform: 'none', weekly: false, daily: false, yearly: false, seed }, series },
    },
    3,
  );
  const prophet = new Map(result.prophet.map((r) => [r.name, r]));
  const forestRow = await evaluateTiers(task, {
    name: 'python-random-forest',
    kind: 'reference',
    how: `scikit-learn ${result.engine['scikit-learn'] ?? ''} RandomForestClassifier (${TREES} trees) on the same yearly features, refitted at every origin`,
    fitPredict: (_task, _training, test) => {
      const out = result.forests[String(test[0]?.target ?? -1)];
      return Promise.resolve({
        probabilities: out?.classProbabilities ?? [],
        fitMs: (out?.fitSeconds ?? NaN) * 1000,
        predictMs: (out?.predictSeconds ?? NaN) * 1000,
      });
    },
  });
  const prophetRow = await evaluateTiers(task, {
    name: 'python-prophet',
    kind: 'reference',
    how: `Python prophet ${result.engine.prophet ?? ''} on the same yearly log-rate series (trend only), forecasts ranked into tiers`,
    fitPredict: (_task, _training, test) => {
      const fits = test.map((s) => prophet.get(`${s.unit}@${s.target}`));
      const tiers = tiersOf(fits.map((r) => r?.point.at(-1) ?? NaN));
      return Promise.resolve({
        probabilities: tiers.map((t) => oneHot(t, 3)),
        fitMs: sum(fits.map((r) => r?.fitSeconds ?? NaN)) * 1000,
        predictMs: sum(fits.map((r) => r?.predictSeconds ?? NaN)) * 1000,
      });
    },
  });
  const strip = ({ predictions: _predictions, ...row }: ModelRow & { predictions: unknown }): ModelRow => row;
  return { rows: [strip(prophetRow), strip(forestRow)], engine: result.engine };
}

function withTimes(row: ModelRow, fitSeconds: number, predictSeconds: number): ModelRow {
  return { ...row, fitMs: fitSeconds * 1000, predictMs: predictSeconds * 1000 };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
