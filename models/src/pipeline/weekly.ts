import type { RegionUnit } from '@district-monitor/streams';
import { CRIME_FEATURE_NAMES } from '../features/catalog.js';
import type { HourlyCounts } from '../features/counts.js';
import { computeDistrictFeatures } from '../features/district-features.js';
import type { HourClock } from '../features/hour-clock.js';
import type { HolidayTable } from '../forecast/holidays.js';
import { ProphetForecaster } from '../forecast/prophet.js';
import type { AugursRuntime } from '../forecast/runtime.js';
import type { SeriesForecast } from '../forecast/forecast.js';
import { DAY_MS } from '../forecast/series.js';
import {
  TREND_GROUPS,
  groupSeries,
  observationsFromHourlyCounts,
  trendVector,
  type TrendGroup,
} from '../forecast/trend-vector.js';
import { ModelInputError } from '../errors.js';
import { PROFILE_INPUTS, type ProfileInput } from '../profiles/inputs.js';
import { ProfileModel } from '../profiles/model.js';
import { incidentsBetween } from './calendar.js';

/**
 * The weekly pipeline shared by the live models and the T2 evaluation: at an origin (a local midnight),
 * each district gets three branch vectors computed only from events before the origin, and the target is
 * its incidents over the next 7 local days.
 * - crime statistics (128): `computeDistrictFeatures` at origin - 1 ms (so the current hour bucket is the
 *   last complete hour before the origin);
 * - trend (64): `trendVector` from the district's Prophet forecasts (one per trend group, daily steps)
 *   fitted at the latest refit instant at or before the origin on the days before that instant;
 * - profile (32): `profileVector` of the k-means model fitted at that refit instant on every district's
 *   profile inputs there (labels carried over from the previous refit).
 */
export interface PipelineDistrict {
  readonly unit: RegionUnit;
  readonly counts: HourlyCounts;
}

export interface PipelineContext {
  readonly clock: HourClock;
  readonly districts: readonly PipelineDistrict[];
  readonly augurs: AugursRuntime;
  /** Sum of the district populations, null when unknown. */
  readonly regionPopulation: number | null;
  /** Local holidays for the forecaster (e.g. `TAMIL_NADU_HOLIDAYS`). */
  readonly holidays: readonly HolidayTable[];
  readonly seed: number;
  /** The first instant the counts cover: forecasts never read before it. */
  readonly dataStart: number;
  /** Days of history each forecast is fitted on at most, ending at the refit instant (default 730). */
  readonly historyDays?: number;
}

/** What the branches know at one refit instant. */
export interface BranchState {
  /** The refit instant: everything in this state was computed from events before it. */
  readonly at: number;
  /** Per district (index of `districts`), per trend group: its forecast, absent for a group with no events. */
  readonly forecasts: readonly Partial<Record<TrendGroup, SeriesForecast>>[];
  readonly profiles: ProfileModel;
}

/** The live profile inputs use rates per 100,000; a region without populations clusters on counts instead. */
export function profileInputsFor(districts: readonly PipelineDistrict[]): readonly ProfileInput[] {
  if (districts.every((d) => d.unit.population !== undefined)) return PROFILE_INPUTS;
  return PROFILE_INPUTS.map((input) => ({
    ...input,
    name: input.name.replace(/\.rate_365d$/, '.count_365d'),
  }));
}

/** The profile input columns of a crime-statistics vector. */
export function profileRow(inputs: readonly ProfileInput[], crime: readonly number[]): number[] {
  return inputs.map((input) => {
    const j = CRIME_FEATURE_NAMES.indexOf(input.name);
    if (j < 0) throw new ModelInputError(`profile input ${input.name} is not a crime-statistics feature`);
    return crime[j] ?? NaN;
  });
}

/** The 128 features of a district at `asOf`. */
export function crimeAt(context: PipelineContext, district: PipelineDistrict, asOf: number): number[] {
  return computeDistrictFeatures({
    counts: district.counts,
    clock: context.clock,
    asOf,
    unit: district.unit,
    regionPopulation: context.regionPopulation,
  }).vector;
}

/** Forecasts and profiles from the events before `at` (a local midnight). */
export function fitBranchState(
  context: PipelineContext,
  at: number,
  previous: BranchState | null,
  forecastHorizonDays = 35,
): BranchState {
  const forecaster = new ProphetForecaster(context.augurs, {
    seed: context.seed,
    horizonDays: forecastHorizonDays,
    holidays: context.holidays,
    timeZone: context.clock.timeZone,
  });
  const from = Math.max(context.dataStart, at - (context.historyDays ?? 730) * DAY_MS);
  const forecasts = context.districts.map((district) => {
    const observations = observationsFromHourlyCounts(district.counts, context.clock);
    const byGroup: Partial<Record<TrendGroup, SeriesForecast>> = {};
    for (const group of TREND_GROUPS) {
      const series = trimLeadingZeros(
        groupSeries(observations, group, firstMidnight(context, from), at, DAY_MS),
      );
      if (series === null) continue;
      byGroup[group] = forecaster.forecast(series, `${district.unit.code}/${group}`);
    }
    return byGroup;
  });
  const inputs = profileInputsFor(context.districts);
  const rows = context.districts.map((district) => profileRow(inputs, crimeAt(context, district, at - 1)));
  const profiles = ProfileModel.fit(rows, {
    inputs,
    seed: context.seed,
    ids: context.districts.map((d) => d.unit.code),
    previous: previous?.profiles ?? null,
  });
  return { at, forecasts, profiles };
}

/** The three branch vectors of district `index` at `origin`, from the state fitted at or before it. */
export function branchVectors(
  context: PipelineContext,
  state: BranchState,
  index: number,
  origin: number,
  crime?: readonly number[],
): { crime: number[]; trend: number[]; profile: number[]; baseline: number } {
  const district = context.districts[index];
  if (district === undefined) throw new ModelInputError(`no district ${index}`);
  if (state.at > origin)
    throw new ModelInputError('a branch state fitted after the origin would leak the future');
  const crimeVector = crime === undefined ? crimeAt(context, district, origin - 1) : [...crime];
  const trend = Array.from(
    trendVector({
      asOfMs: origin,
      forecasts: state.forecasts[index] ?? {},
      observations: observationsFromHourlyCounts(district.counts, context.clock),
    }).values,
  );
  const profile = state.profiles.vectors([profileRow(state.profiles.inputs, crimeVector)])[0] ?? [];
  return { crime: crimeVector, trend, profile, baseline: recentWeeklyMean(crimeVector) };
}

const INCIDENTS_28D = CRIME_FEATURE_NAMES.indexOf('incidents.count_28d');

/** The 4-week mean of incidents, from the crime vector (the fusion's count baseline); at least 0.25. */
export function recentWeeklyMean(crime: readonly number[]): number {
  return Math.max(0.25, (crime[INCIDENTS_28D] ?? 0) / 4);
}

/** Incidents of district `index` in the 7 local days from `origin` (a local midnight). */
export function weekAhead(context: PipelineContext, index: number, origin: number): number {
  const district = context.districts[index];
  if (district === undefined) throw new ModelInputError(`no district ${index}`);
  const from = context.clock.hourOf(origin);
  let to = from;
  // Seven local days: count midnights, so a DST week is 167 or 169 hours.
  for (let days = 0; days < 7;) {
    to++;
    if (context.clock.localParts(to).hourOfDay === 0) days++;
  }
  return incidentsBetween(district.counts, from, to);
}

/** The first local midnight at or after `ms`. */
function firstMidnight(context: PipelineContext, ms: number): number {
  let hour = context.clock.hourOf(ms);
  if (context.clock.startOf(hour) < ms) hour++;
  while (context.clock.localParts(hour).hourOfDay !== 0) hour++;
  return context.clock.startOf(hour);
}

/** A series without the empty days before its first event (a forecaster fits what it saw); null when empty. */
function trimLeadingZeros<T extends { timestamps: readonly number[]; values: readonly number[] }>(
  series: T,
): T | null {
  const first = series.values.findIndex((v) => v > 0);
  if (first < 0 || series.values.length - first < 14) return null;
  return { ...series, timestamps: series.timestamps.slice(first), values: series.values.slice(first) };
}
