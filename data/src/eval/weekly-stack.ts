import {
  CommonFactorDispersion,
  ConformalBand,
  countBand,
  countLogRatio,
  countQuantiles,
  mixtureQuantiles,
  coverageNegativeBinomialSize,
  fitNegativeBinomialSize,
  PoissonBoosting,
  BOOSTING_DEFAULTS,
  EtsForecaster,
  ProphetForecaster,
  QuantileNetwork,
  RollingDispersion,
  StackedFusion,
  tercileProbabilities,
  type AugursRuntime,
  type RegularSeries,
} from '@district-monitor/models';
import {
  recentMean,
  weeklySamples,
  type WeeklyForecast,
  type WeeklyModel,
  type WeeklySample,
} from './weekly-eval.js';
import { cityMomentum } from './weekly-city.js';
import type { WeeklyFeatureCache } from './weekly-models.js';
import { holidayWeek, lastYearLogRatio, seasonalFactor } from './weekly-season.js';
import type { WeeklyTask } from './weekly-task.js';

const DAY = 86_400_000;
const WEEK_MS = 7 * DAY;

/** ETS and Prophet point forecasts of every sample, computed once and shared by the rows using them. */
export class WeeklyForecastCache {
  private readonly ets = new Map<string, number>();
  private readonly prophetIntervals = new Map<string, { point: number; lower: number; upper: number }>();
  private readonly etsModel: EtsForecaster;
  private readonly prophetModel: ProphetForecaster;
  msEts = 0;
  msProphet = 0;

  constructor(
    private readonly task: WeeklyTask,
    augurs: AugursRuntime,
    seed: number,
  ) {
    this.etsModel = new EtsForecaster(augurs, { seed, horizonDays: 7 });
    this.prophetModel = new ProphetForecaster(augurs, {
      seed,
      horizonDays: 7,
      weekly: false,
      minHistoryDays: 56,
    });
  }

  /** ETS (season 7, on the daily counts before the week): the sum of its next 7 daily forecasts. */
  etsOf(s: WeeklySample): number {
    const key = `${s.series}@${s.week}`;
    let value = this.ets.get(key);
    if (value === undefined) {
      const started = performance.now();
      const forecast = this.etsModel.forecast(
        regular(this.task.series[s.series]?.daily ?? [], s.week * 7, DAY),
        key,
      );
      value = 0;
      for (let d = 0; d < 7; d++) value += forecast.at(forecast.forecastStartMs + d * DAY)?.point ?? NaN;
      this.ets.set(key, value);
      this.msEts += performance.now() - started;
    }
    return value;
  }

  /** Prophet on the weekly counts before the week, its point and 80% interval. */
  prophetOf(s: WeeklySample): { point: number; lower: number; upper: number } {
    const key = `${s.series}@${s.week}`;
    const cached = this.prophetIntervals.get(key);
    if (cached !== undefined) return cached;
    const started = performance.now();
    const forecast = this.prophetModel.forecast(
      regular(this.task.series[s.series]?.weekly ?? [], s.week, WEEK_MS),
      key,
    );
    const next = forecast.at(forecast.forecastStartMs);
    if (next === undefined) throw new RangeError(`no Prophet forecast for week ${s.week}`);
    const value = { point: next.point, lower: next.lower, upper: next.upper };
    this.prophetIntervals.set(key, value);
    this.msProphet += performance.now() - started;
    return value;
  }
}

/** The mean of the last `k` weeks before the sample's week, or of all of them when fewer exist. */
function availableMean(task: WeeklyTask, s: WeeklySample, k: number): number {
  return recentMean(task, s, Math.max(1, Math.min(k, s.week)));
}

function regular(values: readonly number[], length: number, stepMs: number): RegularSeries {
  const head = values.slice(0, length);
  return { timestamps: head.map((_, i) => i * stepMs), values: head };
}

export interface WeeklyFusionOptions {
  readonly seed: number;
  readonly members: number;
  /** The 224 branch features. */
  readonly branches: boolean;
  /** The stacked inputs: log ratios of the baselines' and forecasters' predictions to the baseline. */
  readonly stacked: boolean;
  readonly skip: boolean | number;
  /**
   * The negative binomial size of the interval and the tercile probabilities: `'likelihood'` or
   * `'coverage'` fit one size on the networks' validation rows (the latest 20% of the training weeks);
   * a `WeeklyRollingInterval` refits it for every predicted week on the fusion's out-of-sample forecasts
   * of the `window` weeks before it (rolling origin, see `RollingDispersion`); a `WeeklyQuantileInterval`
   * takes the interval from quantile heads, conformalised over the weeks before it (the default).
   */
  readonly interval: WeeklyIntervalRule;
  /**
   * The size of the tercile probabilities: `'fit'` = the one fitted on the networks' validation rows
   * (likelihood), `'interval'` = the interval rule's.
   */
  readonly terciles: 'fit' | 'interval';
  /** Weeks of the mean the count head is a residual on. */
  readonly baselineWeeks: number;
  readonly hiddenUnits: readonly number[];
  readonly l2: number;
  readonly dropout: number;
  /**
   * Seasonality from the previous year (data/src/eval/weekly-season.ts): `'inputs'` adds the last-year
   * ratios and holiday flags to the stacked inputs, `'baseline'` multiplies the count head's baseline (and
   * so the skip path's fallback) by the city's seasonal factor, `'both'` does both, `'none'` neither.
   */
  readonly seasonal: 'none' | 'inputs' | 'baseline' | 'both';
  /**
   * What predicts the count from the rows: `'network'`, the stacked fusion's networks (a residual on the
   * baseline, blended with it by `skip`), or `'trees'`, gradient-boosted Poisson trees (`PoissonBoosting`,
   * offset by the baseline's log; `skip` a number blends them with the baseline, `false` not at all).
   */
  readonly countHead: 'network' | 'trees';
  /**
   * City momentum (data/src/eval/weekly-city.ts): the count head's baseline × exp(φ · the city-wide errors
   * of the last `cityMomentum` weeks), φ by least squares on the weeks before; 0 = none. The errors are
   * always those of the seasonal 8-week baseline, whatever `baselineWeeks` and `seasonal` say.
   */
  readonly cityMomentum: number;
}

export const WEEKLY_FUSION_DEFAULTS: WeeklyFusionOptions = {
  seed: 1,
  members: 5,
  branches: true,
  stacked: true,
  // The ablations on the validation weeks (docs/fusion.md): for the networks, a fixed half-and-half blend with
  // the 8-week mean scored best (MASE 0.753, against 0.755 for the networks alone and 0.765 for the
  // chosen-weight blend). So it did for the boosted trees that replaced them (`--set boost`).
  skip: 0.5,
  // The interval ablation (docs/fusion.md, `--set interval`, four validation periods): a size refitted every
  // week to cover 80% of the fusion's out-of-sample forecasts of the 4 weeks before it had the mean coverage
  // nearest 0.80 (0.795; 0.818 for the one size of the validation rows) and the narrowest intervals; the
  // tercile probabilities kept the fitted size (the rolling one did not improve them there).
  // The quantile ablation (docs/fusion.md, "Quantile heads", `--set quantile`, the same four periods and
  // criteria) then chose quantile heads conformalised over the 8 weeks before each predicted week: mean
  // coverage 0.803 (0.795 for the rolling 4-week size before it, 0.804 for CQR over 4 weeks).
  // The adaptive ablation (docs/fusion.md, "Adaptive conformal", `--set adaptive`, the same periods and
  // criteria) then chose CQR over 8 weeks whose level follows the band's own weekly misses (ACI, step 0.2):
  // mean coverage 0.7998 (0.8033 before) and every period inside 0.75-0.85 (2 of 4 before).
  interval: { quantile: { conformal: 8, adapt: 0.2 } },
  terciles: 'fit',
  baselineWeeks: 8,
  hiddenUnits: [16],
  l2: 1e-3,
  dropout: 0.3,
  // The seasonal ablation (docs/fusion.md, `--set season`): on the summer-2017 validation weeks the
  // last-year inputs and the seasonal baseline together scored best (MASE 0.750 against 0.753, tercile
  // accuracy 0.549 against 0.542); on autumn 2016 (no year before it in the data) they change nothing.
  seasonal: 'both',
  // The boosted-trees ablation (docs/fusion.md, "Boosted trees", `--set boost`, the four validation periods):
  // the trees on the same rows, blended half-and-half with the baseline, had the lowest mean MASE (0.858,
  // against 0.861 for the trees alone, 0.885 for the networks' blend and 0.874 for the 8-week mean).
  countHead: 'trees',
  // The city-momentum ablation (docs/fusion.md, "City momentum", `--set momentum`, the same four periods and
  // criteria): the baseline × exp(φ · last week's city-wide error) lowered the design's mean MASE from 0.858
  // to 0.834 (two lags: 0.842), tercile accuracy 0.506 against 0.495. On the test weeks it then lost (MASE
  // 0.952 against 0.921 on the shared split); that was not a reason to change it (docs/fusion.md).
  cityMomentum: 1,
};

/** A rolling-origin dispersion: the size for week w from the fusion's out-of-sample forecasts of [w - window, w). */
export interface WeeklyRollingInterval {
  readonly window: number;
  readonly rule: 'likelihood' | 'coverage';
  /**
   * A city-level common factor (`CommonFactorDispersion`): y ~ NB(mu · C_w, k), ln C_w ~ N(m, s²), s from
   * the city log errors of the fusion's out-of-sample forecasts of the `scaleWindow` weeks before w (`null`:
   * all of them), k from the `window` weeks' district counts given their realised factor (by `rule`).
   * `holidays`: a target week with a public holiday adds to s² the excess of the 8-week baseline's squared
   * city log error on earlier holiday weeks of its kind over its other weeks (weeks before w only).
   * `center`: the factor's log mean m is the mean city log error (else 0).
   */
  readonly common?: {
    readonly scaleWindow: number | null;
    readonly holidays: boolean;
    readonly center: boolean;
    /** Weeks before w whose mean city error centres the factor (with `center`); absent: the spread's. */
    readonly centerWindow?: number;
  };
}

/**
 * Quantile heads learnt by a network, then conformalised (issue 17; docs/fusion.md, "Quantile heads"): a
 * `QuantileNetwork` on the fusion's rows fits the 10%, 50% and 90% quantiles of the scale-free target
 * ln((y + 0.5) / (baseline + 0.5)) by the pinball loss, pooled over the districts; the interval is
 * [q10, q90] mapped back to counts. `conformal`: `'none'` = the raw heads; `'all'` = CQR over every
 * out-of-sample week before w (the quantile network's validation rows, then the predicted weeks); a number
 * k = CQR over the k weeks before w. The point forecast does not change.
 */
export interface WeeklyQuantileInterval {
  readonly quantile: {
    readonly conformal: 'none' | 'all' | number;
    /**
     * Adaptive conformal inference on top of CQR (`ConformalBand`'s `adapt`): the step γ by which each
     * out-of-sample week's miss rate moves the next week's working level. Absent or 0: the fixed 80% level.
     */
    readonly adapt?: number;
  };
}

export type WeeklyIntervalRule = 'likelihood' | 'coverage' | WeeklyRollingInterval | WeeklyQuantileInterval;

/** Whether a rule is the quantile heads'. */
export function isQuantileRule(rule: WeeklyIntervalRule): rule is WeeklyQuantileInterval {
  return typeof rule === 'object' && 'quantile' in rule;
}

/** Members of the quantile network's ensemble (T2). */
export const WEEKLY_QUANTILE_MEMBERS = 3;

/** One row of a shared fit: its name, interval rule and tercile size. */
export interface WeeklyFusionVariant {
  readonly name: string;
  readonly interval: WeeklyIntervalRule;
  readonly terciles: 'fit' | 'interval';
}

/** Describes an interval rule in a row's `how`. */
export function describeInterval(rule: WeeklyIntervalRule): string {
  if (rule === 'likelihood') return 'NB size by likelihood on the latest 20% of training weeks';
  if (rule === 'coverage') return 'NB size set to cover 80% of the latest 20% of training weeks';
  if (isQuantileRule(rule)) {
    const c = rule.quantile.conformal;
    const adapt = rule.quantile.adapt ?? 0;
    return `${WEEKLY_QUANTILE_MEMBERS} quantile networks (pinball loss, 10/50/90% of ln((y + 0.5) / (baseline + 0.5)), non-crossing) on the same inputs${c === 'none' ? '' : `, conformalised (CQR) on the out-of-sample weeks ${c === 'all' ? 'before each predicted week' : `of the ${c} weeks before each predicted week`}`}${c !== 'none' && adapt > 0 ? `, its level adapted to the band's own misses week by week (ACI, step ${adapt})` : ''}`;
  }
  const size = `NB size refitted every week by ${rule.rule === 'likelihood' ? 'likelihood' : '80% coverage'} on the fusion's out-of-sample forecasts of the ${rule.window} weeks before it`;
  if (rule.common === undefined) return size;
  return `${size} given a city-level common factor (log-normal, spread from the city errors of ${rule.common.scaleWindow === null ? 'every out-of-sample week' : `the ${rule.common.scaleWindow} out-of-sample weeks`} before it${rule.common.center ? `, centred on the mean city error of ${rule.common.centerWindow === undefined ? 'the same weeks' : `the ${rule.common.centerWindow} weeks before it`}` : ''}${rule.common.holidays ? "; holiday weeks widened by the 8-week baseline's excess city error on earlier holidays" : ''})`;
}

/** The stacked inputs' names (scale-free: ln((x + 0.5) / (baseline + 0.5)), and the baseline's own log). */
export const WEEKLY_STACKED_INPUTS = [
  'last-week',
  'mean-4w',
  'mean-8w',
  'mean-13w (or of all earlier weeks when fewer)',
  'mean-26w (idem)',
  'ets',
  'prophet',
  'ln(baseline + 0.5)',
] as const;

/** The seasonal inputs (with `seasonal: 'inputs' | 'both'`); the ratios are 0 when last year is not in the data. */
export const WEEKLY_SEASONAL_INPUTS = [
  "city's last-year log ratio, target week to the origin's 8-week window",
  'the same, target week ± 2 weeks',
  "the district's own, target week ± 2 weeks",
  'last year in the data (1) or not (0)',
  'a winter holiday (Thanksgiving, 24-25 and 31 December, 1 January) in the target week',
  'another US federal holiday in the target week',
] as const;

/** The fusion's input row and count baseline of a sample, as `weeklyStackedFusion` builds them from `o`. */
export interface WeeklyFusionInputs {
  readonly row: RowOf;
  readonly baseline: BaselineOf;
  readonly seasonalBaseline: boolean;
  readonly seasonalInputs: boolean;
}

/**
 * The rows of T2's fusion: the branch features (`branches`), the stacked inputs (`stacked`) and the seasonal
 * inputs (`seasonal`), in that order; and the count head's baseline, the mean of the last `baselineWeeks`
 * weeks (× the city's seasonal factor with a seasonal baseline), floored at 0.25.
 */
export function weeklyFusionInputs(
  features: WeeklyFeatureCache,
  forecasts: WeeklyForecastCache,
  o: WeeklyFusionOptions,
): WeeklyFusionInputs {
  const seasonalBaseline = o.seasonal === 'baseline' || o.seasonal === 'both';
  const seasonalInputs = o.seasonal === 'inputs' || o.seasonal === 'both';
  const baseline: BaselineOf = (task, s) =>
    Math.max(
      recentMean(task, s, o.baselineWeeks) *
        (seasonalBaseline ? seasonalFactor(task, s.week) : 1) *
        (o.cityMomentum > 0 ? cityMomentum(task, s.week, o.cityMomentum) : 1),
      0.25,
    );
  const season = (task: WeeklyTask, s: WeeklySample): number[] => {
    const city0 = lastYearLogRatio(task, 'city', s.week, 0);
    const city2 = lastYearLogRatio(task, 'city', s.week, 2);
    const own2 = lastYearLogRatio(task, s.series, s.week, 2);
    const holiday = holidayWeek(task, s.week);
    return [
      city0 ?? 0,
      city2 ?? 0,
      own2 ?? 0,
      city0 === null ? 0 : 1,
      holiday.winter ? 1 : 0,
      holiday.other ? 1 : 0,
    ];
  };
  const row: RowOf = (task, s) => {
    const b = baseline(task, s);
    const ratio = (x: number) => Math.log((Math.max(x, 0) + 0.5) / (b + 0.5));
    const v = features.of(s);
    return [
      ...(o.branches ? [...v.crime, ...v.trend, ...v.profile] : []),
      ...(o.stacked
        ? [
            ratio(recentMean(task, s, 1)),
            ratio(recentMean(task, s, 4)),
            ratio(recentMean(task, s, 8)),
            ratio(availableMean(task, s, 13)),
            ratio(availableMean(task, s, 26)),
            ratio(forecasts.etsOf(s)),
            ratio(forecasts.prophetOf(s).point),
            Math.log(b + 0.5),
          ]
        : []),
      ...(seasonalInputs ? season(task, s) : []),
    ];
  };
  return { row, baseline, seasonalBaseline, seasonalInputs };
}

/**
 * T2's stacked fusion (docs/fusion.md): the 224 branch features plus the stacked and seasonal inputs,
 * pooled over the districts; the count from boosted Poisson trees offset by the baseline (`countHead:
 * 'trees'`) or from an ensemble over seeds of small networks whose count head is a residual on the baseline
 * (`'network'`), blended with the baseline by `skip`; the interval by `interval`.
 */
export function weeklyStackedFusion(
  features: WeeklyFeatureCache,
  forecasts: WeeklyForecastCache,
  options: Partial<WeeklyFusionOptions> = {},
  name = 'fusion',
): WeeklyModel {
  const o = { ...WEEKLY_FUSION_DEFAULTS, ...options };
  const [model] = weeklyStackedFusionVariants(features, forecasts, o, [
    { name, interval: o.interval, terciles: o.terciles },
  ]);
  if (model === undefined) throw new Error('no fusion variant');
  return model;
}

/**
 * Rows that share one fitted fusion and differ only in their interval rule (the interval ablation): the
 * first `fit` of a training set trains the count head (and the quantile heads), the others reuse them.
 */
export function weeklyStackedFusionVariants(
  features: WeeklyFeatureCache,
  forecasts: WeeklyForecastCache,
  options: Partial<WeeklyFusionOptions>,
  variants: readonly WeeklyFusionVariant[],
): WeeklyModel[] {
  const o = { ...WEEKLY_FUSION_DEFAULTS, ...options };
  if (o.countHead === 'trees') {
    // Refused before any fit: these read what only the networks have.
    treeWeight(o.skip);
    for (const v of variants)
      if (!(v.interval === 'likelihood' || isQuantileRule(v.interval)))
        throw new RangeError(
          `${v.name}: interval ${describeInterval(v.interval)} needs the networks' count head (countHead: 'network')`,
        );
  }
  let model: StackedFusion | undefined;
  let trees: { model: PoissonBoosting; size: number | null } | undefined;
  let quantile: QuantileNetwork | undefined;
  const needsQuantile = variants.some((v) => isQuantileRule(v.interval));
  let fittedOn = '';
  const { row, baseline, seasonalBaseline, seasonalInputs } = weeklyFusionInputs(features, forecasts, o);
  const inputs = `${o.branches ? 'concat(crime 128, trend 64, profile 32)' : ''}${o.branches && o.stacked ? ' + ' : ''}${o.stacked ? `${WEEKLY_STACKED_INPUTS.length} stacked inputs (last week, 4/8/13/26-week means, ETS and Prophet, as log ratios to the baseline)` : ''}${seasonalInputs ? ` + ${WEEKLY_SEASONAL_INPUTS.length} seasonal inputs (last year's ratios of the target week to the origin's window, holiday flags)` : ''}`;
  const base = `the ${o.baselineWeeks}-week mean${seasonalBaseline ? " × the city's seasonal factor from last year" : ''}${o.cityMomentum > 0 ? ` × the city momentum of the last ${o.cityMomentum === 1 ? 'week' : `${o.cityMomentum} weeks`}` : ''}`;
  const blend =
    o.skip === true
      ? ', blended with it by a weight chosen on the latest 20% of training weeks'
      : typeof o.skip === 'number'
        ? `, blended with it at weight ${o.skip}`
        : '';
  const head =
    o.countHead === 'trees'
      ? `stacked fusion: gradient-boosted Poisson trees (depth ${BOOSTING_DEFAULTS.maxDepth}, learning rate ${BOOSTING_DEFAULTS.learningRate}, rounds by the deviance of the latest 20% of training weeks) on ${inputs}; count = exp(log of ${base} + the trees)${blend}`
      : `stacked fusion: ${o.members} TF.js networks (hidden ${o.hiddenUnits.join('-') || 'none'}, dropout ${o.dropout}, l2 ${o.l2}) on ${inputs}; count = residual on ${base}${blend}`;
  const how = (interval: WeeklyIntervalRule, terciles: 'fit' | 'interval') =>
    `${head}; ${isQuantileRule(interval) ? '' : 'negative-binomial '}interval (${describeInterval(interval)}) and negative-binomial tercile probabilities (${terciles === 'fit' || interval === 'likelihood' ? (o.countHead === 'trees' ? "NB size by likelihood on the latest 20% of training weeks, around the trees' forecasts fitted without them" : describeInterval('likelihood')) : 'the same size'})`;
  /** The training rows and baselines, built once per fit for every head. */
  interface Fitting {
    readonly task: WeeklyTask;
    readonly training: readonly WeeklySample[];
    readonly rows: number[][];
    readonly baselines: number[];
  }
  const fitNetworks = ({ task, training, rows, baselines }: Fitting) =>
    StackedFusion.fit(
      {
        rows,
        classes: training.map((s) => s.tercile),
        counts: training.map((s) => s.truth),
        times: training.map((s) => s.week),
        baselines,
        errorScales: training.map((s) => task.series[s.series]?.scale ?? 1),
      },
      {
        seed: o.seed,
        members: o.members,
        skip: o.skip,
        // The fitted size (likelihood on the validation rows): the terciles' with `terciles: 'fit'`, and
        // the fallback of the rolling rules.
        interval: 'likelihood',
        network: { hiddenUnits: [...o.hiddenUnits], l2: o.l2, dropout: o.dropout },
      },
    );
  const fitTrees = ({ training, rows, baselines }: Fitting) => {
    const weight = treeWeight(o.skip);
    const counts = training.map((s) => s.truth);
    const boosted = PoissonBoosting.fit(
      {
        rows,
        counts,
        offsets: baselines.map((b) => Math.log(b)),
        times: training.map((s) => s.week),
      },
      { seed: o.seed },
    );
    // The size of the tercile probabilities (and of the likelihood interval): by likelihood on the
    // validation rows, around the means the trees fitted without them gave, blended as the counts are.
    const held = boosted.validation.rows;
    const blended = boosted.validation.means.map(
      (mu, k) => weight * mu + (1 - weight) * (baselines[held[k] ?? -1] ?? NaN),
    );
    return {
      model: boosted,
      size: fitNegativeBinomialSize(
        held.map((i) => counts[i] ?? NaN),
        blended,
      ),
    };
  };
  const fit = (task: WeeklyTask, training: readonly WeeklySample[]): Promise<void> => {
    const key = `${training.length}:${training[0]?.week ?? -1}:${training.at(-1)?.week ?? -1}`;
    if (key === fittedOn) return Promise.resolve();
    model?.dispose();
    model = undefined;
    trees = undefined;
    quantile?.dispose();
    quantile = undefined;
    fittedOn = '';
    const fitting: Fitting = {
      task,
      training,
      rows: training.map((s) => row(task, s)),
      baselines: training.map((s) => baseline(task, s)),
    };
    if (o.countHead === 'trees') trees = fitTrees(fitting);
    else model = fitNetworks(fitting);
    if (needsQuantile)
      quantile = QuantileNetwork.fit(
        {
          rows: fitting.rows,
          targets: training.map((s, i) => countLogRatio(s.truth, fitting.baselines[i] ?? NaN)),
          times: training.map((s) => s.week),
        },
        {
          seed: o.seed,
          members: WEEKLY_QUANTILE_MEMBERS,
          hiddenUnits: o.hiddenUnits[0] ?? 0,
          l2: o.l2,
          dropout: o.dropout,
        },
      );
    fittedOn = key;
    return Promise.resolve();
  };
  const predict = (
    task: WeeklyTask,
    samples: readonly WeeklySample[],
    interval: WeeklyIntervalRule,
    terciles: 'fit' | 'interval',
  ): Promise<WeeklyForecast[]> => {
    const rows = samples.map((s) => row(task, s));
    const baselines = samples.map((s) => baseline(task, s));
    let counts: number[];
    let fittedSize: number | null;
    const boosted = trees;
    if (boosted !== undefined) {
      const weight = treeWeight(o.skip);
      counts = boosted.model
        .predict(
          rows,
          baselines.map((b) => Math.log(b)),
        )
        .map((mu, i) => weight * mu + (1 - weight) * (baselines[i] ?? NaN));
      fittedSize = boosted.size;
    } else {
      if (model === undefined) throw new Error('predict before fit');
      counts = model.predict(rows, baselines).map((p) => p.expectedCount);
      fittedSize = model.dispersionSize;
    }
    // The rules that read the networks' own validation rows.
    const networks = (): StackedFusion => {
      if (model === undefined)
        throw new RangeError(
          `interval ${describeInterval(interval)}: needs the networks' count head (countHead: 'network')`,
        );
      return model;
    };
    let sizeOf: (s: WeeklySample) => number | null = () => fittedSize;
    let quantilesOf = (s: WeeklySample, count: number): number[] =>
      countQuantiles(count, sizeOf(s), [0.1, 0.9]);
    if (interval === 'coverage') {
      // The size whose 80% interval covers 80% of the same validation rows.
      const size = coverageSizeOnValidation(task, networks(), row, baseline);
      sizeOf = () => size;
    }
    if (isQuantileRule(interval)) {
      const heads = quantile;
      if (heads === undefined) throw new Error('predict before fit (quantile heads)');
      const bands = quantileBands(task, heads, samples, interval, row, baseline);
      quantilesOf = (s) => bands.get(`${s.series}@${s.week}`) ?? [NaN, NaN];
    }
    if (typeof interval === 'object' && !isQuantileRule(interval)) {
      // Outcomes of the weeks before each predicted week: `RollingDispersion` and `CommonFactorDispersion`
      // read, for week w, only those of weeks before w.
      const fitted = networks();
      const records = outOfSampleRecords(task, fitted, samples, counts, lookbackOf(interval), row, baseline);
      const common = interval.common;
      if (common === undefined) {
        const rolling = rollingDispersion(task, fitted, records, interval);
        sizeOf = (s) => rolling.sizeAt(s.week);
      } else {
        const factor = commonFactor(task, fitted, records, interval);
        const holidays = new HolidayExcess(task, (s) => baseline(task, s));
        const at = (s: WeeklySample) => factor.at(s.week, common.holidays ? holidays.at(s.week) : 0);
        sizeOf = (s) => at(s).size;
        quantilesOf = (s, count) => {
          const f = at(s);
          return mixtureQuantiles(count, f.size, f.logMean, f.logSd, [0.1, 0.9]);
        };
      }
    }
    return Promise.resolve(
      samples.map((s, i): WeeklyForecast => {
        const count = counts[i] ?? NaN;
        const tercileSize = terciles === 'fit' ? fittedSize : sizeOf(s);
        const [lo = 0, hi = 0] = quantilesOf(s, count);
        return {
          count,
          interval: [lo, hi],
          probabilities: tercileProbabilities(
            count,
            tercileSize,
            task.series[s.series]?.terciles ?? { t1: NaN, t2: NaN },
          ),
          size: tercileSize,
        };
      }),
    );
  };
  return variants.map((v): WeeklyModel => ({
    name: v.name,
    kind: 'fusion',
    // Read after the fit (evaluateWeekly does): the trees' rounds kept by that fit.
    get how() {
      return `${how(v.interval, v.terciles)}${trees === undefined ? '' : `; ${describeTrees(trees.model)}`}`;
    },
    fit,
    predict: (task, samples) => predict(task, samples, v.interval, v.terciles),
  }));
}

/** What a fit of the boosted trees kept: with no round, the count is the baseline × exp(intercept). */
export function describeTrees(model: PoissonBoosting): string {
  return `the last fit kept ${model.treeCount} rounds (intercept ${model.intercept.toFixed(4)})`;
}

/** The trees' weight in the count (`skip` as the networks read it: a number blends, `false` does not). */
function treeWeight(skip: boolean | number): number {
  if (skip === true)
    throw new RangeError(
      "skip: true (a weight chosen on validation rows) is the networks' only; give the trees a number or false",
    );
  return skip === false ? 1 : skip;
}

export type RowOf = (task: WeeklyTask, s: WeeklySample) => number[];

/**
 * The 80% intervals (in counts) of the samples from the quantile heads, conformalised by `rule`: the
 * scores are those of every district in the out-of-sample weeks (from the quantile network's validation
 * rows, never in a batch, up to the last sample's week), and `ConformalBand` uses, for week w, only the
 * weeks before w (their outcomes are in the data before w's origin).
 */
function quantileBands(
  task: WeeklyTask,
  heads: QuantileNetwork,
  samples: readonly WeeklySample[],
  rule: WeeklyQuantileInterval,
  row: RowOf,
  baseline: BaselineOf,
): Map<string, [number, number]> {
  const last = Math.max(...samples.map((s) => s.week));
  const keyOf = (s: WeeklySample) => `${s.series}@${s.week}`;
  const wanted = new Map(samples.map((s) => [keyOf(s), s]));
  const conformal = rule.quantile.conformal;
  const history =
    conformal === 'none'
      ? []
      : weeklySamples(task, Math.ceil(heads.validationFrom), last + 1).filter((s) => !wanted.has(keyOf(s)));
  const all = [...history, ...wanted.values()];
  const q = heads.predict(all.map((s) => row(task, s)));
  const low = 0;
  const high = heads.levels.length - 1;
  const band = new ConformalBand(
    conformal === 'none'
      ? []
      : all.flatMap((s, i) => {
          const y = task.series[s.series]?.weekly[s.week];
          if (y === undefined || !Number.isFinite(y) || s.week < heads.validationFrom) return [];
          return [
            {
              time: s.week,
              target: countLogRatio(y, baseline(task, s)),
              lower: q[i]?.[low] ?? NaN,
              upper: q[i]?.[high] ?? NaN,
            },
          ];
        }),
    {
      window: conformal === 'none' || conformal === 'all' ? null : conformal,
      coverage: 0.8,
      minRows: Math.max(1, task.series.length * 2),
      adapt: conformal === 'none' ? 0 : (rule.quantile.adapt ?? 0),
    },
  );
  const out = new Map<string, [number, number]>();
  all.forEach((s, i) => {
    if (!wanted.has(keyOf(s))) return;
    const [lo, hi] = band.bandAt(s.week, q[i]?.[low] ?? NaN, q[i]?.[high] ?? NaN);
    out.set(keyOf(s), countBand(lo, hi, baseline(task, s)));
  });
  return out;
}
export type BaselineOf = (task: WeeklyTask, s: WeeklySample) => number;

/** The samples of every district in the weeks from the fit's validation rows (never trained on) up to `to`. */
function outOfSampleWeeks(task: WeeklyTask, fitted: StackedFusion, from: number, to: number): WeeklySample[] {
  const validationFrom = fitted.metadata.window.validationFrom;
  return weeklySamples(task, Math.max(from, Math.ceil(validationFrom)), to);
}

/** The coverage size on the fit's validation rows (for a shared fit sized by likelihood). */
function coverageSizeOnValidation(
  task: WeeklyTask,
  fitted: StackedFusion,
  row: RowOf,
  baseline: BaselineOf,
): number | null {
  const held = outOfSampleWeeks(task, fitted, 0, Math.floor(fitted.metadata.window.validationTo) + 1);
  const means = fitted
    .predict(
      held.map((s) => row(task, s)),
      held.map((s) => baseline(task, s)),
    )
    .map((p) => p.expectedCount);
  return coverageNegativeBinomialSize(
    held.map((s) => s.truth),
    means,
    fitted.dispersionSize,
  );
}

/** How many weeks before the earliest sample a rolling interval reads: its window, or its scale window. */
function lookbackOf(rule: WeeklyRollingInterval): number {
  if (rule.common === undefined) return rule.window;
  const scale = rule.common.scaleWindow;
  return scale === null ? Number.POSITIVE_INFINITY : Math.max(rule.window, scale);
}

/** The rolling dispersion of the samples' weeks, from their out-of-sample `records` (`outOfSampleRecords`). */
function rollingDispersion(
  task: WeeklyTask,
  fitted: StackedFusion,
  records: readonly OutOfSampleRecord[],
  rule: WeeklyRollingInterval,
): RollingDispersion {
  return new RollingDispersion(records, {
    window: rule.window,
    rule: rule.rule,
    minRows: Math.max(1, task.series.length * 2),
    fallback: fitted.dispersionSize,
  });
}

interface OutOfSampleRecord {
  time: number;
  group: number;
  count: number;
  mean: number;
}

/**
 * The fusion's out-of-sample forecasts of every district in the `window` (and scale window) weeks before
 * the earliest sample, from the fit's validation rows on, and of the samples themselves, with their outcome
 * read from the task's weekly counts; the dispersion built on them uses, for week w, only weeks before w.
 */
function outOfSampleRecords(
  task: WeeklyTask,
  fitted: StackedFusion,
  samples: readonly WeeklySample[],
  counts: readonly number[],
  lookback: number,
  row: RowOf,
  baseline: BaselineOf,
): OutOfSampleRecord[] {
  const first = Math.min(...samples.map((s) => s.week));
  const last = Math.max(...samples.map((s) => s.week));
  const predicted = new Map(samples.map((s, i) => [`${s.series}@${s.week}`, counts[i] ?? NaN]));
  const history = outOfSampleWeeks(task, fitted, first - lookback, last).filter(
    (s) => !predicted.has(`${s.series}@${s.week}`),
  );
  const means = fitted
    .predict(
      history.map((s) => row(task, s)),
      history.map((s) => baseline(task, s)),
    )
    .map((p) => p.expectedCount);
  history.forEach((s, i) => predicted.set(`${s.series}@${s.week}`, means[i] ?? NaN));
  const seen = new Set<string>();
  return [...history, ...samples]
    .filter((s) => {
      const key = `${s.series}@${s.week}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((s) => ({
      time: s.week,
      group: s.series,
      count: task.series[s.series]?.weekly[s.week] ?? NaN,
      mean: predicted.get(`${s.series}@${s.week}`) ?? NaN,
    }))
    .filter((r) => Number.isFinite(r.count) && Number.isFinite(r.mean));
}

/** The common-factor dispersion of the samples' weeks (`WeeklyRollingInterval.common`), from their `records`. */
function commonFactor(
  task: WeeklyTask,
  fitted: StackedFusion,
  records: readonly OutOfSampleRecord[],
  rule: WeeklyRollingInterval,
): CommonFactorDispersion {
  return new CommonFactorDispersion(records, {
    window: rule.window,
    scaleWindow: rule.common?.scaleWindow ?? null,
    rule: rule.rule,
    center: rule.common?.center ?? false,
    centerWindow: rule.common?.centerWindow ?? null,
    minPeriods: 4,
    minRows: Math.max(1, task.series.length * 2),
    fallback: fitted.dispersionSize,
  });
}

/** Weeks before this one have no 8-week baseline of their own. */
const HOLIDAY_FROM_WEEK = 8;

/**
 * The extra log variance of a holiday week: over the weeks before w (from week 8), the mean squared city
 * log error ln(Σ y / Σ baseline) of the 8-week baseline (never fitted, so out of sample everywhere) on the
 * holiday weeks of w's kind, less the same on the weeks without a holiday; 0 for a week without a holiday,
 * or when fewer than 2 earlier weeks of its kind (then of any holiday) are in the data.
 */
export class HolidayExcess {
  private readonly cityError = new Map<number, number>();
  private readonly cache = new Map<number, number>();

  constructor(
    private readonly task: WeeklyTask,
    private readonly baseline: (s: WeeklySample) => number,
  ) {}

  private errorOf(week: number): number {
    let e = this.cityError.get(week);
    if (e === undefined) {
      let y = 0;
      let b = 0;
      for (const s of weeklySamples(this.task, week, week + 1)) {
        y += this.task.series[s.series]?.weekly[s.week] ?? NaN;
        b += this.baseline(s);
      }
      e = Math.log((y + 0.5) / (b + 0.5));
      this.cityError.set(week, e);
    }
    return e;
  }

  at(week: number): number {
    const cached = this.cache.get(week);
    if (cached !== undefined) return cached;
    const kind = holidayWeek(this.task, week);
    let extra = 0;
    if (kind.winter || kind.other) {
      const same: number[] = [];
      const any: number[] = [];
      const plain: number[] = [];
      for (let w = HOLIDAY_FROM_WEEK; w < week; w++) {
        const k = holidayWeek(this.task, w);
        const e2 = this.errorOf(w) ** 2;
        if (!k.winter && !k.other) plain.push(e2);
        else {
          any.push(e2);
          if ((kind.winter && k.winter) || (!kind.winter && kind.other && k.other && !k.winter))
            same.push(e2);
        }
      }
      const pick = same.length >= 2 ? same : any;
      const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
      if (pick.length >= 2 && plain.length >= 2) extra = Math.max(0, mean(pick) - mean(plain));
    }
    this.cache.set(week, extra);
    return extra;
  }
}

/** The ETS row (as `weeklyEts`), its forecasts kept in the cache for the fusion's stacked inputs. */
export function cachedEts(forecasts: WeeklyForecastCache): WeeklyModel {
  return {
    name: 'ets',
    kind: 'baseline',
    how: 'augurs AutoETS (season 7) on the daily counts before each origin, refitted every week; next week = sum of 7 daily forecasts',
    fit: () => Promise.resolve(),
    predict: (_task, samples) => Promise.resolve(samples.map((s) => ({ count: forecasts.etsOf(s) }))),
  };
}

/** The Prophet row (as `weeklyProphet`), its forecasts kept in the cache for the fusion's stacked inputs. */
export function cachedProphet(forecasts: WeeklyForecastCache): WeeklyModel {
  return {
    name: 'prophet',
    kind: 'branch',
    how: 'augurs Prophet on the weekly counts before each origin, refitted every week (yearly seasonality from 1 year of history); its own 80% interval',
    fit: () => Promise.resolve(),
    predict: (_task, samples) =>
      Promise.resolve(
        samples.map((s) => {
          const f = forecasts.prophetOf(s);
          return { count: f.point, interval: [f.lower, f.upper] as const };
        }),
      ),
  };
}
