import {
  ForestClassifier,
  FusionNetwork,
  ProfileModel,
  type AugursRuntime,
  type ProfileInput,
} from '@district-monitor/models';
import { oneHot } from './metrics.js';
import { TIER_CRIME_FEATURES, tierCrimeVector } from './tier-features.js';
import type { TierModel, TierSample } from './tier-eval.js';
import { tiersOf, type TierTask } from './tier-task.js';
import { tierStackedFusion } from './tier-stack.js';
import { etsYear, prophetYear, tierTrendVectors, type YearForecast } from './tier-trend.js';

const CRIME_NAMES = TIER_CRIME_FEATURES.map((f) => f.name);

/** T1 profile inputs: the crime mix and the overall rate (what a district is like, not where it ranks). */
export const TIER_PROFILE_INPUTS: readonly ProfileInput[] = [
  { name: 'log_rate_t-0', transform: 'identity' },
  ...CRIME_NAMES.filter((name) => name.startsWith('share_')).map((name): ProfileInput => ({
    name,
    transform: 'identity',
  })),
  { name: 'literacy', transform: 'identity' },
  { name: 'urban_share', transform: 'identity' },
];
const PROFILE_COLUMNS = TIER_PROFILE_INPUTS.map((input) => CRIME_NAMES.indexOf(input.name));

export const crimeMatrix = (task: TierTask, samples: readonly TierSample[]): number[][] =>
  samples.map((s) => tierCrimeVector(task, s.unit, s.last));

export const profileRows = (crime: readonly (readonly number[])[]): number[][] =>
  crime.map((row) => PROFILE_COLUMNS.map((j) => row[j] ?? NaN));

/** The random forest alone: tier probabilities (the share of trees voting each tier) from the crime vector. */
export function tierForest(seed: number): TierModel {
  return {
    name: 'random-forest',
    kind: 'branch',
    how: `ml-random-forest classifier (${CRIME_NAMES.length} yearly crime-statistics features), tier probabilities = share of trees voting`,
    fitPredict: (task, training, test) => {
      let started = performance.now();
      const forest = ForestClassifier.fit(
        crimeMatrix(task, training),
        training.map((s) => s.truth),
        { classes: [0, 1, 2], featureNames: CRIME_NAMES, seed },
      );
      const fitMs = performance.now() - started;
      started = performance.now();
      const probabilities = forest.predictProba(crimeMatrix(task, test));
      return Promise.resolve({ probabilities, fitMs, predictMs: performance.now() - started });
    },
  };
}

/**
 * K-means alone: districts are clustered on their crime mix and rate (k by silhouette); a test district
 * gets the distribution of next-year tiers of the training samples in its cluster.
 */
export function tierProfiles(seed: number): TierModel {
  return {
    name: 'k-means',
    kind: 'branch',
    how: 'ml-kmeans profiles (rate, crime mix, literacy, urban share; k by silhouette 2-6): tier distribution of the training samples in the same cluster',
    fitPredict: (task, training, test) => {
      let started = performance.now();
      const rows = profileRows(crimeMatrix(task, training));
      const model = ProfileModel.fit(rows, { inputs: TIER_PROFILE_INPUTS, seed });
      const labels = model.assign(rows);
      const tally = new Map<number, number[]>();
      labels.forEach((label, i) => {
        const counts = tally.get(label) ?? [0, 0, 0];
        const tier = training[i]?.truth ?? 0;
        counts[tier] = (counts[tier] ?? 0) + 1;
        tally.set(label, counts);
      });
      const fitMs = performance.now() - started;
      started = performance.now();
      const probabilities = model.assign(profileRows(crimeMatrix(task, test))).map((label) => {
        const counts = tally.get(label);
        if (counts === undefined) return oneHot(1, 3);
        const n = counts.reduce((a, b) => a + b, 0);
        return counts.map((c) => c / n);
      });
      return Promise.resolve({ probabilities, fitMs, predictMs: performance.now() - started });
    },
  };
}

/** Prophet and ETS forecasts of every unit at every origin, computed once and shared by the rows using them. */
export class TierForecastCache {
  /** ETS forecasts that fell back to the last value, with AutoETS's reason. */
  readonly etsFallbacks: string[] = [];
  private readonly cache = new Map<
    string,
    { prophet: YearForecast[]; ets: YearForecast[]; ms: { prophet: number; ets: number } }
  >();

  constructor(
    private readonly task: TierTask,
    private readonly augurs: AugursRuntime,
    private readonly seed: number,
  ) {}

  /** Forecasts of all units from the years up to index `last`, with the milliseconds each model took. */
  at(last: number): { prophet: YearForecast[]; ets: YearForecast[]; ms: { prophet: number; ets: number } } {
    const key = String(last);
    let entry = this.cache.get(key);
    if (entry === undefined) {
      const prophet = prophetYear(this.augurs, this.seed);
      const ets = etsYear(this.augurs);
      let started = performance.now();
      const p = this.task.units.map((_, u) => prophet(this.task, u, last));
      const prophetMs = performance.now() - started;
      started = performance.now();
      const e = this.task.units.map((unit, u) => {
        const forecast = ets(this.task, u, last);
        if (forecast.fallback !== undefined)
          this.etsFallbacks.push(`${unit.code} ${this.task.years[last] ?? ''}: ${forecast.fallback}`);
        return forecast;
      });
      entry = { prophet: p, ets: e, ms: { prophet: prophetMs, ets: performance.now() - started } };
      this.cache.set(key, entry);
    }
    return entry;
  }
}

/** A forecaster alone: tiers of its forecast log rates ranked across units. */
export function tierForecaster(kind: 'prophet' | 'ets', forecasts: TierForecastCache): TierModel {
  return {
    name: kind,
    kind: kind === 'prophet' ? 'branch' : 'baseline',
    how:
      kind === 'prophet'
        ? "augurs Prophet (exact MAP solver; trend only) on each unit's yearly log rates, forecasts ranked into tiers"
        : "augurs AutoETS on each unit's yearly log rates, forecasts ranked into tiers",
    fitPredict: (_task, _training, test) => {
      const last = test[0]?.last ?? 0;
      const { [kind]: points, ms } = forecasts.at(last);
      const tiers = tiersOf(test.map((s) => points[s.unit]?.point ?? NaN));
      return Promise.resolve({
        probabilities: tiers.map((t) => oneHot(t, 3)),
        fitMs: ms[kind],
        predictMs: 0,
      });
    },
  };
}

/**
 * The T1 fusion of the evaluation and of the yearly history analysis: the stacked fusion of tier-stack.ts
 * with its documented defaults (docs/fusion.md).
 */
export function tierFusion(forecasts: TierForecastCache, seed: number): TierModel {
  return tierStackedFusion(forecasts, { seed });
}

/**
 * The single fusion network on concat(crime 33, trend 10, profile 32) (the design before the stacked one,
 * kept for the ablation): the tier from its class head; its count head learns next year's rate per 100,000
 * as a residual on the last one.
 */
export function tierSingleFusion(forecasts: TierForecastCache, seed: number): TierModel {
  return {
    name: 'single-network fusion',
    kind: 'fusion',
    how: 'TF.js network on concat(yearly crime 33, trend 10 from Prophet and ETS, k-means profile 32) = 75: tier probabilities from its class head; early stopping on the latest 20% of training years',
    fitPredict: (task, training, test) => {
      let started = performance.now();
      const trend = (s: TierSample) => {
        const vectors = tierTrendVectors(task, s.last, forecasts.at(s.last));
        return vectors[s.unit] ?? [];
      };
      const trainingCrime = crimeMatrix(task, training);
      const profiles = ProfileModel.fit(profileRows(trainingCrime), { inputs: TIER_PROFILE_INPUTS, seed });
      const rows = (samples: readonly TierSample[], crime: readonly number[][]) => {
        const profile = profiles.vectors(profileRows(crime));
        return samples.map((s, i) => [...(crime[i] ?? []), ...trend(s), ...(profile[i] ?? [])]);
      };
      const network = FusionNetwork.fit(
        {
          rows: rows(training, trainingCrime),
          classes: training.map((s) => s.truth),
          counts: training.map((s) => task.rates[s.unit]?.[s.target] ?? 0),
          times: training.map((s) => s.target),
          baselines: training.map((s) => task.rates[s.unit]?.[s.last] ?? 1),
        },
        { seed },
      );
      const fitMs = performance.now() - started;
      started = performance.now();
      const predictions = network.predict(
        rows(test, crimeMatrix(task, test)),
        test.map((s) => task.rates[s.unit]?.[s.last] ?? 1),
      );
      network.dispose();
      return Promise.resolve({
        probabilities: predictions.map((p) => [...p.classProbabilities]),
        fitMs,
        predictMs: performance.now() - started,
      });
    },
  };
}
