/**
 * The crime-statistics feature vector (the random forest's input and the first 128 inputs of the fusion
 * network): every feature's name, position and meaning, defined here and nowhere else.
 *
 * Windows. Time is cut into local hour buckets by an `HourClock`. Let `h` be the bucket holding
 * the instant `asOf` (the current, partial hour) and `f = (asOf - start of h) / 1 hour`, the elapsed
 * fraction of it. An N-hour window is buckets `[h - N + 1, h + 1)`: the current hour so far and the
 * N - 1 whole hours before it; 1h = 1, 24h = 24, 7d = 168, 28d = 672, 365d = 8,760 buckets.
 * - Previous 7 days: `[h - 335, h - 167)`; previous 28 days: `[h - 1343, h - 671)`.
 * - Year to date: `[Jan1(Y), h + 1)`, where `Y` is the local year of bucket `h` and `Jan1(Y)` the
 *   bucket starting at local midnight of 1 January of `Y`; last year's span is the same number of
 *   buckets starting at `Jan1(Y - 1)`, but never past `Jan1(Y)` (a leap year is a day longer).
 * - Hour-of-week baseline, with K = 8 weeks: observed = the count in bucket `h`; expected =
 *   (1/K) * sum over k = 1..K of f * count(h - 168k), the same hour of the week before scaled to the
 *   elapsed part of the current hour.
 * - Day baseline: observed = the 24h count; expected = (1/K) * sum over k = 1..K of
 *   (count of `[h - 168k - 23, h - 168k)` + f * count(h - 168k)).
 * - A baseline's tail probability is P(X >= observed) for X ~ Poisson(expected), and its surprise
 *   `-log10(max(p, 1e-12))`, between 0 and 12.
 * - Rates are per 100,000 people of the district's census population, 0 in the vector (null in the
 *   readable result) when the population is unknown.
 *
 * Counts are events of one category; `incidents` sums the seven incident categories (every category but
 * `road_accident`); killed and injured are the casualties carried by road accident events.
 */
import { CATEGORIES, type Category } from '@district-monitor/streams';

/** Buckets in each counting window, ending with the current bucket. */
export const WINDOW_HOURS = { '1h': 1, '24h': 24, '7d': 168, '28d': 672, '365d': 8760 } as const;

/** Weeks averaged by the hour-of-week and day baselines. */
export const BASELINE_WEEKS = 8;

/** `recency.hours_since_last_event` searches back this many buckets, and is this value when it finds none. */
export const RECENCY_LIMIT_HOURS = 8760;

/** Local hours of day counted as night by `mix.night_share_28d`: 22:00 to 05:59. */
export const NIGHT_HOURS: readonly number[] = [22, 23, 0, 1, 2, 3, 4, 5];

export interface CrimeFeature {
  /** Dotted name, `block.feature`. */
  readonly name: string;
  /** One sentence from which the value can be recomputed from raw events. */
  readonly meaning: string;
}

const W = '(see the windows in this module)';

function categoryBlock(category: Category): CrimeFeature[] {
  const count = (window: string, buckets: string): CrimeFeature => ({
    name: `${category}.count_${window}`,
    meaning: `Number of ${category} events in buckets ${buckets}.`,
  });
  return [
    count('1h', '[h, h+1), the current hour so far'),
    count('24h', '[h-23, h+1)'),
    count('7d', '[h-167, h+1)'),
    count('28d', '[h-671, h+1)'),
    count('365d', '[h-8759, h+1)'),
    {
      name: `${category}.rate_28d`,
      meaning: `${category}.count_28d x 100,000 / district population, 0 when the population is unknown.`,
    },
    {
      name: `${category}.rate_365d`,
      meaning: `${category}.count_365d x 100,000 / district population, 0 when the population is unknown.`,
    },
    {
      name: `${category}.change_wow`,
      meaning: `ln((${category}.count_7d + 1) / (number of ${category} events in buckets [h-335, h-167) + 1)).`,
    },
    {
      name: `${category}.change_28d`,
      meaning: `ln((${category}.count_28d + 1) / (number of ${category} events in buckets [h-1343, h-671) + 1)).`,
    },
    {
      name: `${category}.change_ytd`,
      meaning:
        `ln((ytd + 1) / (last_ytd + 1)), where ytd is the number of ${category} events in buckets ` +
        `[Jan1(Y), h+1) and last_ytd the number in as many buckets from Jan1(Y-1), at most up to Jan1(Y) ${W}.`,
    },
    {
      name: `${category}.surprise_hour`,
      meaning:
        `-log10(max(P(X >= o), 1e-12)) for X ~ Poisson(e), where o is the number of ${category} events ` +
        `in bucket h and e = f x (sum over k = 1..8 of the number in bucket h-168k) / 8 ${W}.`,
    },
    {
      name: `${category}.surprise_24h`,
      meaning:
        `-log10(max(P(X >= o), 1e-12)) for X ~ Poisson(e), where o = ${category}.count_24h and ` +
        `e = (sum over k = 1..8 of (number of ${category} events in buckets [h-168k-23, h-168k) + ` +
        `f x number in bucket h-168k)) / 8 ${W}.`,
    },
  ];
}

const INCIDENTS = 'incident events (all seven categories except road_accident)';

function accidentPair(window: string, buckets: string): CrimeFeature[] {
  return ['killed', 'injured'].map((casualty) => ({
    name: `accidents.${casualty}_${window}`,
    meaning: `Number of people ${casualty} in road_accident events in buckets ${buckets}.`,
  }));
}

function perAccident(window: string): CrimeFeature[] {
  return ['killed', 'injured'].map((casualty) => ({
    name: `accidents.${casualty}_per_accident_${window}`,
    meaning:
      `accidents.${casualty}_${window} / road_accident.count_${window}, 0 when there was no road ` +
      `accident in the window.`,
  }));
}

function crimeShare(category: Category, name: string): CrimeFeature {
  return {
    name: `mix.${name}_share_365d`,
    meaning:
      `${category}.count_365d / (sum of crime_body, crime_property, crime_women and crime_children ` +
      `count_365d), 0 when that sum is 0.`,
  };
}

/** The 128 crime-statistics features, in vector order. */
export const CRIME_FEATURES: readonly CrimeFeature[] = Object.freeze([
  // 8 category blocks of 12, in CATEGORIES order.
  ...CATEGORIES.flatMap(categoryBlock),
  {
    name: 'incidents.count_24h',
    meaning: `Number of ${INCIDENTS} in buckets [h-23, h+1).`,
  },
  {
    name: 'incidents.count_28d',
    meaning: `Number of ${INCIDENTS} in buckets [h-671, h+1).`,
  },
  {
    name: 'incidents.count_365d',
    meaning: `Number of ${INCIDENTS} in buckets [h-8759, h+1).`,
  },
  {
    name: 'incidents.rate_365d',
    meaning: 'incidents.count_365d x 100,000 / district population, 0 when the population is unknown.',
  },
  {
    name: 'incidents.change_28d',
    meaning: `ln((incidents.count_28d + 1) / (number of ${INCIDENTS} in buckets [h-1343, h-671) + 1)).`,
  },
  {
    name: 'incidents.surprise_24h',
    meaning:
      `-log10(max(P(X >= o), 1e-12)) for X ~ Poisson(e), where o = incidents.count_24h and e = (sum over ` +
      `k = 1..8 of (number of ${INCIDENTS} in buckets [h-168k-23, h-168k) + f x number in bucket h-168k)) / 8 ${W}.`,
  },
  ...accidentPair('24h', '[h-23, h+1)'),
  ...accidentPair('28d', '[h-671, h+1)'),
  ...accidentPair('365d', '[h-8759, h+1)'),
  ...perAccident('28d'),
  ...perAccident('365d'),
  {
    name: 'accidents.killed_rate_365d',
    meaning: 'accidents.killed_365d x 100,000 / district population, 0 when the population is unknown.',
  },
  {
    name: 'accidents.injured_rate_365d',
    meaning: 'accidents.injured_365d x 100,000 / district population, 0 when the population is unknown.',
  },
  {
    name: 'population.log10',
    meaning: 'log10 of the district population (census 2011 or apportioned), 0 when unknown.',
  },
  {
    name: 'population.density_log10',
    meaning:
      'log10 of district population / district area in km², 0 when the population or the area is unknown.',
  },
  {
    name: 'population.share_of_region',
    meaning: "District population / the sum of the region's district populations, 0 when either is unknown.",
  },
  {
    name: 'socio.literacy_rate',
    meaning: 'Literate people / population (census 2011), 0-1, 0 when unknown.',
  },
  {
    name: 'socio.sex_ratio',
    meaning: 'Females per male: the census sex ratio (females per 1,000 males) / 1,000, 0 when unknown.',
  },
  {
    name: 'socio.urban_share',
    meaning: 'Urban population / population (census 2011), 0-1, 0 when unknown.',
  },
  crimeShare('crime_women', 'women'),
  crimeShare('crime_property', 'property'),
  crimeShare('crime_body', 'body'),
  crimeShare('crime_children', 'children'),
  {
    name: 'mix.accidents_per_incident_365d',
    meaning: 'road_accident.count_365d / incidents.count_365d, 0 when incidents.count_365d is 0.',
  },
  {
    name: 'mix.night_share_28d',
    meaning:
      'Events of all eight categories in buckets [h-671, h+1) whose local start hour is 22, 23 or 0-5, ' +
      'divided by all events of all categories in those buckets, 0 when there are none.',
  },
  {
    name: 'mix.weekend_share_28d',
    meaning:
      'Events of all eight categories in buckets [h-671, h+1) whose local start falls on a Saturday or ' +
      'Sunday, divided by all events of all categories in those buckets, 0 when there are none.',
  },
  {
    name: 'recency.hours_since_last_event',
    meaning:
      'h minus the latest bucket in [h-8759, h] holding an event of any category, 8760 when there is none.',
  },
]);

/** {@link CRIME_FEATURES} names, in vector order. */
export const CRIME_FEATURE_NAMES: readonly string[] = Object.freeze(
  CRIME_FEATURES.map((feature) => feature.name),
);
