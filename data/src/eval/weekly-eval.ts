import { computeDistrictFeatures } from '@district-monitor/models';
import { RatioCalibration } from './calibration.js';
import { argmax, brier, coverage, macroF1, mase, reliability, tercileOf, accuracy } from '../tier/metrics.js';
import type { ReferenceScoreJob } from './reference.js';
import type { ModelRow } from './report.js';
import type { WeeklyTask } from './weekly-task.js';

/** One prediction of T2: district `series`, week `week`, from data before `asOf + 1`. */
export interface WeeklySample {
  readonly series: number;
  readonly week: number;
  /** The last millisecond before the predicted week: everything a prediction reads happened at or before it. */
  readonly asOf: number;
  readonly truth: number;
  readonly tercile: number;
}

/** What a model says about one sample. */
export interface WeeklyForecast {
  readonly count: number;
  /** The model's own 80% interval, when it has one. */
  readonly interval?: readonly [number, number];
  /** The model's own tercile probabilities, when it has them. */
  readonly probabilities?: readonly number[];
  /** The negative binomial size behind those probabilities (null: Poisson), when the model has one. */
  readonly size?: number | null;
}

/** A T2 model: fitted once on the training samples, then asked for the test samples. */
export interface WeeklyModel {
  readonly name: string;
  readonly kind: ModelRow['kind'];
  readonly how: string;
  fit(task: WeeklyTask, training: readonly WeeklySample[]): Promise<void>;
  predict(task: WeeklyTask, samples: readonly WeeklySample[]): Promise<WeeklyForecast[]>;
}

export const WEEKLY_METRICS = [
  'mase',
  'coverage80',
  'tercileAccuracy',
  'tercileMacroF1',
  'tercileBrier',
] as const;

/** Weeks of history every sample has (the 4-week mean and the features' 8-week baselines). */
export const WARM_UP_WEEKS = 8;

/** The samples of weeks [from, to) for every evaluated district, in time order. */
export function weeklySamples(task: WeeklyTask, from: number, to: number): WeeklySample[] {
  const samples: WeeklySample[] = [];
  for (let week = from; week < to; week++)
    task.series.forEach((series, index) => {
      const truth = series.weekly[week] ?? NaN;
      samples.push({
        series: index,
        week,
        asOf: (task.weekStarts[week] ?? NaN) - 1,
        truth,
        tercile: tercileOf(truth, series.terciles),
      });
    });
  return samples;
}

/** The 128 crime-statistics features of a sample's district at its `asOf`. */
export function crimeVector(task: WeeklyTask, sample: WeeklySample): number[] {
  const series = task.series[sample.series];
  if (series === undefined) throw new RangeError(`no series ${sample.series}`);
  return computeDistrictFeatures({
    counts: series.cube,
    clock: task.clock,
    asOf: sample.asOf,
    unit: series.unit,
    regionPopulation: null,
  }).vector;
}

/**
 * Fits a model on the training samples, scores the test samples, and fills in an interval and tercile
 * probabilities from a ratio calibration where the model has none: the model is fitted on the first
 * 80% of the training weeks, its forecasts of the last 20% calibrate, then it is refitted on all of them.
 */
export async function evaluateWeekly(
  task: WeeklyTask,
  model: WeeklyModel,
  training: readonly WeeklySample[],
  test: readonly WeeklySample[],
  onScored?: (job: ReferenceScoreJob) => void,
): Promise<ModelRow> {
  const fitStarted = performance.now();
  await model.fit(task, training);
  let fitMs = performance.now() - fitStarted;
  const predictStarted = performance.now();
  const forecasts = await model.predict(task, test);
  const predictMs = performance.now() - predictStarted;

  let calibration: RatioCalibration | undefined;
  if (forecasts.some((f) => f.interval === undefined || f.probabilities === undefined)) {
    const cut = calibrationCut(training);
    const started = performance.now();
    const early = training.filter((s) => s.week < cut);
    const late = training.filter((s) => s.week >= cut);
    await model.fit(task, early);
    const held = await model.predict(task, late);
    calibration = new RatioCalibration(
      late.map((s) => s.truth),
      held.map((f) => f.count),
    );
    await model.fit(task, training);
    fitMs += performance.now() - started;
  }

  const truth = test.map((s) => s.truth);
  const classes = test.map((s) => s.tercile);
  const bounds = test.map((s) => task.series[s.series]?.terciles ?? { t1: NaN, t2: NaN });
  const intervals = forecasts.map((f) => f.interval ?? calibration?.interval(f.count) ?? [f.count, f.count]);
  const probabilities = forecasts.map(
    (f, i) => f.probabilities ?? calibration?.probabilities(f.count, bounds[i] ?? { t1: NaN, t2: NaN }) ?? [],
  );
  const predictedClass = forecasts.map((f, i) =>
    f.probabilities !== undefined
      ? argmax(f.probabilities)
      : tercileOf(f.count, bounds[i] ?? { t1: NaN, t2: NaN }),
  );
  onScored?.({
    truth: classes,
    probabilities,
    predicted: predictedClass,
    counts: truth,
    forecasts: forecasts.map((f) => f.count),
    scales: test.map((s) => task.series[s.series]?.scale ?? NaN),
    intervals: intervals.map(([lo, hi]) => [lo, hi] as [number, number]),
  });
  return {
    model: model.name,
    kind: model.kind,
    how: model.how,
    fitMs,
    predictMs,
    metrics: {
      mase: mase(
        truth,
        forecasts.map((f) => f.count),
        test.map((s) => task.series[s.series]?.scale ?? NaN),
      ),
      coverage80: coverage(truth, intervals as [number, number][]),
      tercileAccuracy: accuracy(classes, predictedClass),
      tercileMacroF1: macroF1(classes, predictedClass, 3),
      tercileBrier: brier(classes, probabilities),
    },
    reliability: reliability(classes, probabilities),
  };
}

/** The first week of the last 20% of the training weeks. */
function calibrationCut(training: readonly WeeklySample[]): number {
  const weeks = [...new Set(training.map((s) => s.week))].sort((a, b) => a - b);
  return weeks[Math.floor(weeks.length * 0.8)] ?? Infinity;
}

/** The mean of the last `k` weeks before the sample's week. */
export function recentMean(task: WeeklyTask, sample: WeeklySample, k: number): number {
  const weekly = task.series[sample.series]?.weekly ?? [];
  let sum = 0;
  for (let i = 1; i <= k; i++) sum += weekly[sample.week - i] ?? NaN;
  return sum / k;
}

/** Persistence-type baselines: no fitting, the forecast is a function of past weeks. */
export function meanBaseline(weeks: number): WeeklyModel {
  return {
    name: weeks === 1 ? 'last-week' : `mean-${weeks}w`,
    kind: 'baseline',
    how:
      weeks === 1
        ? "next week = this week's count (naive); interval and terciles from the ratio calibration"
        : `next week = mean of the last ${weeks} weeks; interval and terciles from the ratio calibration`,
    fit: () => Promise.resolve(),
    predict: (task, samples) => Promise.resolve(samples.map((s) => ({ count: recentMean(task, s, weeks) }))),
  };
}
