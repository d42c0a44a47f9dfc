import { ProfileModel, StackedFusion, type StackedFusionOptions } from '@district-monitor/models';
import { tierSamples, type TierModel, type TierSample } from './tier-eval.js';
import { crimeMatrix, profileRows, TIER_PROFILE_INPUTS, type TierForecastCache } from './tier-models.js';
import type { TierTask } from './tier-task.js';
import { tierTrendVectors } from './tier-trend.js';

/**
 * T1's stacked fusion (docs/fusion.md): the branch vectors (crime 33, trend 10, profile 32) plus the stacked
 * inputs below, an ensemble of small networks over seeds, a skip path to the persistence prior, and the
 * tier shares of the predicted year balanced to thirds (tiers are thirds of the units by definition).
 *
 * Stacked inputs (scale-free, 12): the persistence prior P(next tier | last tier) estimated on the training
 * samples (3, Laplace-smoothed), the last tier one-hot (3), the last rate's margins to the last year's two
 * tier bounds (2, log), the mean-3y log rate's margins to them (2), and the distance of the last rank to the
 * nearest bound in rank units (1) and its sign-free square (1): how close a unit is to changing tier.
 */
export interface TierFusionOptions {
  readonly seed: number;
  /** Networks of the seed ensemble. */
  readonly members: number;
  /** Include the 75 branch features (false: the 12 stacked inputs only). */
  readonly branches: boolean;
  /** Include the 12 stacked inputs. */
  readonly stacked: boolean;
  /**
   * Include the 6 district-level inputs (`districtInputs`): the log-rate trend over 3 and 5 years, the
   * volatility of the yearly log-rate changes, and the last log rate's distances to the tier bounds in
   * units of that volatility (and the nearer one's absolute value).
   */
  readonly district: boolean;
  /** Blend with the persistence prior on the validation years (the skip path). */
  readonly skip: boolean;
  /** Balance each predicted year's tier shares to thirds (Sinkhorn scaling of the probabilities). */
  readonly balance: boolean;
  readonly hiddenUnits: readonly number[];
  readonly l2: number;
  readonly dropout: number;
  /**
   * The class head: `'softmax'` = one stacked fusion over the three tiers; `'ordinal'` = two binary stacked
   * fusions, P(tier ≥ middle) and P(tier = high), each with its own skip path to the persistence prior's
   * cumulative probability, combined into [1 - P(≥ middle), P(≥ middle) - P(high), P(high)] (a crossing
   * pair is replaced by its mean).
   */
  readonly head: 'softmax' | 'ordinal';
}

/** The choice documented in docs/fusion.md (made on validation years only). */
export const TIER_FUSION_DEFAULTS: TierFusionOptions = {
  seed: 1,
  members: 5,
  // The ablation on the validation years (docs/fusion.md): the 75 branch features add nothing to the
  // stacked inputs (accuracy 0.700 with them, 0.703 without; Brier 0.451 and 0.441).
  branches: false,
  stacked: true,
  district: false,
  skip: true,
  balance: true,
  hiddenUnits: [16],
  l2: 1e-3,
  dropout: 0.3,
  head: 'softmax',
};

/** P(next tier | last tier) over the training samples, with one pseudo-count per cell. */
export function transitionPrior(task: TierTask, training: readonly TierSample[]): number[][] {
  const counts = [0, 1, 2].map(() => [1, 1, 1]);
  for (const s of training) {
    const from = task.tiers[s.unit]?.[s.last] ?? 0;
    const row = counts[from];
    if (row !== undefined) row[s.truth] = (row[s.truth] ?? 0) + 1;
  }
  return counts.map((row) => {
    const n = row.reduce((a, b) => a + b, 0);
    return row.map((c) => c / n);
  });
}

function stackedInputs(task: TierTask, s: TierSample, prior: readonly (readonly number[])[]): number[] {
  const last = task.tiers[s.unit]?.[s.last] ?? 0;
  const rates = task.rates[s.unit] ?? [];
  const [low, high] = task.boundaries[s.last] ?? [NaN, NaN];
  const logRate = Math.log(rates[s.last] ?? NaN);
  const mean3 =
    (Math.log(rates[s.last] ?? NaN) +
      Math.log(rates[s.last - 1] ?? NaN) +
      Math.log(rates[s.last - 2] ?? NaN)) /
    3;
  const column = task.rates.map((r) => r[s.last] ?? NaN);
  const rank = column.filter((x) => x < (rates[s.last] ?? NaN)).length / (column.length - 1);
  const toBound = Math.min(Math.abs(rank - 1 / 3), Math.abs(rank - 2 / 3));
  return [
    ...(prior[last] ?? [1 / 3, 1 / 3, 1 / 3]),
    ...[0, 1, 2].map((k) => (k === last ? 1 : 0)),
    logRate - Math.log(low),
    logRate - Math.log(high),
    mean3 - Math.log(low),
    mean3 - Math.log(high),
    toBound,
    toBound * toBound,
  ];
}

/** Names of the district-level inputs (`TierFusionOptions.district`). */
export const TIER_DISTRICT_INPUTS = [
  'log-rate trend per year over the last 3 years',
  'log-rate trend per year over the last 5 years (or all earlier years when fewer)',
  'volatility: sd of the yearly log-rate changes over the last 5 years (floored at 0.02)',
  "last log rate's margin to the lower tier bound, in volatility units",
  "last log rate's margin to the upper tier bound, in volatility units",
  'the nearer of the two margins, absolute, in volatility units',
] as const;

/** Least-squares slope of ys against 0, 1, ... */
function slope(ys: readonly number[]): number {
  const n = ys.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) * (x - mx);
  });
  return num / den;
}

/** The district-level inputs of a sample (`TIER_DISTRICT_INPUTS`), from years up to `s.last` only. */
export function districtInputs(task: TierTask, s: TierSample): number[] {
  const rates = task.rates[s.unit] ?? [];
  const logs: number[] = [];
  for (let y = Math.max(0, s.last - 5); y <= s.last; y++) logs.push(Math.log(rates[y] ?? NaN));
  const changes = logs.slice(1).map((v, i) => v - (logs[i] ?? NaN));
  const meanChange = changes.reduce((a, b) => a + b, 0) / Math.max(changes.length, 1);
  const sd = Math.sqrt(
    changes.reduce((a, c) => a + (c - meanChange) ** 2, 0) / Math.max(changes.length - 1, 1),
  );
  const vol = Math.max(sd, 0.02);
  const [low, high] = task.boundaries[s.last] ?? [NaN, NaN];
  const last = logs[logs.length - 1] ?? NaN;
  const toLow = (last - Math.log(low)) / vol;
  const toHigh = (last - Math.log(high)) / vol;
  return [
    slope(logs.slice(-3)),
    slope(logs.slice(-5)),
    vol,
    Math.max(-10, Math.min(10, toLow)),
    Math.max(-10, Math.min(10, toHigh)),
    Math.min(10, Math.abs(toLow), Math.abs(toHigh)),
  ];
}

/**
 * Scales the columns of a probability matrix so that each class gets `rows / classes` of the mass (rows
 * renormalised each pass): the predicted year's tiers are thirds of the units by definition.
 */
export function balanceShares(probabilities: readonly (readonly number[])[], iterations = 50): number[][] {
  const k = probabilities[0]?.length ?? 0;
  let p = probabilities.map((row) => row.map((v) => Math.max(v, 1e-9)));
  const target = p.length / k;
  for (let it = 0; it < iterations; it++) {
    const sums = Array.from({ length: k }, (_, j) => p.reduce((a, row) => a + (row[j] ?? 0), 0));
    p = p.map((row) => {
      const scaled = row.map((v, j) => (v * target) / (sums[j] ?? 1));
      const n = scaled.reduce((a, b) => a + b, 0);
      return scaled.map((v) => v / n);
    });
  }
  return p;
}

/**
 * Fits the T1 fusion on `training` and predicts the tier probabilities of `test` (target years after the
 * training ones; the year after the last one of the task too: its truth is unknown and never read).
 */
export function fitPredictTierFusion(
  task: TierTask,
  training: readonly TierSample[],
  test: readonly TierSample[],
  forecasts: TierForecastCache,
  options: Partial<TierFusionOptions> = {},
): number[][] {
  const o = { ...TIER_FUSION_DEFAULTS, ...options };
  const prior = transitionPrior(task, training);
  const trainingCrime = crimeMatrix(task, training);
  const profiles = o.branches
    ? ProfileModel.fit(profileRows(trainingCrime), { inputs: TIER_PROFILE_INPUTS, seed: o.seed })
    : undefined;
  const trendCache = new Map<number, number[][]>();
  const trend = (s: TierSample) => {
    let vectors = trendCache.get(s.last);
    if (vectors === undefined) {
      vectors = tierTrendVectors(task, s.last, forecasts.at(s.last));
      trendCache.set(s.last, vectors);
    }
    return vectors[s.unit] ?? [];
  };
  const rows = (samples: readonly TierSample[], crime: readonly number[][]) => {
    const profile = profiles?.vectors(profileRows(crime)) ?? [];
    return samples.map((s, i) => [
      ...(o.branches ? [...(crime[i] ?? []), ...trend(s), ...(profile[i] ?? [])] : []),
      ...(o.stacked ? stackedInputs(task, s, prior) : []),
      ...(o.district ? districtInputs(task, s) : []),
    ]);
  };
  const priorOf = (s: TierSample) => prior[task.tiers[s.unit]?.[s.last] ?? 0] ?? [1 / 3, 1 / 3, 1 / 3];
  const network: Partial<StackedFusionOptions> = {
    seed: o.seed,
    members: o.members,
    skip: o.skip,
    network: { hiddenUnits: [...o.hiddenUnits], l2: o.l2, dropout: o.dropout },
  };
  const trainingRows = rows(training, trainingCrime);
  const testRows = rows(test, crimeMatrix(task, test));
  const counts = training.map((s) => task.rates[s.unit]?.[s.target] ?? 0);
  const times = training.map((s) => s.target);
  const baselines = training.map((s) => task.rates[s.unit]?.[s.last] ?? 1);
  const testBaselines = test.map((s) => task.rates[s.unit]?.[s.last] ?? 1);
  /** Fits a stacked fusion on `classes` with fallback `priorOf`, returns the test rows' class probabilities. */
  const fitPredict = (
    classes: readonly number[],
    priorOfRow: (s: TierSample) => readonly number[],
    classNames?: readonly string[],
  ): number[][] => {
    const model = StackedFusion.fit(
      { rows: trainingRows, classes, counts, times, baselines, priors: training.map(priorOfRow) },
      classNames === undefined ? network : { ...network, network: { ...network.network, classNames } },
    );
    try {
      return model
        .predict(testRows, testBaselines, test.map(priorOfRow))
        .map((p) => [...p.classProbabilities]);
    } finally {
      model.dispose();
    }
  };
  const probabilities =
    o.head === 'ordinal'
      ? ordinalProbabilities(
          (k, priorOfK) =>
            fitPredict(
              training.map((s) => (s.truth >= k ? 1 : 0)),
              priorOfK,
              ['below', 'at or above'],
            ).map((p) => p[1] ?? NaN),
          (k) => (s: TierSample) => {
            const up = priorOf(s)
              .slice(k)
              .reduce((a, b) => a + b, 0);
            return [1 - up, up];
          },
        )
      : fitPredict(
          training.map((s) => s.truth),
          priorOf,
        );
  if (!o.balance) return probabilities;
  // Balanced per predicted year.
  const out = probabilities.map((p) => [...p]);
  for (const target of new Set(test.map((s) => s.target))) {
    const at = test.flatMap((s, i) => (s.target === target ? [i] : []));
    balanceShares(at.map((i) => probabilities[i] ?? [])).forEach((p, j) => (out[at[j] ?? 0] = p));
  }
  return out;
}

/**
 * The ordinal head: `above(k, prior)` gives P(tier ≥ k) per test sample from a binary model whose fallback
 * is `prior(k)`; the two cumulative probabilities become the three tiers' (a crossing pair, P(high) above
 * P(≥ middle), is replaced by its mean).
 */
export function ordinalProbabilities(
  above: (k: 1 | 2, prior: (s: TierSample) => number[]) => number[],
  prior: (k: 1 | 2) => (s: TierSample) => number[],
): number[][] {
  const atLeastMiddle = above(1, prior(1));
  const high = above(2, prior(2));
  return atLeastMiddle.map((p1, i) => {
    let a = Math.min(1, Math.max(0, p1));
    let b = Math.min(1, Math.max(0, high[i] ?? NaN));
    if (b > a) a = b = (a + b) / 2;
    return [1 - a, a - b, b];
  });
}

/** The T1 fusion as an evaluation row. */
export function tierStackedFusion(
  forecasts: TierForecastCache,
  options: Partial<TierFusionOptions> = {},
  name = 'fusion',
): TierModel {
  const o = { ...TIER_FUSION_DEFAULTS, ...options };
  return {
    name,
    kind: 'fusion',
    how: `stacked fusion: ${o.members} TF.js networks (hidden ${o.hiddenUnits.join('-') || 'none'}, dropout ${o.dropout}, l2 ${o.l2}) on ${o.branches ? 'concat(crime 33, trend 10, profile 32)' : ''}${o.branches && o.stacked ? ' + ' : ''}${o.stacked ? '12 stacked inputs (persistence prior, last tier, margins to the tier bounds)' : ''}${o.district ? ` + ${TIER_DISTRICT_INPUTS.length} district inputs (3- and 5-year trends, volatility, margins to the bounds in volatility units)` : ''}${o.skip ? '; skip path to the persistence prior, weight chosen on the latest 20% of training years' : ''}${o.head === 'ordinal' ? '; ordinal head: two binary fusions, P(tier ≥ middle) and P(high)' : ''}${o.balance ? "; the year's tier shares balanced to thirds" : ''}`,
    fitPredict: (task, training, test) => {
      const started = performance.now();
      const probabilities = fitPredictTierFusion(task, training, test, forecasts, o);
      // One call fits and predicts; the prediction is a few milliseconds of it.
      return Promise.resolve({ probabilities, fitMs: performance.now() - started, predictMs: 0 });
    },
  };
}

/**
 * The reusable T1 model (the yearly history analysis calls it): each unit's tier probabilities for the year
 * after the last one of `task`, from the stacked fusion fitted on every target year with known tiers.
 * Returns one entry per unit of `task.units`, in order.
 */
export function nextYearTierFusion(
  task: TierTask,
  forecasts: TierForecastCache,
  options: Partial<TierFusionOptions> = {},
): { readonly code: string; readonly probabilities: readonly number[]; readonly tier: number }[] {
  const target = task.years.length;
  const training: TierSample[] = [];
  for (let y = 3; y < target; y++) training.push(...tierSamples(task, y));
  const test = task.units.map((_, unit) => ({ unit, target, last: target - 1, truth: NaN }));
  const probabilities = fitPredictTierFusion(task, training, test, forecasts, options);
  return task.units.map((unit, u) => {
    const p = probabilities[u] ?? [];
    return { code: unit.code, probabilities: p, tier: p.indexOf(Math.max(...p)) };
  });
}
