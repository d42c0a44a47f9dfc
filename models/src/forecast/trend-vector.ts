/**
 * The 64-feature TREND vector (the fusion network's inputs 129-192): for each of four category groups, 16
 * features computed from the group's stored forecast (a {@link SeriesForecast}) and its observed counts, at
 * an instant `asOf`, using only observations strictly before `asOf`.
 *
 * Grid and windows. Let `D` be the forecast's step (an hour or a day), `c` the start of the step of the
 * forecast's grid that holds `asOf` (so `c <= asOf < c + D`; the grid is the forecast's steps, extended both
 * ways), and for a window `[a, b)` sum over the steps that start in it:
 * - `P[a, b)`: the stored point forecast (the in-sample fit for steps before the end of training),
 *   `U`/`L`: the upper and lower bounds (80% by default);
 * - `O[a, b)`: observed counts, always with `b <= c` (complete steps before `asOf`; the step in progress is
 *   forecast, not observed).
 * Forward windows start at `c`: `[c, c + 24h)`, `[c, c + 7d)`, `[c, c + 28d)`; backward windows end at `c`.
 * A forecast is used past its end by repeating its last stored week (weekly shape kept); `stale_days` says
 * how old it is. A forecast trained on data at or after `asOf` is refused (that would be leakage).
 * `ln` is the natural logarithm; every ratio adds 1 to numerator and denominator so that empty windows
 * give 0 rather than infinities. A group without a forecast has 0 for every feature but `stale_days` = 365.
 */
import { INCIDENT_CATEGORIES, type Category } from '@district-monitor/streams';
import { ModelInputError } from '../errors.js';
import type { HourClock } from '../features/hour-clock.js';
import type { HourlyCounts } from '../features/counts.js';
import type { ForecastSet, SeriesForecast } from './forecast.js';
import { DAY_MS, inverseTransform, type RegularSeries } from './series.js';

/** Category groups of the trend vector, in vector order. */
export const TREND_GROUPS = ['incidents', 'violent', 'property', 'road'] as const;
export type TrendGroup = (typeof TREND_GROUPS)[number];

/**
 * The categories each group sums: every incident category (all but road accidents, as `incidents` in the
 * crime-statistics vector), crimes against the body, women and children, crimes against property, and road
 * accidents: the prototype's crime and road-accident modalities, with violence apart from property.
 */
export const TREND_GROUP_CATEGORIES: Readonly<Record<TrendGroup, readonly Category[]>> = Object.freeze({
  incidents: INCIDENT_CATEGORIES,
  violent: ['crime_body', 'crime_women', 'crime_children'],
  property: ['crime_property'],
  road: ['road_accident'],
});

export interface TrendFeature {
  /** Dotted name, `trend.group.feature`. */
  readonly name: string;
  /** One sentence from which the value can be recomputed (windows and symbols in this module's comment). */
  readonly meaning: string;
}

/** `stale_days` of a group without a forecast, and the cap of every other. */
export const STALE_DAYS_CAP = 365;
/** Floor of the daily residual scale in `residual_z_1d`, counts per day. */
export const RESIDUAL_SD_FLOOR = 0.5;
/** `residual_z_1d` is clipped to +- this. */
export const Z_CLIP = 10;

const FEATURES_PER_GROUP: readonly { readonly suffix: string; readonly meaning: string }[] = [
  { suffix: 'fc_24h', meaning: 'P[c, c+24h): forecast count for the next 24 hours.' },
  { suffix: 'fc_7d', meaning: 'P[c, c+7d): forecast count for the next 7 days.' },
  { suffix: 'fc_28d', meaning: 'P[c, c+28d): forecast count for the next 28 days.' },
  {
    suffix: 'fc_24h_vs_obs_7d',
    meaning:
      'ln((P[c, c+24h) + 1) / (O[c-7d, c) / 7 + 1)): next day against the mean observed day of the last week.',
  },
  {
    suffix: 'fc_7d_vs_obs_7d',
    meaning: 'ln((P[c, c+7d) + 1) / (O[c-7d, c) + 1)): next week against the last week.',
  },
  {
    suffix: 'fc_28d_vs_obs_28d',
    meaning: 'ln((P[c, c+28d) + 1) / (O[c-28d, c) + 1)): next 28 days against the last 28.',
  },
  {
    suffix: 'interval_rel_7d',
    meaning:
      '(U[c, c+7d) - L[c, c+7d)) / (P[c, c+7d) + 1): summed interval width over the next week, relative to the forecast.',
  },
  {
    suffix: 'slope_rel_week',
    meaning:
      '(P[c+21d, c+28d) - P[c, c+7d)) / (21 * (P[c, c+7d) / 7 + 1)): forecast change per day over three weeks, per forecast day of next week.',
  },
  {
    suffix: 'weekly_amplitude',
    meaning: '(max - min of the 7 daily forecasts P[c+k*1d, c+(k+1)*1d), k = 0..6) / (P[c, c+7d) / 7 + 1).',
  },
  {
    suffix: 'daily_amplitude',
    meaning:
      'For sub-daily steps, (max - min over the steps j of a day of the mean of P at c + k*1d + j*D, k = 0..6) * steps per day / (P[c, c+7d) / 7 + 1); 0 for daily steps.',
  },
  {
    suffix: 'yearly_amplitude',
    meaning:
      'With a yearly component (trendEnd, min, max) stored, (inv(trendEnd + max) - inv(trendEnd + min)) * steps per day / (P[c, c+7d) / 7 + 1), inv the inverse of the fit transform; 0 without one.',
  },
  {
    suffix: 'residual_z_1d',
    meaning: `(O[c-24h, c) - P[c-24h, c)) / max(residualSdDay, ${RESIDUAL_SD_FLOOR}), clipped to +-${Z_CLIP}: how surprising the last day was.`,
  },
  { suffix: 'above_upper_share_7d', meaning: 'Share of the steps s in [c-7d, c) with O[s, s+D) > U at s.' },
  { suffix: 'below_lower_share_7d', meaning: 'Share of the steps s in [c-7d, c) with O[s, s+D) < L at s.' },
  {
    suffix: 'obs_vs_pred_7d',
    meaning: 'ln((O[c-7d, c) + 1) / (P[c-7d, c) + 1)): last week observed against what the model expected.',
  },
  {
    suffix: 'stale_days',
    meaning: `min(${STALE_DAYS_CAP}, (c - end of training) / 1 day): age of the forecast; ${STALE_DAYS_CAP} when the group has none.`,
  },
];

export const TREND_FEATURES: readonly TrendFeature[] = Object.freeze(
  TREND_GROUPS.flatMap((group) =>
    FEATURES_PER_GROUP.map((f) => ({
      name: `trend.${group}.${f.suffix}`,
      meaning: `${group} (${TREND_GROUP_CATEGORIES[group].join(' + ')}): ${f.meaning}`,
    })),
  ),
);

export const TREND_FEATURE_NAMES: readonly string[] = Object.freeze(TREND_FEATURES.map((f) => f.name));

/** Observed counts of a district's groups. */
export interface TrendObservations {
  /** Events of the group's categories that occurred in `[fromMs, toMs)`. */
  count(group: TrendGroup, fromMs: number, toMs: number): number;
}

/**
 * Observations read from the hourly counts the backend keeps. Instants are cut at the clock's hour buckets
 * (bucket of `fromMs` to bucket of `toMs`, exclusive), exact when the forecast's steps are whole local hours.
 */
export function observationsFromHourlyCounts(counts: HourlyCounts, clock: HourClock): TrendObservations {
  return {
    count(group, fromMs, toMs) {
      const from = clock.hourOf(fromMs);
      const to = clock.hourOf(toMs);
      let total = 0;
      for (const category of TREND_GROUP_CATEGORIES[group]) total += counts.sum(category, 'events', from, to);
      return total;
    },
  };
}

/** Observations from one regular series per group: the sum of the steps that start in `[fromMs, toMs)`. */
export function observationsFromSeries(
  series: Partial<Record<TrendGroup, RegularSeries>>,
): TrendObservations {
  return {
    count(group, fromMs, toMs) {
      const s = series[group];
      if (s === undefined) return 0;
      let total = 0;
      // Timestamps are sorted: binary search the first step at or after fromMs.
      let lo = 0;
      let hi = s.timestamps.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((s.timestamps[mid] as number) < fromMs) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < s.timestamps.length && (s.timestamps[i] as number) < toMs; i++)
        total += s.values[i] as number;
      return total;
    },
  };
}

/**
 * A group's counts as a regular series for fitting: steps `[fromMs + i * stepMs, ... + stepMs)` up to
 * `toMs` (exclusive; the last step must end by then). For daily steps start `fromMs` at a local midnight.
 */
export function groupSeries(
  observations: TrendObservations,
  group: TrendGroup,
  fromMs: number,
  toMs: number,
  stepMs: number,
): RegularSeries {
  if (!(stepMs > 0) || !Number.isSafeInteger(stepMs))
    throw new ModelInputError(`step must be a positive integer, got ${stepMs}`);
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let t = fromMs; t + stepMs <= toMs; t += stepMs) {
    timestamps.push(t);
    values.push(observations.count(group, t, t + stepMs));
  }
  return { timestamps, values };
}

/** Key of a district's group series in a {@link ForecastSet}: `${district}/${group}`. */
export function trendSeriesKey(district: string, group: TrendGroup): string {
  return `${district}/${group}`;
}

/** The forecasts of one district's groups found in a set (keys from {@link trendSeriesKey}). */
export function districtForecasts(
  set: ForecastSet,
  district: string,
): Partial<Record<TrendGroup, SeriesForecast>> {
  const out: Partial<Record<TrendGroup, SeriesForecast>> = {};
  for (const group of TREND_GROUPS) {
    const forecast = set.get(trendSeriesKey(district, group));
    if (forecast !== undefined) out[group] = forecast;
  }
  return out;
}

export interface TrendVectorInput {
  /** The instant scored; only observations before it are read. */
  readonly asOfMs: number;
  /** The stored forecast of each group (trained on data before `asOfMs`). */
  readonly forecasts: Partial<Record<TrendGroup, SeriesForecast>>;
  readonly observations: TrendObservations;
}

export interface TrendVector {
  readonly asOfMs: number;
  /** {@link TREND_FEATURE_NAMES}, in order. */
  readonly names: readonly string[];
  /** 64 values, finite. */
  readonly values: Float64Array;
}

/**
 * Computes the 64 trend features (see {@link TREND_FEATURES}).
 * @throws ModelInputError when `asOfMs` is not finite or a forecast was trained on data at or after it.
 */
export function trendVector(input: TrendVectorInput): TrendVector {
  if (!Number.isFinite(input.asOfMs)) throw new ModelInputError(`asOf is not a time: ${input.asOfMs}`);
  const values = new Float64Array(TREND_FEATURES.length);
  TREND_GROUPS.forEach((group, g) => {
    const block = groupFeatures(group, input.forecasts[group], input.observations, input.asOfMs);
    values.set(block, g * FEATURES_PER_GROUP.length);
  });
  return { asOfMs: input.asOfMs, names: TREND_FEATURE_NAMES, values };
}

function groupFeatures(
  group: TrendGroup,
  forecast: SeriesForecast | undefined,
  observations: TrendObservations,
  asOf: number,
): number[] {
  if (forecast === undefined) {
    const empty = FEATURES_PER_GROUP.map(() => 0);
    empty[empty.length - 1] = STALE_DAYS_CAP;
    return empty;
  }
  if (forecast.forecastStartMs > asOf) {
    throw new ModelInputError(
      `the ${group} forecast ${forecast.key} was trained on data up to ${new Date(forecast.forecastStartMs).toISOString()}, ` +
        `after asOf ${new Date(asOf).toISOString()}: that would be leakage`,
    );
  }
  const step = forecast.stepMs;
  const c = forecast.stepStart(asOf);
  const perDay = DAY_MS / step;
  const sum = (field: 'point' | 'lower' | 'upper', from: number, to: number): number => {
    let total = 0;
    for (let t = forecast.stepStart(from); t < to; t += step) {
      if (t < from) continue;
      const at = forecast.at(t);
      if (at !== undefined) total += at[field];
    }
    return total;
  };
  const observed = (from: number, to: number): number => observations.count(group, from, to);

  const fc24h = sum('point', c, c + DAY_MS);
  const fc7d = sum('point', c, c + 7 * DAY_MS);
  const fc28d = sum('point', c, c + 28 * DAY_MS);
  const obs7d = observed(c - 7 * DAY_MS, c);
  const obs28d = observed(c - 28 * DAY_MS, c);
  const levelPerDay = fc7d / 7 + 1;
  const width7d = sum('upper', c, c + 7 * DAY_MS) - sum('lower', c, c + 7 * DAY_MS);
  const last7 = sum('point', c + 21 * DAY_MS, c + 28 * DAY_MS);
  const days: number[] = [];
  for (let k = 0; k < 7; k++) days.push(sum('point', c + k * DAY_MS, c + (k + 1) * DAY_MS));
  const weeklyAmplitude = (Math.max(...days) - Math.min(...days)) / levelPerDay;

  let dailyAmplitude = 0;
  if (perDay > 1) {
    const slots = Math.round(perDay);
    const means: number[] = [];
    for (let j = 0; j < slots; j++) {
      let total = 0;
      for (let k = 0; k < 7; k++) total += forecast.at(c + k * DAY_MS + j * step)?.point ?? 0;
      means.push(total / 7);
    }
    dailyAmplitude = ((Math.max(...means) - Math.min(...means)) * perDay) / levelPerDay;
  }
  let yearlyAmplitude = 0;
  if (forecast.yearly !== null) {
    const { trendEnd, min, max } = forecast.yearly;
    const swing =
      inverseTransform(forecast.transform, trendEnd + max) -
      inverseTransform(forecast.transform, trendEnd + min);
    yearlyAmplitude = (swing * perDay) / levelPerDay;
  }

  const lastDay = observed(c - DAY_MS, c) - sum('point', c - DAY_MS, c);
  const z = lastDay / Math.max(forecast.residualSdDay, RESIDUAL_SD_FLOOR);
  let above = 0;
  let below = 0;
  let covered = 0;
  let predicted7d = 0;
  for (let t = c - 7 * DAY_MS; t < c; t += step) {
    const at = forecast.at(t);
    if (at === undefined) continue;
    const o = observed(t, t + step);
    covered++;
    predicted7d += at.point;
    if (o > at.upper) above++;
    if (o < at.lower) below++;
  }
  const stale = Math.min(STALE_DAYS_CAP, Math.max(0, (c - forecast.forecastStartMs) / DAY_MS));
  return [
    fc24h,
    fc7d,
    fc28d,
    Math.log((fc24h + 1) / (obs7d / 7 + 1)),
    Math.log((fc7d + 1) / (obs7d + 1)),
    Math.log((fc28d + 1) / (obs28d + 1)),
    width7d / (fc7d + 1),
    (last7 - fc7d) / (21 * levelPerDay),
    weeklyAmplitude,
    dailyAmplitude,
    yearlyAmplitude,
    Math.max(-Z_CLIP, Math.min(Z_CLIP, z)),
    covered > 0 ? above / covered : 0,
    covered > 0 ? below / covered : 0,
    Math.log((obs7d + 1) / (predicted7d + 1)),
    stale,
  ];
}
