import type { RegionUnit } from '@district-monitor/streams';
import { CRIME_FEATURE_NAMES } from '../features/catalog.js';
import { CUBE_HOURS, HourlyCube } from '../features/counts.js';
import { HourClock } from '../features/hour-clock.js';
import { ModelFormatError, ModelInputError } from '../errors.js';
import { TAMIL_NADU_HOLIDAYS } from '../forecast/holidays.js';
import type { AugursRuntime } from '../forecast/runtime.js';
import { SeriesForecast } from '../forecast/forecast.js';
import { DAY_MS } from '../forecast/series.js';
import {
  TREND_FEATURE_NAMES,
  observationsFromHourlyCounts,
  trendVector,
  type TrendGroup,
} from '../forecast/trend-vector.js';
import { ForestClassifier } from '../forest/forest.js';
import { permutationImportance } from '../forest/importance.js';
import { fusionBranches } from '../fusion/data.js';
import { FusionNetwork } from '../fusion/network.js';
import { StackedFusion, STACKED_FUSION_DEFAULTS, STACKED_FUSION_FORMAT } from '../fusion/stacked.js';
import type { FusionPrediction } from '../fusion/types.js';
import { PROFILE_FEATURE_NAMES } from '../profiles/features.js';
import { ProfileModel } from '../profiles/model.js';
import { BRANCH_SIZES, FUSION_INPUT_SIZE } from '../sizes.js';
import { localMidnightHours } from './calendar.js';
import { LIVE_COUNT_TREES_FORMAT, LiveCountTrees } from './live-count.js';
import { fitLiveInterval, LIVE_CONFORMAL, LiveInterval } from './live-interval.js';
import { momentumFactor, momentumWeight, regionError, regionWeek } from './region-momentum.js';
import { tercileProbabilities, type TercileBounds } from './outlook.js';
import type { DistrictScore, ModelBundleJson, ModelCard, ScoringInput, TrainingInput } from './types.js';
import {
  branchVectors,
  fitBranchState,
  profileRow,
  recentWeeklyMean,
  weekAhead,
  type BranchState,
  type PipelineContext,
} from './weekly.js';

/** The runtimes the models need, initialised by the caller (Node: `initModelRuntime()` of the data package). */
export interface ModelRuntime {
  readonly augurs: AugursRuntime;
}

/** Training knobs with documented defaults (tests shrink them). */
export interface TrainingOptions {
  /** Weeks between two branch refits while building the training samples (default 4). */
  readonly refitWeeks: number;
  /** At most this many weekly origins, the latest ones (default 52). */
  readonly maxOrigins: number;
  /** Trees of the random forest (default 100). */
  readonly trees: number;
  /** Most epochs of each fusion network (default 100, early stopping on the last 20% of the weeks). */
  readonly maxEpochs: number;
  /** Networks of the fusion's seed ensemble and of the interval's quantile heads (default 3; docs/fusion.md). */
  readonly fusionMembers: number;
  /**
   * What predicts next week's count: `'trees'`, gradient-boosted Poisson trees (live-count.ts, the T2
   * evaluation's choice), or `'network'`, the stacked fusion's networks (the design before them).
   */
  readonly countHead: 'trees' | 'network';
}

export const TRAINING_DEFAULTS: TrainingOptions = Object.freeze({
  refitWeeks: 4,
  maxOrigins: 52,
  trees: 100,
  maxEpochs: 100,
  fusionMembers: 3,
  countHead: 'trees',
});

/** Fewest weekly training origins (each with 8 weeks of history before it and a complete week after). */
export const MIN_TRAINING_WEEKS = 6;

interface BundleBranches {
  readonly forecasts: Readonly<Record<string, Partial<Record<TrendGroup, unknown>>>>;
  readonly profiles: unknown;
  readonly forest: unknown;
  readonly fusion: unknown;
  /** The 80% interval (`LiveIntervalJSON`); absent in bundles trained before it: the fusion's own. */
  readonly interval?: unknown;
  /** The region momentum's weight; absent in bundles trained before it: no momentum. */
  readonly momentum?: unknown;
  readonly terciles: Readonly<Record<string, TercileBounds>>;
  readonly topFactors: DistrictScore['topFactors'];
}

/**
 * Trains the live models of a region on the hourly counts before `input.until`: weekly origins (local
 * midnights, the last one 7 days before `until`), each district's three branch vectors at each origin
 * (models/src/pipeline/weekly.ts), the random forest on the crime-statistics vectors (tercile of next week,
 * with permutation importance), the fusion's count head on all 224 features (boosted Poisson trees offset by
 * the 4-week mean and blended with it, or the stacked networks: `countHead`) and the interval's quantile
 * heads; then the branches are refitted at `until` for scoring. Synchronous work: run it in a
 * worker thread.
 * @throws ModelInputError when the counts hold fewer than {@link MIN_TRAINING_WEEKS} usable weeks.
 */
export function trainDistrictModels(
  input: TrainingInput,
  runtime: ModelRuntime,
  options: Partial<TrainingOptions> = {},
): ModelBundleJson {
  const o = { ...TRAINING_DEFAULTS, ...options };
  const seed = input.seed ?? 1;
  const started = Date.now();
  const timings: Record<string, number> = {};
  const lap = (stage: string, since: number) => (timings[stage] = (Date.now() - since) / 1000);

  const clock = new HourClock(input.region.timeZone);
  const units = input.region.units.filter((u) => u.kind === 'district');
  const endHour = clock.hourOf(input.until);
  const cubes = new Map<string, HourlyCube>(
    units.map((u) => [u.code, new HourlyCube({ endHour: endHour + 1, capacityHours: CUBE_HOURS })]),
  );
  let first = Infinity;
  let events = 0;
  for (const row of input.counts) {
    const hour = clock.hourOf(row.hour);
    if (hour >= endHour + 1 || row.events < 0) continue;
    if (cubes.get(row.district)?.add(row.category, hour, row.events, row.killed, row.injured) === true) {
      first = Math.min(first, clock.startOf(hour));
      events += row.events;
    }
  }
  const lastOrigin = localMidnightHours(clock, input.until - 8 * DAY_MS, input.until - 7 * DAY_MS + 1).at(-1);
  const firstOrigin = first + 56 * DAY_MS;
  if (
    !Number.isFinite(first) ||
    lastOrigin === undefined ||
    clock.startOf(lastOrigin) < firstOrigin + (MIN_TRAINING_WEEKS - 1) * 7 * DAY_MS
  )
    throw new ModelInputError(
      `too little data to train: ${Number.isFinite(first) ? ((input.until - first) / DAY_MS).toFixed(1) : 0} days of events before ${new Date(input.until).toISOString()}; ` +
        `the models need at least ${8 + MIN_TRAINING_WEEKS + 1} weeks (8 of history, ${MIN_TRAINING_WEEKS} training weeks and the week they predict)`,
    );
  // Every 7th local midnight back from the last origin (local days, so DST weeks stay whole days).
  const midnights = localMidnightHours(clock, firstOrigin, clock.startOf(lastOrigin) + 1);
  const origins: number[] = [];
  for (let i = midnights.length - 1; i >= 0 && origins.length < o.maxOrigins; i -= 7)
    origins.unshift(clock.startOf(midnights[i] ?? 0));

  const context: PipelineContext = {
    clock,
    districts: units.map((unit) => ({ unit, counts: cubes.get(unit.code) as HourlyCube })),
    augurs: runtime.augurs,
    regionPopulation: regionPopulation(units),
    holidays: input.region.code === 'TN' ? TAMIL_NADU_HOLIDAYS : [],
    seed,
    dataStart: first,
  };

  // Samples: every district at every origin.
  let since = Date.now();
  const rows: number[][] = [];
  const crime: number[][] = [];
  const counts: number[] = [];
  const baselines: number[] = [];
  const times: number[] = [];
  const districtOf: number[] = [];
  let state: BranchState | null = null;
  origins.forEach((origin, i) => {
    if (state === null || i % o.refitWeeks === 0) state = fitBranchState(context, origin, state);
    for (let d = 0; d < units.length; d++) {
      const v = branchVectors(context, state, d, origin);
      rows.push([...v.crime, ...v.trend, ...v.profile]);
      crime.push(v.crime);
      baselines.push(v.baseline);
      counts.push(weekAhead(context, d, origin));
      times.push(origin);
      districtOf.push(d);
    }
    input.onProgress?.('samples', i + 1, origins.length);
  });
  lap('samples', since);

  // Region momentum (region-momentum.ts): the region's error in the week before each origin, its weight on
  // the error in the week after, and every baseline the heads read multiplied by its origin's factor.
  const momentum = regionMomentum(context, origins, counts, baselines);
  const corrected = baselines.map((b, i) => b * (momentum.factors[Math.floor(i / units.length)] ?? 1));

  const terciles: Record<string, TercileBounds> = {};
  units.forEach((unit, d) => {
    const own = counts.filter((_, i) => districtOf[i] === d);
    terciles[unit.code] = { t1: quantile(own, 1 / 3), t2: quantile(own, 2 / 3) };
  });
  const classes = counts.map((y, i) => {
    const t = terciles[units[districtOf[i] ?? 0]?.code ?? ''] ?? { t1: 0, t2: 0 };
    return y <= t.t1 ? 0 : y <= t.t2 ? 1 : 2;
  });

  since = Date.now();
  const forest = ForestClassifier.fit(crime, classes, {
    classes: [0, 1, 2],
    featureNames: CRIME_FEATURE_NAMES,
    seed,
    nEstimators: o.trees,
  });
  input.onProgress?.('forest', 1, 1);
  const recent = crime.slice(-Math.min(crime.length, 300));
  const importance = permutationImportance(forest, recent, classes.slice(-recent.length), {
    repeats: 3,
    seed,
  });
  lap('forest', since);

  since = Date.now();
  const head =
    o.countHead === 'trees'
      ? treesHead({ rows, counts, baselines: corrected, times, classes, districtOf, units, terciles }, seed)
      : networkHead({ rows, classes, counts, times, baselines: corrected }, seed, o);
  input.onProgress?.('fusion', 1, 1);
  lap('fusion', since);

  // The count head's variables (the networks') are released however the rest of the training ends.
  try {
    since = Date.now();
    // The 80% interval of the T2 evaluation: quantile heads on the same rows, conformalised over the latest
    // out-of-sample weeks with an adaptive level (live-interval.ts).
    const interval = fitLiveInterval(
      {
        rows,
        counts,
        baselines: corrected,
        districts: units.length,
        weeks: times.map((t) => weekIndex(t, origins[0] ?? t)),
      },
      { seed, members: o.fusionMembers, maxEpochs: o.maxEpochs },
    );
    input.onProgress?.('interval', 1, 1);
    lap('interval', since);

    since = Date.now();
    const final = fitBranchState(context, midnightAtOrBefore(clock, input.until), state);
    lap('final forecasts', since);

    const forecasts: Record<string, Partial<Record<TrendGroup, unknown>>> = {};
    units.forEach((unit, d) => {
      const byGroup = final.forecasts[d] ?? {};
      forecasts[unit.code] = Object.fromEntries(Object.entries(byGroup).map(([g, f]) => [g, f.toJSON()]));
    });
    const card: ModelCard = {
      trainedAt: new Date().toISOString(),
      window: { from: new Date(first).toISOString(), to: new Date(input.until).toISOString() },
      data: {
        region: input.region.code,
        districts: units.length,
        events,
        origins: origins.length,
        samples: rows.length,
        firstOrigin: new Date(origins[0] ?? NaN).toISOString(),
        lastOrigin: new Date(origins.at(-1) ?? NaN).toISOString(),
        target:
          "incidents in the 7 local days after each origin; classes = terciles of each district's own weeks",
      },
      features: {
        crime: BRANCH_SIZES.crimeStatistics,
        trend: BRANCH_SIZES.trend,
        profile: BRANCH_SIZES.profile,
        fusion: rows[0]?.length ?? 0,
      },
      metrics: {
        ...head.metrics,
        forestOutOfBag: forest.outOfBag.score,
        profileSilhouette: final.profiles.silhouette,
      },
      branches: {
        forecaster: {
          model: 'prophet (augurs, exact MAP solver)',
          refitWeeks: o.refitWeeks,
          groups: 'incidents, violent, property, road',
        },
        forest: { trees: o.trees, topFactor: importance.ranked[0]?.name ?? null },
        profiles: { k: final.profiles.k, silhouette: final.profiles.silhouette },
        fusion: head.card,
        momentum: {
          rule: "each baseline × exp(weight × the region's log error of the week before)",
          weight: momentum.weight,
          pairs: momentum.pairs,
        },
        interval: {
          rule: `quantile heads (10/50/90%), CQR over the last ${LIVE_CONFORMAL.weeks} out-of-sample weeks, adaptive level (step ${LIVE_CONFORMAL.adapt})`,
          members: o.fusionMembers,
          outOfSampleWeeks: interval.outOfSampleWeeks,
          correction: interval.correction,
          missRate: interval.missRate,
        },
      },
      timings: { ...timings, total: (Date.now() - started) / 1000 },
    };
    const branches: BundleBranches = {
      forecasts,
      profiles: final.profiles.toJSON(),
      forest: forest.toJSON(),
      fusion: head.model.toJSON(),
      momentum: { weight: momentum.weight },
      interval,
      terciles,
      topFactors: importance.ranked
        .slice(0, 10)
        .map((f) => ({ name: f.name, importance: f.mean, spread: f.std })),
    };
    return {
      format: 'district-models@1',
      region: input.region.code,
      trainedUntil: input.until,
      card,
      branches,
    };
  } finally {
    head.model.dispose();
  }
}

/**
 * The region momentum of the training origins (region-momentum.ts): the region's week before each origin,
 * the pairs (error of the week before, error of the week after; the latter from the samples' counts and
 * baselines, origin-major), the weight fitted on all of them, and each origin's factor from the pairs
 * before it.
 */
function regionMomentum(
  context: PipelineContext,
  origins: readonly number[],
  counts: readonly number[],
  baselines: readonly number[],
): { weight: number; pairs: number; factors: number[] } {
  const size = context.districts.length;
  const all = context.districts.map((d) => d.counts);
  const before = origins.map((origin) => regionWeek(all, context.clock, origin - 1));
  const after = origins.map((_, i) => {
    let incidents = 0;
    let baseline = 0;
    for (let d = 0; d < size; d++) {
      incidents += counts[i * size + d] ?? NaN;
      baseline += baselines[i * size + d] ?? NaN;
    }
    return regionError({ incidents, baseline });
  });
  const pairs = before.map((week, i) => ({ before: regionError(week), after: after[i] ?? NaN }));
  // Each origin's factor has the weight of the pairs before it (their week after has ended by then), as the
  // evaluation's city momentum does: the heads' validation and conformal weeks see no weight fitted on
  // their own outcomes. The bundle keeps the weight of every pair, for the weeks after training.
  return {
    weight: momentumWeight(pairs),
    pairs: pairs.length,
    factors: before.map((week, i) => momentumFactor(momentumWeight(pairs.slice(0, i)), week)),
  };
}

/** A trained count head: the model, the card's validation metrics, and its part of the card's branches. */
interface CountHead {
  readonly model: LiveFusion & { toJSON(): unknown };
  readonly metrics: { validationRows: number; validationCountMae: number; validationAccuracy: number };
  readonly card: Record<string, string | number | null>;
}

/** Gradient-boosted Poisson trees on the 224 features, offset by the 4-week mean (live-count.ts). */
function treesHead(
  set: {
    rows: number[][];
    counts: number[];
    baselines: number[];
    times: number[];
    classes: number[];
    districtOf: number[];
    units: readonly RegionUnit[];
    terciles: Readonly<Record<string, TercileBounds>>;
  },
  seed: number,
): CountHead {
  const bounds = set.districtOf.map((d) => set.terciles[set.units[d]?.code ?? ''] ?? { t1: NaN, t2: NaN });
  const { model, validation } = LiveCountTrees.fit({ ...set, bounds }, seed);
  return {
    model,
    metrics: {
      validationRows: validation.rows,
      validationCountMae: validation.countMae,
      validationAccuracy: validation.accuracy,
    },
    card: {
      model: `gradient-boosted Poisson trees, offset by the 4-week mean × the region momentum, blended with it at weight ${model.weight}`,
      rounds: validation.rounds,
      dispersionSize: model.dispersionSize,
      validationCountMaeBaseline: validation.baselineCountMae,
    },
  };
}

/**
 * The stacked fusion of docs/fusion.md before the trees: a seed ensemble of small, strongly regularised
 * networks, the count a residual on the 4-week mean, blended with it by a weight chosen on the latest weeks.
 */
function networkHead(
  set: { rows: number[][]; classes: number[]; counts: number[]; times: number[]; baselines: number[] },
  seed: number,
  o: TrainingOptions,
): CountHead {
  const fusion = StackedFusion.fit(set, {
    seed,
    members: o.fusionMembers,
    network: {
      ...STACKED_FUSION_DEFAULTS.network,
      branches: fusionBranches(BRANCH_SIZES),
      featureNames: [...CRIME_FEATURE_NAMES, ...TREND_FEATURE_NAMES, ...PROFILE_FEATURE_NAMES],
      maxEpochs: o.maxEpochs,
    },
  });
  const metrics = fusion.metadata.metrics;
  const blend = fusion.validation;
  return {
    model: fusion,
    metrics: {
      validationRows: metrics.validation.rows,
      validationCountMae: metrics.validation.countMae,
      validationAccuracy: metrics.validation.accuracy,
    },
    card: {
      model: 'stacked fusion networks, a residual on the 4-week mean',
      members: o.fusionMembers,
      epochsRun: metrics.epochsRun,
      bestEpoch: metrics.bestEpoch,
      dispersionSize: fusion.dispersionSize,
      countWeight: fusion.countWeight,
      validationErrorNetwork: blend.scaledError.network,
      validationErrorBaseline: blend.scaledError.fallback,
    },
  };
}

/**
 * Scores districts with a trained bundle: the trend vector from the stored forecasts and the live counts,
 * the profile from the stored k-means model, then the fusion network.
 */
export class DistrictScorer {
  private constructor(
    readonly version: string,
    readonly card: ModelCard,
    private readonly forecasts: ReadonlyMap<string, Partial<Record<TrendGroup, SeriesForecast>>>,
    private readonly profiles: ProfileModel,
    private readonly fusion: LiveFusion,
    private readonly interval: LiveInterval | null,
    private readonly terciles: Readonly<Record<string, TercileBounds>>,
    private readonly topFactors: DistrictScore['topFactors'],
    /** The region momentum's weight (0 for bundles trained before it). */
    private readonly momentum: number,
  ) {}

  static load(bundle: ModelBundleJson, _runtime: ModelRuntime, version: string): DistrictScorer {
    const branches = bundle.branches as unknown as BundleBranches;
    const forecasts = new Map(
      Object.entries(branches.forecasts).map(([code, groups]) => [
        code,
        Object.fromEntries(
          Object.entries(groups).map(([g, json]) => [g, SeriesForecast.load(json)]),
        ) as Partial<Record<TrendGroup, SeriesForecast>>,
      ]),
    );
    const fusion = loadLiveFusion(branches.fusion);
    let interval: LiveInterval | null = null;
    try {
      interval = branches.interval === undefined ? null : LiveInterval.load(branches.interval);
      return new DistrictScorer(
        version,
        bundle.card,
        forecasts,
        ProfileModel.load(branches.profiles),
        fusion,
        interval,
        branches.terciles,
        branches.topFactors,
        momentumOf(branches.momentum),
      );
    } catch (error) {
      fusion.dispose();
      interval?.dispose();
      throw error;
    }
  }

  score(input: ScoringInput): DistrictScore {
    const code = input.unit.code;
    const bounds = this.terciles[code];
    if (bounds === undefined) throw new ModelInputError(`the model was not trained for district ${code}`);
    const forecasts = this.forecasts.get(code) ?? {};
    const trend = trendVector({
      asOfMs: input.asOf,
      forecasts,
      observations: observationsFromHourlyCounts(input.counts, input.clock),
    }).values;
    const profile = this.profiles.vectors([profileRow(this.profiles.inputs, input.crimeVector)])[0] ?? [];
    const baseline = recentWeeklyMean(input.crimeVector) * momentumFactor(this.momentum, input.region);
    const row = [...input.crimeVector, ...trend, ...profile];
    const prediction = this.fusion.predictOne(row, baseline);
    const classProbabilities = tercileProbabilities(
      prediction.expectedCount,
      this.fusion.dispersionSize,
      bounds,
    );
    const label = this.profiles.assign([profileRow(this.profiles.inputs, input.crimeVector)])[0] ?? 0;
    const incidents = forecasts.incidents;
    const forecast: DistrictScore['forecast'][number][] = [];
    if (incidents !== undefined) {
      const day = midnightAtOrBefore(input.clock, input.asOf);
      for (let d = 0; d < 7; d++) {
        const step = incidents.at(day + d * DAY_MS);
        if (step !== undefined)
          forecast.push({
            day: new Date(day + d * DAY_MS).toISOString(),
            point: step.point,
            lower: step.lower,
            upper: step.upper,
          });
      }
    }
    return {
      district: code,
      asOf: input.asOf,
      elevated: classProbabilities[2] ?? 0,
      classProbabilities,
      expectedCount: prediction.expectedCount,
      interval80: this.interval === null ? prediction.interval80 : this.interval.interval80(row, baseline),
      forecast,
      cluster: {
        label,
        peers: this.profiles.assignments.filter((a) => a.label === label && a.id !== code).map((a) => a.id),
      },
      topFactors: this.topFactors,
      modelVersion: this.version,
    };
  }

  dispose(): void {
    this.fusion.dispose();
    this.interval?.dispose();
  }
}

/**
 * What the scorer needs of a count head: the boosted trees, or, in older bundles, the stacked fusion's
 * networks or a single network.
 */
interface LiveFusion {
  readonly dispersionSize: number | null;
  predictOne(
    row: readonly number[],
    baseline: number,
  ): Pick<FusionPrediction, 'expectedCount' | 'interval80'>;
  dispose(): void;
}

/** The bundle's momentum weight: absent = 0 (bundles before it); anything but a number in [0, 1] is refused. */
function momentumOf(momentum: unknown): number {
  if (momentum === undefined) return 0;
  const weight =
    typeof momentum === 'object' && momentum !== null && 'weight' in momentum ? momentum.weight : undefined;
  if (typeof weight !== 'number' || !(weight >= 0 && weight <= 1))
    throw new ModelFormatError(
      `bundle: momentum.weight must be a number from 0 to 1, not ${weight === undefined ? 'undefined' : JSON.stringify(weight)}`,
    );
  return weight;
}

function loadLiveFusion(json: unknown): LiveFusion {
  const format = typeof json === 'object' && json !== null && 'format' in json ? json.format : undefined;
  if (format === LIVE_COUNT_TREES_FORMAT) return LiveCountTrees.load(json, FUSION_INPUT_SIZE);
  return format === STACKED_FUSION_FORMAT ? StackedFusion.load(json) : FusionNetwork.load(json);
}

function regionPopulation(units: readonly RegionUnit[]): number | null {
  if (units.some((u) => u.population === undefined)) return null;
  return units.reduce((sum, u) => sum + (u.population ?? 0), 0);
}

/**
 * The week of an origin counted from the first one. Origins are every 7th local midnight, so a daylight
 * saving change makes one gap an hour longer or shorter than 7 × 24 h; rounding absorbs it.
 */
function weekIndex(origin: number, first: number): number {
  return Math.round((origin - first) / (7 * DAY_MS));
}

function midnightAtOrBefore(clock: HourClock, ms: number): number {
  let hour = clock.hourOf(ms);
  while (clock.localParts(hour).hourOfDay !== 0) hour--;
  return clock.startOf(hour);
}

function quantile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * p;
  const lo = Math.floor(at);
  const a = sorted[lo] ?? 0;
  const b = sorted[Math.ceil(at)] ?? a;
  return a + (b - a) * (at - lo);
}
