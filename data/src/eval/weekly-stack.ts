import {
  EtsForecaster,
  ProphetForecaster,
  StackedFusion,
  tercileProbabilities,
  type AugursRuntime,
  type RegularSeries,
} from '@district-monitor/models';
import { recentMean, type WeeklyForecast, type WeeklyModel, type WeeklySample } from './weekly-eval.js';
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
  readonly interval: 'likelihood' | 'coverage';
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
}

export const WEEKLY_FUSION_DEFAULTS: WeeklyFusionOptions = {
  seed: 1,
  members: 5,
  branches: true,
  stacked: true,
  // The ablations on the validation weeks (docs/fusion.md): a fixed half-and-half blend with the 8-week
  // mean scored best (MASE 0.753, against 0.755 for the networks alone and 0.765 for the chosen-weight blend).
  skip: 0.5,
  interval: 'likelihood',
  baselineWeeks: 8,
  hiddenUnits: [16],
  l2: 1e-3,
  dropout: 0.3,
  // The seasonal ablation (docs/fusion.md, `--set season`): on the summer-2017 validation weeks the
  // last-year inputs and the seasonal baseline together scored best (MASE 0.750 against 0.753, tercile
  // accuracy 0.549 against 0.542); on autumn 2016 (no year before it in the data) they change nothing.
  seasonal: 'both',
};

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

/**
 * T2's stacked fusion (docs/fusion.md): the 224 branch features (pooled over the districts, standardised)
 * plus the stacked inputs, an ensemble over seeds of small networks whose count head is a residual on the
 * mean of the last `baselineWeeks` weeks, and a skip path to that mean chosen on the latest training weeks.
 */
export function weeklyStackedFusion(
  features: WeeklyFeatureCache,
  forecasts: WeeklyForecastCache,
  options: Partial<WeeklyFusionOptions> = {},
  name = 'fusion',
): WeeklyModel {
  const o = { ...WEEKLY_FUSION_DEFAULTS, ...options };
  let model: StackedFusion | undefined;
  const seasonalBaseline = o.seasonal === 'baseline' || o.seasonal === 'both';
  const seasonalInputs = o.seasonal === 'inputs' || o.seasonal === 'both';
  const baseline = (task: WeeklyTask, s: WeeklySample) =>
    Math.max(
      recentMean(task, s, o.baselineWeeks) * (seasonalBaseline ? seasonalFactor(task, s.week) : 1),
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
  const row = (task: WeeklyTask, s: WeeklySample): number[] => {
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
  return {
    name,
    kind: 'fusion',
    how: `stacked fusion: ${o.members} TF.js networks (hidden ${o.hiddenUnits.join('-') || 'none'}, dropout ${o.dropout}, l2 ${o.l2}) on ${o.branches ? 'concat(crime 128, trend 64, profile 32)' : ''}${o.branches && o.stacked ? ' + ' : ''}${o.stacked ? `${WEEKLY_STACKED_INPUTS.length} stacked inputs (last week, 4/8/13/26-week means, ETS and Prophet, as log ratios to the baseline)` : ''}${seasonalInputs ? ` + ${WEEKLY_SEASONAL_INPUTS.length} seasonal inputs (last year's ratios of the target week to the origin's window, holiday flags)` : ''}; count = residual on the ${o.baselineWeeks}-week mean${seasonalBaseline ? " × the city's seasonal factor from last year" : ''}${o.skip === true ? ', blended with it by a weight chosen on the latest 20% of training weeks' : typeof o.skip === 'number' ? `, blended with it at weight ${o.skip}` : ''}${o.interval === 'coverage' ? '; interval size set to cover 80% of the latest 20% of training weeks' : ''}; negative-binomial interval and tercile probabilities`,
    fit: (task, training) => {
      model?.dispose();
      model = StackedFusion.fit(
        {
          rows: training.map((s) => row(task, s)),
          classes: training.map((s) => s.tercile),
          counts: training.map((s) => s.truth),
          times: training.map((s) => s.week),
          baselines: training.map((s) => baseline(task, s)),
          errorScales: training.map((s) => task.series[s.series]?.scale ?? 1),
        },
        {
          seed: o.seed,
          members: o.members,
          skip: o.skip,
          interval: o.interval,
          network: { hiddenUnits: [...o.hiddenUnits], l2: o.l2, dropout: o.dropout },
        },
      );
      return Promise.resolve();
    },
    predict: (task, samples) => {
      if (model === undefined) throw new Error('predict before fit');
      const predictions = model.predict(
        samples.map((s) => row(task, s)),
        samples.map((s) => baseline(task, s)),
      );
      const size = model.dispersionSize;
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
