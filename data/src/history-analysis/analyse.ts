import {
  ForestRegressor,
  ProfileModel,
  ProphetForecaster,
  describeProfile,
  missingYears,
  permutationImportance,
  yearlyGrid,
  zScores,
  type AugursRuntime,
} from '@district-monitor/models';
import type {
  CorrelationVariable,
  HistoryBranchTier,
  HistoryFactorContribution,
  HistoryFactorGroup,
  HistoryFactorImportance,
  AnalysisHead,
  HistoryHeadForecast,
  HistoryImportanceInfo,
  HistoryTier,
  AnalysisUnit,
  StructuralTier,
} from '@district-monitor/streams';
import type { TierModel, TierSample } from '../tier/tier-eval.js';
import { tierSamples } from '../tier/tier-eval.js';
import {
  TierForecastCache,
  tierForecaster,
  tierForest,
  tierFusion,
  tierProfiles,
} from '../tier/tier-models.js';
import { nextYearTierFusion } from '../tier/tier-stack.js';
import type { TierTask } from '../tier/tier-task.js';
import { historyHash, tierTaskOfTable, type HistoryTable } from './table.js';

/** Stored form of the analysis (the registry's bundle). */
export const HISTORY_ANALYSIS_FORMAT = 'history-analysis@1';

/** The stored analysis: everything the REST answers are made of, per merged unit. */
export interface HistoryAnalysisBundle {
  readonly format: typeof HISTORY_ANALYSIS_FORMAT;
  readonly historyHash: string;
  readonly region: string;
  readonly source: string;
  readonly years: readonly [number, number];
  readonly missingYears: readonly number[];
  readonly seed: number;
  /** Seconds per stage. */
  readonly timings: Readonly<Record<string, number>>;
  readonly heads: readonly AnalysisHead[];
  readonly units: readonly HistoryAnalysisUnit[];
  readonly importance: HistoryImportanceInfo & { readonly factors: readonly HistoryFactorImportance[] };
  readonly profiles: {
    readonly method: string;
    readonly k: number;
    readonly silhouette: number;
    readonly profiles: readonly BundleProfile[];
  };
  readonly tiers: { readonly method: string; readonly year: number };
  /** Variables across units for the correlation matrix (`columns[v][u]`, units in `units` order). */
  readonly correlations: {
    readonly basis: string;
    readonly variables: readonly CorrelationVariable[];
    readonly columns: readonly (readonly number[])[];
  };
}

export interface BundleProfile {
  readonly label: number;
  readonly description: string;
  readonly units: readonly string[];
  readonly centroid: readonly {
    readonly variable: string;
    readonly label: string;
    readonly z: number;
    readonly mean: number;
  }[];
}

export interface HistoryAnalysisUnit extends AnalysisUnit {
  readonly heads: readonly HistoryHeadForecast[];
  readonly contributions: readonly HistoryFactorContribution[];
  readonly profile: number;
  readonly tier: Omit<StructuralTier, 'district'>;
}

export interface AnalyseOptions {
  /** Seeds every model. Default 1. */
  readonly seed?: number;
  /** Permutations per factor. Default 10. */
  readonly repeats?: number;
  /** Held-out years of the factor analysis (the latest ones). Default 4. */
  readonly testYears?: number;
  readonly onProgress?: (stage: string, done: number, total: number) => void;
}

/** Years forecast after the last year of the history. */
export const FORECAST_YEARS = 3;
/** A head gets no forecast when its unit has fewer cases than this over all years. */
export const MIN_FORECAST_CASES = 50;
/** Profiles use a category when its statewide mean rate is at least this (per 100,000 people a year). */
const MIN_PROFILE_RATE = 1;
/** The last this many years make a unit's rates for the profiles and the correlations. */
const RECENT_YEARS = 3;

const YEAR_MS = 365 * 86_400_000;
const TIER_LABELS = ['low', 'middle', 'high'] as const;

/** Words for each head (NCRB IPC tables: the categories' IPC heads only; special and local laws are not in them). */
export const HEAD_LABELS: Readonly<Record<string, string>> = {
  ipc_total: 'All IPC crimes',
  crime_body: 'Crimes against the body',
  crime_property: 'Property crimes',
  crime_women: 'Crimes against women (IPC heads)',
  crime_children: 'Crimes against children (IPC heads)',
  harassment: 'Harassment and intimidation',
  suicide: 'Abetment and attempt of suicide',
  road_accident: 'Road-related IPC cases (rash driving, death by negligence)',
  other: 'Other IPC crimes',
};
/** Short words for a profile's description ("high ..."). */
const SHORT_LABELS: Readonly<Record<string, string>> = {
  ipc_total: 'IPC crime',
  crime_body: 'crimes against the body',
  crime_property: 'property crime',
  crime_women: 'crimes against women',
  crime_children: 'crimes against children',
  harassment: 'harassment',
  suicide: 'suicide cases',
  road_accident: 'road-related cases',
  other: 'other crime',
  accidents_per_100k: 'road accidents',
  fatal_accident_share: 'accident fatality',
};

const headLabel = (key: string): string => HEAD_LABELS[key] ?? key;

/**
 * The seed's analysis on the yearly history: Prophet forecasts per unit and head, random-forest factor
 * importance (statewide and per unit), k-means profiles in words, next year's structural tier from the T1
 * fusion network with each branch's tier, and the inputs of the correlations across units. Deterministic
 * given the table and the seed.
 */
export async function analyseHistory(
  table: HistoryTable,
  augurs: AugursRuntime,
  options: AnalyseOptions = {},
): Promise<HistoryAnalysisBundle> {
  const seed = options.seed ?? 1;
  const progress = options.onProgress ?? (() => undefined);
  const timings: Record<string, number> = {};
  const timed = async <T>(stage: string, run: () => T | Promise<T>): Promise<T> => {
    const started = performance.now();
    progress(stage, 0, 1);
    const result = await run();
    timings[stage] = Math.round(performance.now() - started) / 1000;
    progress(stage, 1, 1);
    return result;
  };
  if (table.units.length < 6)
    throw new RangeError(`history table: ${table.units.length} units, at least 6 needed`);
  const task = tierTaskOfTable(table);
  const heads: AnalysisHead[] = ['ipc_total', ...table.categories].map((key) => ({
    key,
    label: headLabel(key),
  }));
  const counts = (u: number, head: string): number[] => {
    const unit = table.units[u];
    if (unit === undefined) return [];
    if (head === 'ipc_total')
      return table.years.map((_, y) => unit.cases.reduce((sum, series) => sum + (series[y] ?? 0), 0));
    return [...(unit.cases[table.categories.indexOf(head as never)] ?? [])];
  };
  const rate = (count: number, u: number): number => (count / (table.units[u]?.population ?? NaN)) * 100_000;

  const forecasts = await timed('prophet', () => headForecasts(table, heads, counts, rate, augurs, seed));
  const factors = await timed('forest', () => factorAnalysis(table, task, counts, rate, options, seed));
  const profiles = await timed('kmeans', () => districtProfiles(table, counts, rate, seed));
  const tiers = await timed('fusion', () => structuralTiers(task, augurs, seed));
  const correlations = correlationInputs(table, counts, rate);

  const first = table.years[0] ?? NaN;
  const last = table.years.at(-1) ?? NaN;
  return {
    format: HISTORY_ANALYSIS_FORMAT,
    historyHash: historyHash(table),
    region: table.region,
    source: table.source,
    years: [first, last],
    missingYears: missingYears(table.years),
    seed,
    timings,
    heads,
    units: table.units.map((unit, u) => ({
      code: unit.code,
      name: unit.name,
      members: unit.members,
      population: unit.population,
      heads: forecasts[u] ?? [],
      contributions: factors.perUnit.get(unit.code) ?? [],
      profile: profiles.labels[u] ?? -1,
      tier: tiers.perUnit[u] ?? missing(`tier of ${unit.code}`),
    })),
    importance: factors.statewide,
    profiles: profiles.summary,
    tiers: { method: tiers.method, year: last + 1 },
    correlations,
  };
}

function missing(what: string): never {
  throw new RangeError(`history analysis: no ${what}`);
}

/** Prophet (trend only) on each unit's and head's ln(1 + rate per 100,000), next three years with the 80% band. */
function headForecasts(
  table: HistoryTable,
  heads: readonly AnalysisHead[],
  counts: (u: number, head: string) => number[],
  rate: (count: number, u: number) => number,
  augurs: AugursRuntime,
  seed: number,
): HistoryHeadForecast[][] {
  const prophet = new ProphetForecaster(augurs, {
    seed,
    horizonDays: FORECAST_YEARS * 365,
    weekly: false,
    yearly: false,
    daily: false,
    transform: 'none',
    optimizer: 'map',
    minHistoryDays: 3 * 365,
    fittedDays: 365,
    uncertaintySamples: 500,
  });
  const last = table.years.at(-1) ?? NaN;
  return table.units.map((unit, u) =>
    heads.map((head): HistoryHeadForecast => {
      const series = counts(u, head.key);
      const observed = table.years.map((year, y) => ({
        year,
        count: series[y] ?? 0,
        ratePer100k: round(rate(series[y] ?? 0, u), 4),
      }));
      const total = series.reduce((a, b) => a + b, 0);
      if (total < MIN_FORECAST_CASES)
        return {
          head: head.key,
          label: head.label,
          observed,
          forecast: [],
          noForecastReason: `${total} cases in ${table.years.length} years: fewer than ${MIN_FORECAST_CASES}, too few to forecast`,
        };
      const grid = yearlyGrid(
        table.years,
        series.map((count) => Math.log1p(rate(count, u))),
      );
      const fitted = prophet.forecast(
        { timestamps: grid.values.map((_, i) => i * YEAR_MS), values: grid.values },
        `${unit.code}/${head.key}`,
      );
      const forecast = Array.from({ length: FORECAST_YEARS }, (_, k) => {
        const step = fitted.at(fitted.forecastStartMs + k * YEAR_MS) ?? missing(`forecast step ${k}`);
        const back = (value: number) => round(Math.max(0, Math.expm1(value)), 4);
        return {
          year: last + 1 + k,
          ratePer100k: back(step.point),
          lower80: back(step.lower),
          upper80: back(step.upper),
        };
      });
      return { head: head.key, label: head.label, observed, forecast, noForecastReason: null };
    }),
  );
}

interface Factor {
  readonly name: string;
  readonly label: string;
  readonly group: HistoryFactorGroup;
}

/**
 * Random-forest regression of ln(IPC rate) of unit u in year t, relative to the mean of the units that year,
 * on census indicators, the static accident indicators, every category's ln(1 + rate) in year t-1 and the
 * total ln rate in t-1 and t-2 (the rates relative to their year's mean as well); fitted on the earlier
 * years, permutation importance (R² drop) measured on the latest `testYears` years, and per unit the local
 * contributions of its held-out rows.
 */
function factorAnalysis(
  table: HistoryTable,
  task: TierTask,
  counts: (u: number, head: string) => number[],
  rate: (count: number, u: number) => number,
  options: AnalyseOptions,
  seed: number,
): {
  statewide: HistoryImportanceInfo & { readonly factors: readonly HistoryFactorImportance[] };
  perUnit: Map<string, HistoryFactorContribution[]>;
} {
  const repeats = options.repeats ?? 10;
  const testYears = options.testYears ?? 4;
  const factors: Factor[] = [
    { name: 'literacy', label: 'literacy rate (census 2011)', group: 'census' },
    { name: 'sex_ratio', label: 'females per 1,000 males (census 2011)', group: 'census' },
    { name: 'urban_share', label: 'urban share of the population (census 2011)', group: 'census' },
    { name: 'log_density', label: 'population density, log (census 2011)', group: 'census' },
    ...table.indicators.map((indicator): Factor => ({
      name: indicator.key,
      label: indicator.label,
      group: 'accident',
    })),
    ...table.categories.map((category): Factor => ({
      name: `prev_${category}`,
      label: `${headLabel(category)} per 100,000, previous year (log, relative)`,
      group: 'category',
    })),
    { name: 'lag1_total', label: 'IPC crime rate, previous year (log, relative)', group: 'lag' },
    { name: 'lag2_total', label: 'IPC crime rate, two years before (log, relative)', group: 'lag' },
  ];
  // A unit without a static indicator gets the mean of the units that have it.
  const indicatorMeans = table.indicators.map((_, i) => {
    const known = table.units
      .map((u) => u.indicators[i])
      .filter((v): v is number => v !== null && v !== undefined);
    return known.length === 0 ? 0 : known.reduce((a, b) => a + b, 0) / known.length;
  });
  const byCategory = table.units.map((_, u) => table.categories.map((category) => counts(u, category)));
  // Every rate relative to the statewide mean of its year (log units): the forest explains where a unit
  // stands among the units, not the year's statewide level (2020's lockdown cases moved every unit).
  const relative = (values: (u: number, t: number) => number) => {
    const means = table.years.map(
      (_, t) => table.units.reduce((sum, _unit, u) => sum + values(u, t), 0) / table.units.length,
    );
    return (u: number, t: number) => values(u, t) - (means[t] ?? NaN);
  };
  const total = relative((u, t) => Math.log(task.rates[u]?.[t] ?? NaN));
  const category = table.categories.map((_, c) =>
    relative((u, t) => Math.log1p(rate(byCategory[u]?.[c]?.[t] ?? 0, u))),
  );
  const rows: { x: number[]; y: number; unit: string; t: number }[] = [];
  table.units.forEach((unit, u) => {
    for (let t = 2; t < table.years.length; t++) {
      rows.push({
        unit: unit.code,
        t,
        y: total(u, t),
        x: [
          unit.literacyRate,
          unit.sexRatio,
          unit.urbanShare,
          Math.log(unit.densityPerKm2),
          ...table.indicators.map((_, i) => unit.indicators[i] ?? indicatorMeans[i] ?? 0),
          ...category.map((of) => of(u, t - 1)),
          total(u, t - 1),
          total(u, t - 2),
        ],
      });
    }
  });
  const splitAt = table.years.length - testYears;
  if (splitAt < 5)
    throw new RangeError(`history table: ${table.years.length} years, too few for the factor analysis`);
  const train = rows.filter((row) => row.t < splitAt);
  const test = rows.filter((row) => row.t >= splitAt);
  const forest = ForestRegressor.fit(
    train.map((row) => row.x),
    train.map((row) => row.y),
    { featureNames: factors.map((f) => f.name), seed, maxFeatures: 0.5, nEstimators: 100 },
  );
  const importance = permutationImportance(
    forest,
    test.map((row) => row.x),
    test.map((row) => row.y),
    { repeats, seed, metric: 'r2', groups: test.map((row) => row.unit) },
  );
  const year = (t: number) => table.years[t] ?? NaN;
  const perUnit = new Map<string, HistoryFactorContribution[]>(
    importance.districts.map((district) => [
      district.district,
      district.ranked.map((feature) => {
        const factor = factors[feature.index] ?? missing(`factor ${feature.index}`);
        return {
          factor: factor.name,
          label: factor.label,
          group: factor.group,
          contribution: round(feature.contribution, 5),
          sd: round(feature.std, 5),
          meanAbsChange: round(feature.meanAbsChange, 5),
        };
      }),
    ]),
  );
  return {
    statewide: {
      method:
        `ml-random-forest regressor (100 trees, half the factors per tree, seed ${seed}) fitted on ${year(2)}-${year(splitAt - 1)}; ` +
        `permutation importance = drop of R² on the held-out years ${year(splitAt)}-${year(table.years.length - 1)} ` +
        `when one factor is shuffled, mean and sd over ${repeats} shuffles; per district: the local contributions ` +
        'of its own held-out rows (prediction with the true value minus with a shuffled one, log-rate units)',
      target:
        'ln(IPC crimes per 100,000 people) of a unit in a year minus the mean over the units that year (where the unit stands, not the statewide level)',
      trainYears: [year(2), year(splitAt - 1)],
      testYears: [year(splitAt), year(table.years.length - 1)],
      heldOutR2: round(importance.baseline, 4),
      repeats,
      factors: importance.ranked.map((feature) => {
        const factor = factors[feature.index] ?? missing(`factor ${feature.index}`);
        return {
          factor: factor.name,
          label: factor.label,
          group: factor.group,
          importance: round(feature.mean, 5),
          sd: round(feature.std, 5),
        };
      }),
    },
    perUnit,
  };
}

/** The profile variables of each unit: recent rates of the categories that are not rare, and the accident indicators. */
function profileVariables(
  table: HistoryTable,
  counts: (u: number, head: string) => number[],
  rate: (count: number, u: number) => number,
): { keys: string[]; rows: number[][] } {
  const recent = (u: number, head: string): number => {
    const series = counts(u, head).slice(-RECENT_YEARS);
    return series.reduce((sum, count) => sum + rate(count, u), 0) / series.length;
  };
  const categories = table.categories.filter(
    (category) =>
      table.units.reduce((sum, _, u) => sum + recent(u, category), 0) / table.units.length >=
      MIN_PROFILE_RATE,
  );
  const indicators = table.indicators.filter((_, i) =>
    table.units.every((unit) => unit.indicators[i] !== null),
  );
  const keys = ['ipc_total', ...categories, ...indicators.map((indicator) => indicator.key)];
  const rows = table.units.map((unit, u) => [
    recent(u, 'ipc_total'),
    ...categories.map((category) => recent(u, category)),
    ...indicators.map((indicator) => unit.indicators[table.indicators.indexOf(indicator)] ?? NaN),
  ]);
  return { keys, rows };
}

/** k-means (k by silhouette, 2-6) on z-scores of ln(1 + recent rates) and the accident indicators. */
function districtProfiles(
  table: HistoryTable,
  counts: (u: number, head: string) => number[],
  rate: (count: number, u: number) => number,
  seed: number,
): { labels: number[]; summary: HistoryAnalysisBundle['profiles'] } {
  const { keys, rows } = profileVariables(table, counts, rate);
  const scaled = rows.map((row) =>
    row.map((value, j) => (keys[j]?.startsWith('fatal') ? value : Math.log1p(value))),
  );
  const model = ProfileModel.fit(scaled, {
    inputs: keys.map((name) => ({ name, transform: 'identity' })),
    seed,
    ids: table.units.map((unit) => unit.code),
    kMax: Math.min(6, table.units.length - 1),
  });
  const labels = model.assign(scaled);
  const { z } = zScores(scaled);
  const profiles = model.clusters.map((cluster): BundleProfile => {
    const members = labels.flatMap((label, u) => (label === cluster.label ? [u] : []));
    const centroid = keys.map((key, j) => ({
      variable: key,
      label: SHORT_LABELS[key] ?? key,
      z: round(members.reduce((sum, u) => sum + (z[u]?.[j] ?? 0), 0) / Math.max(1, members.length), 3),
      mean: round(members.reduce((sum, u) => sum + (rows[u]?.[j] ?? 0), 0) / Math.max(1, members.length), 4),
    }));
    return {
      label: cluster.label,
      description: describeProfile(centroid.map((c) => ({ label: c.label, z: c.z }))),
      units: members.map((u) => table.units[u]?.code ?? ''),
      centroid,
    };
  });
  return {
    labels,
    summary: {
      method:
        `ml-kmeans on z-scores of ln(1 + rate per 100,000) of the last ${RECENT_YEARS} years (IPC total and the categories ` +
        `averaging at least ${MIN_PROFILE_RATE} per 100,000) and the road-accident indicators; k by silhouette from 2 to 6; ` +
        'each profile named by the variables whose centroid z-score is at least 0.5 from the mean',
      k: model.k,
      silhouette: round(model.silhouette, 4),
      profiles,
    },
  };
}

/**
 * T1's models trained on all years (every target year from the fourth on) and applied to the year after
 * the history. The fusion network is the T1 model of data/src/tier/tier-models.ts, through
 * {@link structuralTierModel}, so its improvements flow in.
 */
async function structuralTiers(
  task: TierTask,
  augurs: AugursRuntime,
  seed: number,
): Promise<{ method: string; perUnit: Omit<StructuralTier, 'district'>[] }> {
  const forecasts = new TierForecastCache(task, augurs, seed);
  const training: TierSample[] = [];
  for (let y = 3; y < task.years.length; y++) training.push(...tierSamples(task, y));
  const last = task.years.length - 1;
  const next = (task.years[last] ?? NaN) + 1;
  const test: TierSample[] = task.units.map((_, unit) => ({ unit, target: last + 1, last, truth: NaN }));
  const fused = structuralTierProbabilities(task, forecasts, seed);
  const method = tierFusion(forecasts, seed).how;
  const branches = {
    randomForest: tierForest(seed),
    prophet: tierForecaster('prophet', forecasts),
    kMeans: tierProfiles(seed),
  };
  const predict = async (model: TierModel) => (await model.fitPredict(task, training, test)).probabilities;
  const branch = {
    randomForest: await predict(branches.randomForest),
    prophet: await predict(branches.prophet),
    kMeans: await predict(branches.kMeans),
  };
  const pick = (probabilities: readonly number[] | undefined): HistoryBranchTier => {
    const p = probabilities ?? [];
    const tier = argmax(p);
    return { tier, probability: round(p[tier] ?? NaN, 4) };
  };
  return {
    method:
      `${method}; trained on every target year ${task.years[3] ?? ''}-${task.years[last] ?? ''} and applied to ${next}. ` +
      'Branches alone: random forest on the yearly crime vector, Prophet forecasts ranked into thirds, k-means profile tier shares',
    perUnit: task.units.map((unit, u) => {
      const p = fused[u] ?? [];
      const tier = argmax(p);
      return {
        unit: unit.code,
        year: next,
        tier,
        tierLabel: TIER_LABELS[tier],
        probability: round(p[tier] ?? NaN, 4),
        probabilities: [round(p[0] ?? NaN, 4), round(p[1] ?? NaN, 4), round(p[2] ?? NaN, 4)],
        branches: {
          randomForest: pick(branch.randomForest[u]),
          prophet: pick(branch.prophet[u]),
          kMeans: pick(branch.kMeans[u]),
        },
        lastObservedTier: toTier(task.tiers[u]?.[last] ?? NaN),
      };
    }),
  };
}

/**
 * The structural tier's probabilities per unit (in `task.units` order): the T1 fusion of the evaluation
 * (data/src/tier/tier-stack.ts), fitted on every year with known tiers and applied to the next one. The one
 * place the history analysis calls the fusion, so its improvements flow in.
 */
export function structuralTierProbabilities(
  task: TierTask,
  forecasts: TierForecastCache,
  seed: number,
): (readonly number[])[] {
  return nextYearTierFusion(task, forecasts, { seed }).map((unit) => unit.probabilities);
}

/** The correlation variables: recent category rates, IPC total, accidents and the census indicators. */
function correlationInputs(
  table: HistoryTable,
  counts: (u: number, head: string) => number[],
  rate: (count: number, u: number) => number,
): HistoryAnalysisBundle['correlations'] {
  const recent = (u: number, head: string): number => {
    const series = counts(u, head).slice(-RECENT_YEARS);
    return series.reduce((sum, count) => sum + rate(count, u), 0) / series.length;
  };
  const variables: CorrelationVariable[] = [];
  const columns: number[][] = [];
  for (const key of ['ipc_total', ...table.categories]) {
    variables.push({
      key,
      label: `${headLabel(key)} /100k`,
      group: key === 'road_accident' ? 'accident' : 'crime',
    });
    columns.push(table.units.map((_, u) => round(recent(u, key), 4)));
  }
  table.indicators.forEach((indicator, i) => {
    if (table.units.some((unit) => unit.indicators[i] === null)) return;
    variables.push({ key: indicator.key, label: indicator.label, group: 'accident' });
    columns.push(table.units.map((unit) => unit.indicators[i] ?? NaN));
  });
  const census: [string, string, (u: HistoryTable['units'][number]) => number][] = [
    ['literacy', 'Literacy rate (census 2011)', (u) => u.literacyRate],
    ['sex_ratio', 'Females per 1,000 males (census 2011)', (u) => u.sexRatio],
    ['urban_share', 'Urban share (census 2011)', (u) => u.urbanShare],
    ['density', 'People per km² (census 2011)', (u) => u.densityPerKm2],
  ];
  for (const [key, label, pick] of census) {
    variables.push({ key, label, group: 'socioeconomic' });
    columns.push(table.units.map(pick));
  }
  const last = table.years.at(-1) ?? NaN;
  const first = table.years.at(-RECENT_YEARS) ?? NaN;
  return {
    basis:
      `real history: mean yearly rates per 100,000 people of ${first}-${last} (NCRB district IPC tables), ` +
      `${table.units.length} units (districts split since 2001 merged back), road accidents 2020-2021, census 2011`,
    variables,
    columns,
  };
}

function argmax(values: readonly number[]): HistoryTier {
  let best = 0;
  values.forEach((value, i) => {
    if (value > (values[best] ?? -Infinity)) best = i;
  });
  return toTier(best);
}

function toTier(value: number): HistoryTier {
  if (value === 0 || value === 1 || value === 2) return value;
  throw new RangeError(`not a tier: ${value}`);
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
