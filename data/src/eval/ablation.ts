import { fileURLToPath } from 'node:url';
import { loadChicagoIncidents, type IncidentRow } from '../incidents.js';
import { loadRegion } from '../registry.js';
import { initAugurs } from '../runtime/augurs.js';
import { initTensorflow } from '../runtime/tf.js';
import { accuracy, argmax, brier, macroF1 } from '../tier/metrics.js';
import type { ModelRow } from './report.js';
import {
  FIRST_TIER_TARGET,
  persistence,
  threeYearMean,
  tierSamples,
  type TierModel,
  type TierSample,
} from '../tier/tier-eval.js';
import { TierForecastCache, tierForest, tierSingleFusion } from '../tier/tier-models.js';
import { tierStackedFusion, transitionPrior } from '../tier/tier-stack.js';
import { loadTierTask } from '../tier/tier-task.js';
import {
  evaluateWeekly,
  meanBaseline,
  WARM_UP_WEEKS,
  weeklySamples,
  type WeeklyModel,
} from './weekly-eval.js';
import { weeklyBoostBlends, type WeeklyBoostBlend } from './weekly-boost.js';
import { WeeklyFeatureCache, weeklyFusion } from './weekly-models.js';
import { cityErrorSummary, cityMomentumBaseline } from './weekly-city.js';
import { seasonalMean, seasonalMeanBaseline } from './weekly-season.js';
import {
  WeeklyForecastCache,
  weeklyStackedFusion,
  weeklyStackedFusionVariants,
  type WeeklyFusionVariant,
  type WeeklyIntervalRule,
} from './weekly-stack.js';
import { buildWeeklyTask } from './weekly-task.js';

/**
 * The ablations of docs/fusion.md, on training data only. Nothing here predicts a test sample.
 *
 * T1: at every rolling origin (target year T from 2008), the training target years are split in time:
 * the latest 20% (at least 2 years) are the validation years, the model is fitted on the years before them
 * and scored on them. Scores are pooled over the origins.
 *
 * T2: the training weeks are split in time: the last 13 training weeks (before the test weeks) are the
 * validation weeks, every model is fitted on the weeks before them.
 */
const REPO = new URL('../../../', import.meta.url);
const SHARED = new URL('../shared/data/', REPO);

/** The baseline of every set run before the city-momentum ablation: no momentum. */
const BEFORE_MOMENTUM = { cityMomentum: 0 } as const;

/** The count head of every set run before the boosted-trees ablation: the networks, blended half-and-half. */
const NETWORK_HEAD = { ...BEFORE_MOMENTUM, countHead: 'network', skip: 0.5 } as const;

/**
 * The interval of the sets run before the interval ablation: one size by likelihood (or, with `interval:
 * 'coverage'`, by coverage) on the networks' validation rows, for the interval and the terciles alike.
 */
const BEFORE_INTERVAL = { ...NETWORK_HEAD, interval: 'likelihood', terciles: 'interval' } as const;

const markov: TierModel = {
  name: 'persistence-prior',
  kind: 'baseline',
  how: 'P(next tier | last tier) over the training samples (the skip path of the fusion)',
  fitPredict: (task, training, test) => {
    const prior = transitionPrior(task, training);
    return Promise.resolve({
      probabilities: test.map((s) => [...(prior[task.tiers[s.unit]?.[s.last] ?? 0] ?? [])]),
      fitMs: 0,
      predictMs: 0,
    });
  },
};

async function tierValidation(
  task: Awaited<ReturnType<typeof loadTierTask>>,
  model: TierModel,
): Promise<ModelRow> {
  const truth: number[] = [];
  const probabilities: number[][] = [];
  let fitMs = 0;
  for (let target = FIRST_TIER_TARGET; target < task.years.length; target++) {
    const years = Array.from({ length: target - 3 }, (_, i) => i + 3);
    const held = Math.max(2, Math.ceil(years.length * 0.2));
    const cut = years[years.length - held] ?? target;
    const early: TierSample[] = [];
    for (let y = 3; y < cut; y++) early.push(...tierSamples(task, y));
    const late: TierSample[] = [];
    for (let y = cut; y < target; y++) late.push(...tierSamples(task, y));
    // Ranking rows (mean-3y) rank within the call: one call per validation year for them.
    const calls =
      model.name === 'mean-3y'
        ? [...new Set(late.map((s) => s.target))].map((y) => late.filter((s) => s.target === y))
        : [late];
    for (const part of calls) {
      const result = await model.fitPredict(task, early, part);
      fitMs += result.fitMs + result.predictMs;
      truth.push(...part.map((s) => s.truth));
      probabilities.push(...result.probabilities);
    }
  }
  const predicted = probabilities.map(argmax);
  return {
    model: model.name,
    kind: model.kind,
    how: model.how,
    fitMs,
    predictMs: 0,
    metrics: {
      accuracy: accuracy(truth, predicted),
      macroF1: macroF1(truth, predicted, 3),
      brier: brier(truth, probabilities),
      n: truth.length,
    },
  };
}

/**
 * `set`: 'main' (the first ablation), 'district' (the district-level inputs on the chosen design) or
 * 'ordinal' (the ordinal class head against the softmax one).
 */
export async function tierAblation(
  seed: number,
  progress: (line: string) => void,
  set: 'main' | 'district' | 'ordinal' = 'main',
): Promise<ModelRow[]> {
  const registry = await loadRegion(new URL('data/regions/tamil-nadu.json', REPO));
  const task = await loadTierTask(fileURLToPath(new URL('ncrb/', SHARED)), registry);
  await initTensorflow();
  const forecasts = new TierForecastCache(task, await initAugurs(), seed);
  const models: TierModel[] =
    set === 'ordinal'
      ? [
          persistence,
          markov,
          tierStackedFusion(forecasts, { seed }, 'softmax head (the design before)'),
          tierStackedFusion(forecasts, { seed, head: 'ordinal' }, 'ordinal head'),
          tierStackedFusion(forecasts, { seed, head: 'ordinal', skip: false }, 'ordinal head, no skip'),
          tierStackedFusion(forecasts, { seed, balance: false }, 'softmax head, no balance'),
          tierStackedFusion(forecasts, { seed, head: 'ordinal', balance: false }, 'ordinal head, no balance'),
        ]
      : set === 'district'
        ? [
            persistence,
            markov,
            tierForest(seed),
            tierStackedFusion(forecasts, { seed }, 'stacked inputs (the design before)'),
            tierStackedFusion(forecasts, { seed, district: true }, '+ district inputs'),
            tierStackedFusion(forecasts, { seed, district: true, skip: false }, '+ district inputs, no skip'),
            tierStackedFusion(
              forecasts,
              { seed, district: true, stacked: false },
              'district inputs instead of stacked',
            ),
          ]
        : [
            persistence,
            markov,
            threeYearMean,
            tierForest(seed),
            tierSingleFusion(forecasts, seed),
            // Variants of the first design (branch features + stacked inputs); the ablation chose '- branch features'.
            tierStackedFusion(forecasts, { seed, branches: true }, 'stacked: branches + stacked inputs'),
            tierStackedFusion(forecasts, { seed, branches: true, skip: false }, '- skip path'),
            tierStackedFusion(forecasts, { seed, branches: true, balance: false }, '- balance'),
            tierStackedFusion(forecasts, { seed, branches: false }, '- branch features (chosen)'),
            tierStackedFusion(forecasts, { seed, branches: true, stacked: false }, '- stacked inputs'),
            tierStackedFusion(forecasts, { seed, branches: true, members: 1 }, 'one member'),
            tierStackedFusion(forecasts, { seed, branches: true, hiddenUnits: [] }, 'linear'),
            tierStackedFusion(
              forecasts,
              { seed, branches: true, hiddenUnits: [64, 32], l2: 1e-4, dropout: 0.1 },
              'weak regularisation',
            ),
          ];
  const rows: ModelRow[] = [];
  for (const model of models) {
    progress(`t1 ablation: ${model.name}`);
    rows.push(await tierValidation(task, model));
  }
  return rows;
}

/**
 * `set`: 'main' (the first ablation), 'skip' (the follow-up on the skip path and the interval), 'season'
 * (seasonality from the previous year; scored on two validation periods, see `weeklySeasonAblation`) or
 * 'interval' (the interval's dispersion rule; four validation periods, see `weeklyIntervalAblation`).
 */
export async function weeklyAblation(
  seed: number,
  progress: (line: string) => void,
  set:
    | 'main'
    | 'skip'
    | 'season'
    | 'interval'
    | 'factor'
    | 'factor2'
    | 'quantile'
    | 'adaptive'
    | 'boost'
    | 'ceiling'
    | 'momentum' = 'main',
): Promise<ModelRow[]> {
  const registry = await loadRegion(new URL('data/regions/chicago.json', REPO));
  const rows: IncidentRow[] = [];
  for (const name of ['chicago_crimes_2016.csv', 'chicago_crimes_2017.csv']) {
    const load = await loadChicagoIncidents(fileURLToPath(new URL(`incidents/${name}`, SHARED)), registry);
    for (const row of load.rows) rows.push(row);
  }
  const task = buildWeeklyTask(rows, registry);
  await initTensorflow();
  const cut = task.testStart - 13;
  const training = weeklySamples(task, WARM_UP_WEEKS, cut);
  const validation = weeklySamples(task, cut, task.testStart);
  const augurs = await initAugurs();
  const cache = new WeeklyFeatureCache(task, augurs, seed);
  cache.build(WARM_UP_WEEKS, task.testStart, (done, total) => {
    if (done % 10 === 0 || done === total) progress(`t2 ablation: branch vectors ${done}/${total}`);
  });
  const forecasts = new WeeklyForecastCache(task, augurs, seed);
  const pointRow = (name: string, point: (s: (typeof training)[number]) => number): WeeklyModel => ({
    name,
    kind: 'baseline',
    how: `${name} point forecast, ratio-calibrated`,
    fit: () => Promise.resolve(),
    predict: (_task, samples) => Promise.resolve(samples.map((s) => ({ count: point(s) }))),
  });
  if (set === 'season') return weeklySeasonAblation(task, cache, forecasts, seed, progress);
  if (set === 'interval')
    return weeklyIntervalAblation(task, cache, forecasts, seed, progress, INTERVAL_RULES);
  if (set === 'factor') return weeklyIntervalAblation(task, cache, forecasts, seed, progress, FACTOR_RULES);
  if (set === 'factor2')
    return weeklyIntervalAblation(task, cache, forecasts, seed, progress, FACTOR_CENTRED_RULES);
  if (set === 'quantile')
    return weeklyIntervalAblation(task, cache, forecasts, seed, progress, QUANTILE_RULES);
  if (set === 'adaptive')
    return weeklyIntervalAblation(task, cache, forecasts, seed, progress, ADAPTIVE_RULES);
  if (set === 'boost')
    return weeklyPeriodAblation(task, progress, 'boost', () => [
      ...[0.25, 0.75].map((skip) =>
        weeklyStackedFusion(
          cache,
          forecasts,
          { ...NETWORK_HEAD, seed, skip },
          `the networks, skip weight ${skip}`,
        ),
      ),
      weeklyStackedFusion(
        cache,
        forecasts,
        { ...NETWORK_HEAD, seed, skip: false },
        'the networks, no skip path',
      ),
      ...weeklyBoostBlends(cache, forecasts, { ...NETWORK_HEAD, seed }, BOOST_BLENDS),
    ]);
  if (set === 'momentum')
    return weeklyPeriodAblation(task, progress, 'momentum', () => [
      seasonalMeanBaseline(),
      ...[1, 2].map((lags) => cityMomentumBaseline(lags)),
      weeklyStackedFusion(
        cache,
        forecasts,
        { ...BEFORE_MOMENTUM, seed },
        'the design before (trees, skip 0.5)',
      ),
      ...[1, 2].map((lags) =>
        weeklyStackedFusion(
          cache,
          forecasts,
          { seed, cityMomentum: lags },
          `the design on the baseline × city momentum (${lags === 1 ? '1 lag' : `${lags} lags`})`,
        ),
      ),
    ]);
  if (set === 'ceiling') {
    const city = cityErrorSummary(task, WARM_UP_WEEKS, task.testStart);
    progress(
      `t2 ceiling ablation: the seasonal baseline's city log error over the ${city.weeks} training weeks: sd ${city.sd.toFixed(3)}, autocorrelation ${city.autocorrelation[1].toFixed(2)} (lag 1), ${city.autocorrelation[2].toFixed(2)} (lag 2), ${city.autocorrelation[4].toFixed(2)} (lag 4)`,
    );
    return weeklyPeriodAblation(task, progress, 'ceiling', () => [
      seasonalMeanBaseline(),
      weeklyStackedFusion(
        cache,
        forecasts,
        { ...BEFORE_MOMENTUM, seed },
        'the design before (trees, skip 0.5)',
      ),
      cityMomentumBaseline(),
      weeklyStackedFusion(cache, forecasts, { seed }, 'the design (trees, skip 0.5, city momentum)'),
      cityShiftOracle(),
    ]);
  }
  const variants = set === 'skip';
  const models: WeeklyModel[] = variants
    ? [
        meanBaseline(8),
        weeklyStackedFusion(cache, forecasts, { ...BEFORE_INTERVAL, seed }, 'stacked, skip path chosen'),
        weeklyStackedFusion(cache, forecasts, { ...BEFORE_INTERVAL, seed, skip: false }, 'no skip path'),
        weeklyStackedFusion(cache, forecasts, { ...BEFORE_INTERVAL, seed, skip: 0.5 }, 'skip weight 0.5'),
        weeklyStackedFusion(
          cache,
          forecasts,
          { ...BEFORE_INTERVAL, seed, skip: false, interval: 'coverage' },
          'no skip, coverage interval',
        ),
        weeklyStackedFusion(
          cache,
          forecasts,
          { ...BEFORE_INTERVAL, seed, skip: false, branches: false },
          'no skip, - branch features',
        ),
        weeklyStackedFusion(
          cache,
          forecasts,
          { ...BEFORE_INTERVAL, seed, skip: false, stacked: false },
          'no skip, - stacked inputs',
        ),
      ]
    : [
        meanBaseline(1),
        meanBaseline(4),
        meanBaseline(8),
        pointRow('ets', (s) => forecasts.etsOf(s)),
        pointRow('prophet', (s) => forecasts.prophetOf(s).point),
        weeklyFusion(cache, seed),
        weeklyStackedFusion(cache, forecasts, { ...BEFORE_INTERVAL, seed }, 'stacked (chosen)'),
        weeklyStackedFusion(cache, forecasts, { ...BEFORE_INTERVAL, seed, skip: false }, '- skip path'),
        weeklyStackedFusion(
          cache,
          forecasts,
          { ...BEFORE_INTERVAL, seed, branches: false },
          '- branch features',
        ),
        weeklyStackedFusion(
          cache,
          forecasts,
          { ...BEFORE_INTERVAL, seed, stacked: false },
          '- stacked inputs',
        ),
        weeklyStackedFusion(
          cache,
          forecasts,
          { ...BEFORE_INTERVAL, seed, baselineWeeks: 4 },
          'baseline mean-4w',
        ),
        weeklyStackedFusion(cache, forecasts, { ...BEFORE_INTERVAL, seed, members: 1 }, 'one member'),
        weeklyStackedFusion(cache, forecasts, { ...BEFORE_INTERVAL, seed, hiddenUnits: [] }, 'linear'),
        weeklyStackedFusion(
          cache,
          forecasts,
          { ...BEFORE_INTERVAL, seed, hiddenUnits: [64, 32], l2: 1e-4, dropout: 0.1 },
          'weak regularisation',
        ),
      ];
  const results: ModelRow[] = [];
  for (const model of models) {
    progress(`t2 ablation: ${model.name}`);
    results.push(await evaluateWeekly(task, model, training, validation));
  }
  return results;
}

/**
 * The seasonal ablation, on two validation periods of the training weeks, each model fitted on the weeks
 * before its period:
 * - 'summer 2017': the last 13 training weeks (2017-07-03 to 2017-09-25), last year in the data;
 * - 'autumn 2016': weeks 39-51 (2016-10-03 to 2016-12-26), the same season as the test weeks a year
 *   earlier (Thanksgiving, Christmas, New Year), fitted on the weeks before; no year before it is in the
 *   data, so the last-year inputs are absent (0) there and only the holiday flags and the rest can act.
 * Rows are named '<period>: <model>'.
 */
async function weeklySeasonAblation(
  task: ReturnType<typeof buildWeeklyTask>,
  cache: WeeklyFeatureCache,
  forecasts: WeeklyForecastCache,
  seed: number,
  progress: (line: string) => void,
): Promise<ModelRow[]> {
  const periods = [
    { name: 'summer 2017', from: task.testStart - 13, to: task.testStart },
    { name: 'autumn 2016', from: 39, to: 52 },
  ];
  const seasonalMean = seasonalMeanBaseline();
  const results: ModelRow[] = [];
  for (const period of periods) {
    const training = weeklySamples(task, WARM_UP_WEEKS, period.from);
    const validation = weeklySamples(task, period.from, period.to);
    const models: WeeklyModel[] = [
      meanBaseline(8),
      seasonalMean,
      weeklyStackedFusion(
        cache,
        forecasts,
        { ...BEFORE_INTERVAL, seed },
        'stacked, skip 0.5 (the design before)',
      ),
      weeklyStackedFusion(
        cache,
        forecasts,
        { ...BEFORE_INTERVAL, seed, seasonal: 'inputs' },
        '+ seasonal inputs',
      ),
      weeklyStackedFusion(
        cache,
        forecasts,
        { ...BEFORE_INTERVAL, seed, seasonal: 'baseline' },
        '+ seasonal baseline',
      ),
      weeklyStackedFusion(cache, forecasts, { ...BEFORE_INTERVAL, seed, seasonal: 'both' }, '+ both'),
      weeklyStackedFusion(
        cache,
        forecasts,
        { ...BEFORE_INTERVAL, seed, seasonal: 'both', skip: true },
        '+ both, skip chosen',
      ),
      weeklyStackedFusion(
        cache,
        forecasts,
        { ...BEFORE_INTERVAL, seed, seasonal: 'both', skip: false },
        '+ both, no skip',
      ),
      weeklyStackedFusion(
        cache,
        forecasts,
        { ...BEFORE_INTERVAL, seed, seasonal: 'both', interval: 'coverage' },
        '+ both, coverage interval',
      ),
    ];
    for (const model of models) {
      progress(`t2 season ablation: ${period.name}: ${model.name}`);
      const row = await evaluateWeekly(task, model, training, validation);
      results.push({ ...row, model: `${period.name}: ${row.model}` });
    }
  }
  return results;
}

/**
 * An oracle for the ceiling ablation (docs/fusion.md, "What a city-wide shift costs"), never a row of
 * `npm run eval`: the fusion's baseline (the 8-week mean × the city's seasonal factor) × the realised
 * city-wide error of the predicted week, Σ y / Σ baseline over the other districts of that week. It reads
 * outcomes of the week it predicts, so no forecast can reach it; it shows how much of the baseline's error
 * is a shift that all districts share.
 */
function cityShiftOracle(): WeeklyModel {
  return {
    name: "oracle: the baseline × the week's realised city-wide error",
    kind: 'reference',
    how: "mean-8w × seasonal factor × (the week's outcomes / the baseline, summed over the other districts); reads the predicted week",
    fit: () => Promise.resolve(),
    predict: (task, samples) =>
      Promise.resolve(
        samples.map((s) => {
          let outcomes = 0;
          let expected = 0;
          task.series.forEach((series, d) => {
            if (d === s.series) return;
            outcomes += series.weekly[s.week] ?? NaN;
            expected += seasonalMean(task, d, s.week);
          });
          return { count: seasonalMean(task, s.series, s.week) * (outcomes / expected) };
        }),
      ),
  };
}

/** The boosted-trees ablation's blends (docs/fusion.md, "Boosted trees"); the first is the design before. */
export const BOOST_BLENDS: readonly WeeklyBoostBlend[] = [
  { name: 'the networks, skip weight 0.5 (the design before)', fusion: 1, boosted: 0, inputs: 'all' },
  { name: 'boosted trees, all inputs', fusion: 0, boosted: 1, inputs: 'all' },
  { name: 'boosted trees, stacked + seasonal inputs', fusion: 0, boosted: 1, inputs: 'stacked' },
  { name: '1/2 boosted trees (all) + 1/2 baseline', fusion: 0, boosted: 0.5, inputs: 'all' },
  { name: "1/2 the networks' design + 1/2 boosted trees (all)", fusion: 0.5, boosted: 0.5, inputs: 'all' },
  {
    name: "1/2 the networks' design + 1/2 boosted trees (stacked)",
    fusion: 0.5,
    boosted: 0.5,
    inputs: 'stacked',
  },
];

/** The interval rules of the interval ablation (docs/fusion.md, "The interval"). */
export const INTERVAL_RULES: readonly WeeklyFusionVariant[] = [
  both('likelihood on the fit’s validation rows (the design before)', 'likelihood'),
  both('coverage on the fit’s validation rows', 'coverage'),
  both('rolling 4 weeks, likelihood', { window: 4, rule: 'likelihood' }),
  both('rolling 8 weeks, likelihood', { window: 8, rule: 'likelihood' }),
  both('rolling 13 weeks, likelihood', { window: 13, rule: 'likelihood' }),
  both('rolling 26 weeks, likelihood', { window: 26, rule: 'likelihood' }),
  both('rolling 4 weeks, coverage', { window: 4, rule: 'coverage' }),
  both('rolling 8 weeks, coverage', { window: 8, rule: 'coverage' }),
  both('rolling 13 weeks, coverage', { window: 13, rule: 'coverage' }),
  {
    name: 'rolling 4 weeks, coverage; terciles by the fitted size',
    interval: { window: 4, rule: 'coverage' },
    terciles: 'fit',
  },
];

/**
 * The common-factor rules (docs/fusion.md, "The common factor"), beside the chosen rolling rule; every
 * row keeps the fitted size for the tercile probabilities (so only the intervals differ).
 */
export const FACTOR_RULES: readonly WeeklyFusionVariant[] = [
  {
    name: 'rolling 4 weeks, coverage (the design before)',
    interval: { window: 4, rule: 'coverage' },
    terciles: 'fit',
  },
  factor('factor (all weeks), size by likelihood on 4 weeks', 4, 'likelihood', null, false),
  factor('factor (all weeks), size by likelihood on 8 weeks', 8, 'likelihood', null, false),
  factor('factor (all weeks) + holidays, size by likelihood on 4 weeks', 4, 'likelihood', null, true),
  factor('factor (all weeks), size by coverage on 4 weeks', 4, 'coverage', null, false),
  factor('factor (all weeks) + holidays, size by coverage on 4 weeks', 4, 'coverage', null, true),
  factor('factor (13 weeks) + holidays, size by likelihood on 4 weeks', 4, 'likelihood', 13, true),
];

/**
 * The second round (`--set factor2`): the factor centred on the last 4 weeks' mean city error (a recent
 * city-wide bias of the fusion moves the interval, not the count), beside the design before.
 */
export const FACTOR_CENTRED_RULES: readonly WeeklyFusionVariant[] = [
  {
    name: 'rolling 4 weeks, coverage (the design before)',
    interval: { window: 4, rule: 'coverage' },
    terciles: 'fit',
  },
  factor(
    'factor (all weeks) centred on 4 weeks, size by likelihood on 4 weeks',
    4,
    'likelihood',
    null,
    false,
    4,
  ),
  factor('factor (all weeks) centred on 4 weeks, size by coverage on 4 weeks', 4, 'coverage', null, false, 4),
  factor(
    'factor (all weeks) centred on 4 weeks + holidays, size by coverage on 4 weeks',
    4,
    'coverage',
    null,
    true,
    4,
  ),
];

function factor(
  name: string,
  window: number,
  rule: 'likelihood' | 'coverage',
  scaleWindow: number | null,
  holidays: boolean,
  centerWindow?: number,
): WeeklyFusionVariant {
  const common =
    centerWindow === undefined
      ? { scaleWindow, holidays, center: false }
      : { scaleWindow, holidays, center: true, centerWindow };
  return { name, interval: { window, rule, common }, terciles: 'fit' };
}

/**
 * The quantile heads (`--set quantile`; docs/fusion.md, "Quantile heads"): a quantile network on the
 * fusion's rows, raw or conformalised (CQR) over the out-of-sample weeks before each predicted week,
 * beside the design before. Every row keeps the fitted size for the tercile probabilities.
 */
const QUANTILE_RULES: readonly WeeklyFusionVariant[] = [
  {
    name: 'rolling 4 weeks, coverage (the design before)',
    interval: { window: 4, rule: 'coverage' },
    terciles: 'fit',
  },
  { name: 'quantile heads, raw', interval: { quantile: { conformal: 'none' } }, terciles: 'fit' },
  {
    name: 'quantile heads + CQR, all earlier out-of-sample weeks',
    interval: { quantile: { conformal: 'all' } },
    terciles: 'fit',
  },
  { name: 'quantile heads + CQR, last 8 weeks', interval: { quantile: { conformal: 8 } }, terciles: 'fit' },
  { name: 'quantile heads + CQR, last 4 weeks', interval: { quantile: { conformal: 4 } }, terciles: 'fit' },
];

/**
 * Adaptive conformal inference on the quantile heads (`--set adaptive`; docs/fusion.md, "Adaptive
 * conformal"): CQR whose level follows the band's own misses week by week (Gibbs and Candès 2021), with the
 * step γ per week (a week is 22 districts' outcomes), beside CQR over 8 weeks (the design before).
 */
const ADAPTIVE_RULES: readonly WeeklyFusionVariant[] = [
  {
    name: 'quantile heads + CQR, last 8 weeks (the design before)',
    interval: { quantile: { conformal: 8 } },
    terciles: 'fit',
  },
  ...[8, 'all' as const].flatMap((conformal) =>
    [0.05, 0.1, 0.2].map((adapt): WeeklyFusionVariant => ({
      name: `quantile heads + CQR, ${conformal === 'all' ? 'all earlier weeks' : `last ${conformal} weeks`}, ACI step ${adapt}`,
      interval: { quantile: { conformal, adapt } },
      terciles: 'fit',
    })),
  ),
];

/** A rule whose size sets the interval and the tercile probabilities. */
function both(name: string, interval: WeeklyIntervalRule): WeeklyFusionVariant {
  return { name, interval, terciles: 'interval' };
}

/** Mean width of the 80% intervals of a scored row. */
function meanWidth(intervals: readonly (readonly [number, number])[] | undefined): number {
  if (intervals === undefined || intervals.length === 0) return NaN;
  return intervals.reduce((sum, [lo, hi]) => sum + (hi - lo), 0) / intervals.length;
}

/**
 * The interval ablation: the fusion's design (seasonal 'both', skip 0.5) fitted once per validation period
 * on the training weeks before it, its count forecasts shared by every interval rule; each row adds the
 * mean width of the 80% intervals (`width80`). Periods (13 weeks each, inside the training weeks):
 * autumn 2016 (weeks 39-51, holidays, no year before it in the data), winter 2017 (52-64), spring 2017
 * (65-77) and summer 2017 (78-90, the last 13 training weeks). Rows '<period>: <rule>', then 'mean of the
 * periods: <rule>'.
 */
async function weeklyIntervalAblation(
  task: ReturnType<typeof buildWeeklyTask>,
  cache: WeeklyFeatureCache,
  forecasts: WeeklyForecastCache,
  seed: number,
  progress: (line: string) => void,
  rules: readonly WeeklyFusionVariant[],
): Promise<ModelRow[]> {
  return weeklyPeriodAblation(task, progress, 'interval', () =>
    weeklyStackedFusionVariants(cache, forecasts, { ...NETWORK_HEAD, seed }, rules),
  );
}

/**
 * The four validation periods of the interval ablation, each row's models (`models()`, made afresh per
 * period, after the 8-week mean) fitted on the training weeks before the period and scored on it.
 */
async function weeklyPeriodAblation(
  task: ReturnType<typeof buildWeeklyTask>,
  progress: (line: string) => void,
  label: string,
  models: () => WeeklyModel[],
): Promise<ModelRow[]> {
  const periods = [
    { name: 'autumn 2016', from: 39, to: 52 },
    { name: 'winter 2017', from: 52, to: 65 },
    { name: 'spring 2017', from: 65, to: 78 },
    { name: 'summer 2017', from: task.testStart - 13, to: task.testStart },
  ];
  const results: ModelRow[] = [];
  const byRule = new Map<string, ModelRow[]>();
  for (const period of periods) {
    const training = weeklySamples(task, WARM_UP_WEEKS, period.from);
    const validation = weeklySamples(task, period.from, period.to);
    for (const model of [meanBaseline(8), ...models()]) {
      progress(`t2 ${label} ablation: ${period.name}: ${model.name}`);
      let width = NaN;
      const row = await evaluateWeekly(task, model, training, validation, (job) => {
        width = meanWidth(job.intervals);
      });
      const scored: ModelRow = { ...row, metrics: { ...row.metrics, width80: width } };
      results.push({ ...scored, model: `${period.name}: ${row.model}` });
      byRule.set(row.model, [...(byRule.get(row.model) ?? []), scored]);
    }
  }
  for (const [name, rows] of byRule) {
    const first = rows[0];
    if (first === undefined) continue;
    const metrics: Record<string, number | null> = {};
    for (const key of Object.keys(first.metrics))
      metrics[key] = rows.reduce((sum, r) => sum + (r.metrics[key] ?? NaN), 0) / rows.length;
    results.push({
      ...first,
      model: `mean of the ${rows.length} periods: ${name}`,
      metrics,
      fitMs: rows.reduce((sum, r) => sum + r.fitMs, 0),
      predictMs: rows.reduce((sum, r) => sum + r.predictMs, 0),
    });
  }
  return results;
}
