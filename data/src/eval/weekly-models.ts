import {
  BRANCH_SIZES,
  CRIME_FEATURE_NAMES,
  EtsForecaster,
  ForestClassifier,
  ForestRegressor,
  FusionNetwork,
  ProphetForecaster,
  branchVectors,
  fitBranchState,
  fusionBranches,
  tercileProbabilities,
  type AugursRuntime,
  type BranchState,
  type PipelineContext,
  type RegularSeries,
} from '@district-monitor/models';
import type { WeeklyForecast, WeeklyModel, WeeklySample } from './weekly-eval.js';
import type { WeeklyTask } from './weekly-task.js';

/** The three branch vectors (and the 4-week-mean baseline) of every sample, computed once. */
export interface WeeklyVectors {
  readonly crime: number[];
  readonly trend: number[];
  readonly profile: number[];
  readonly baseline: number;
  /** Stable k-means label of the district at the sample's origin. */
  readonly cluster: number;
}

/**
 * Runs the live pipeline (models/src/pipeline) over the task: the branch state (Prophet forecasts per
 * district and trend group, k-means profiles) is refitted every `refitWeeks` weeks from the events before
 * that week, and every sample's vectors come from the latest state at or before its week.
 */
export class WeeklyFeatureCache {
  private readonly vectors = new Map<string, WeeklyVectors>();
  readonly context: PipelineContext;
  fitMs = 0;
  refits = 0;

  constructor(
    private readonly task: WeeklyTask,
    augurs: AugursRuntime,
    seed: number,
    private readonly refitWeeks = 4,
  ) {
    this.context = {
      clock: task.clock,
      districts: task.series.map((s) => ({ unit: s.unit, counts: s.cube })),
      augurs,
      regionPopulation: null,
      holidays: [],
      seed,
      dataStart: task.weekStarts[0] ?? 0,
    };
  }

  /** Computes the vectors of every sample of weeks [from, to), reporting progress per refit. */
  build(from: number, to: number, progress: (done: number, total: number) => void): void {
    let state: BranchState | null = null;
    for (let week = from; week < to; week++) {
      const origin = this.task.weekStarts[week] ?? NaN;
      if (state === null || (week - from) % this.refitWeeks === 0) {
        const started = performance.now();
        state = fitBranchState(this.context, origin, state);
        this.fitMs += performance.now() - started;
        this.refits++;
      }
      const labels = state.profiles.assignments;
      this.task.series.forEach((_, index) => {
        const v = branchVectors(this.context, state as BranchState, index, origin);
        this.vectors.set(`${index}@${week}`, {
          ...v,
          cluster: labels.find((a) => a.id === this.task.series[index]?.unit.code)?.label ?? 0,
        });
      });
      progress(week - from + 1, to - from);
    }
  }

  of(sample: WeeklySample): WeeklyVectors {
    const v = this.vectors.get(`${sample.series}@${sample.week}`);
    if (v === undefined)
      throw new RangeError(`no vectors for district ${sample.series}, week ${sample.week}`);
    return v;
  }
}

/** Random forest alone: a regressor for the count, a classifier for the tercile, on the 128 features. */
export function weeklyForest(cache: WeeklyFeatureCache, seed: number): WeeklyModel {
  let regressor: ForestRegressor | undefined;
  let classifier: ForestClassifier | undefined;
  return {
    name: 'random-forest',
    kind: 'branch',
    how: 'ml-random-forest on the 128 crime-statistics features: regression for the count, classification for the tercile (share of trees voting)',
    fit: (_task, training) => {
      const X = training.map((s) => cache.of(s).crime);
      regressor = ForestRegressor.fit(
        X,
        training.map((s) => s.truth),
        { seed, featureNames: CRIME_FEATURE_NAMES },
      );
      classifier = ForestClassifier.fit(
        X,
        training.map((s) => s.tercile),
        { seed, classes: [0, 1, 2], featureNames: CRIME_FEATURE_NAMES },
      );
      return Promise.resolve();
    },
    predict: (_task, samples) => {
      if (regressor === undefined || classifier === undefined) throw new Error('predict before fit');
      const X = samples.map((s) => cache.of(s).crime);
      const counts = regressor.predict(X);
      const probabilities = classifier.predictProba(X);
      return Promise.resolve(
        samples.map((_, i) => ({ count: counts[i] ?? NaN, probabilities: probabilities[i] ?? [] })),
      );
    },
  };
}

/**
 * K-means alone: a district's profile cluster scales its 4-week mean by the cluster's mean ratio of next
 * week to the 4-week mean over the training samples (a cluster-level trend).
 */
export function weeklyProfiles(cache: WeeklyFeatureCache): WeeklyModel {
  let ratios = new Map<number, number>();
  return {
    name: 'k-means',
    kind: 'branch',
    how: "k-means profile cluster (stable label at the origin) x its training mean ratio of next week to the 4-week mean, times the district's 4-week mean",
    fit: (_task, training) => {
      const sums = new Map<number, { y: number; b: number }>();
      for (const s of training) {
        const v = cache.of(s);
        const sum = sums.get(v.cluster) ?? { y: 0, b: 0 };
        sums.set(v.cluster, { y: sum.y + s.truth, b: sum.b + v.baseline });
      }
      ratios = new Map([...sums].map(([label, sum]) => [label, sum.y / sum.b]));
      return Promise.resolve();
    },
    predict: (_task, samples) =>
      Promise.resolve(
        samples.map((s) => {
          const v = cache.of(s);
          return { count: v.baseline * (ratios.get(v.cluster) ?? 1) };
        }),
      ),
  };
}

/** The fusion network on concat(128, 64, 32), its count head a residual on the 4-week mean. */
export function weeklyFusion(cache: WeeklyFeatureCache, seed: number): WeeklyModel {
  let network: FusionNetwork | undefined;
  return {
    name: 'fusion',
    kind: 'fusion',
    how: "TF.js network on concat(crime 128, trend 64, profile 32) = 224: expected count (x the 4-week mean) and its negative-binomial 80% interval; tercile probabilities from that distribution and the district's terciles; early stopping on the last 20% of training weeks",
    fit: (_task, training) => {
      network?.dispose();
      network = FusionNetwork.fit(
        {
          rows: training.map((s) => concat(cache.of(s))),
          classes: training.map((s) => s.tercile),
          counts: training.map((s) => s.truth),
          times: training.map((s) => s.week),
          baselines: training.map((s) => cache.of(s).baseline),
        },
        { seed, branches: fusionBranches(BRANCH_SIZES) },
      );
      return Promise.resolve();
    },
    predict: (task, samples) => {
      if (network === undefined) throw new Error('predict before fit');
      const predictions = network.predict(
        samples.map((s) => concat(cache.of(s))),
        samples.map((s) => cache.of(s).baseline),
      );
      const size = network.dispersionSize;
      return Promise.resolve(
        predictions.map((p, i): WeeklyForecast => ({
          count: p.expectedCount,
          interval: p.interval80,
          probabilities: tercileProbabilities(
            p.expectedCount,
            size,
            task.series[samples[i]?.series ?? -1]?.terciles ?? { t1: NaN, t2: NaN },
          ),
        })),
      );
    },
  };
}

const concat = (v: WeeklyVectors): number[] => [...v.crime, ...v.trend, ...v.profile];

/**
 * Prophet alone, refitted at every origin on the district's weekly incident counts before it (weekly steps,
 * yearly seasonality once a year of history exists), with its own 80% interval.
 */
export function weeklyProphet(augurs: AugursRuntime, seed: number): WeeklyModel {
  const forecaster = new ProphetForecaster(augurs, {
    seed,
    horizonDays: 7,
    weekly: false,
    minHistoryDays: 56,
  });
  return {
    name: 'prophet',
    kind: 'branch',
    how: 'augurs Prophet on the weekly counts before each origin, refitted every week (yearly seasonality from 1 year of history); its own 80% interval',
    fit: () => Promise.resolve(),
    predict: (task, samples) =>
      Promise.resolve(
        samples.map((s) => {
          const forecast = forecaster.forecast(
            regularSeries(task.series[s.series]?.weekly ?? [], s.week, WEEK_MS),
            `${s.series}@${s.week}`,
          );
          const next = forecast.at(forecast.forecastStartMs);
          if (next === undefined) throw new RangeError(`no forecast for week ${s.week}`);
          return { count: next.point, interval: [next.lower, next.upper] as const };
        }),
      ),
  };
}

/**
 * ETS alone (augurs AutoETS with weekly seasonality), refitted at every origin on the district's daily
 * counts before it; next week = the sum of its next 7 daily forecasts. Its daily intervals do not add up
 * to a weekly one, so the interval and terciles come from the ratio calibration.
 */
export function weeklyEts(augurs: AugursRuntime, seed: number): WeeklyModel {
  const forecaster = new EtsForecaster(augurs, { seed, horizonDays: 7 });
  return {
    name: 'ets',
    kind: 'baseline',
    how: 'augurs AutoETS (season 7) on the daily counts before each origin, refitted every week; next week = sum of 7 daily forecasts',
    fit: () => Promise.resolve(),
    predict: (task, samples) =>
      Promise.resolve(
        samples.map((s) => {
          const forecast = forecaster.forecast(
            regularSeries(task.series[s.series]?.daily ?? [], s.week * 7, DAY),
            `${s.series}@${s.week}`,
          );
          let count = 0;
          for (let d = 0; d < 7; d++) count += forecast.at(forecast.forecastStartMs + d * DAY)?.point ?? NaN;
          return { count };
        }),
      ),
  };
}

const DAY = 86_400_000;
const WEEK_MS = 7 * DAY;

/** The first `length` values as a regular series on a synthetic grid (DST-free: the models need regular steps). */
function regularSeries(values: readonly number[], length: number, stepMs: number): RegularSeries {
  const head = values.slice(0, length);
  return { timestamps: head.map((_, i) => i * stepMs), values: head };
}
