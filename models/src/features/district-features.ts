import {
  CATEGORIES,
  INCIDENT_CATEGORIES,
  type AccidentFeatures,
  type BaselineComparison,
  type Category,
  type CategoryFeatures,
  type CompstatComparison,
  type CountWindow,
  type DistrictFeatures,
  type RateWindow,
  type RegionUnit,
} from '@district-monitor/streams';
import {
  BASELINE_WEEKS,
  CRIME_FEATURE_NAMES,
  NIGHT_HOURS,
  RECENCY_LIMIT_HOURS,
  WINDOW_HOURS,
} from './catalog.js';
import type { HourlyCounts, Measure } from './counts.js';
import { FeatureInputError } from './errors.js';
import type { HourClock } from './hour-clock.js';
import { poissonUpperTail, surprise } from './poisson.js';

// The result's shape is the wire contract (streams/src/features.ts); re-exported for model code.
export type {
  AccidentFeatures,
  BaselineComparison,
  CategoryFeatures,
  CompstatComparison,
  CountWindow,
  DistrictFeatures,
  RateWindow,
};

export interface DistrictFeaturesInput {
  /**
   * The district's hourly counts, bucketed by `clock`. Read from local 1 January of last year (at most
   * 731 days back) to the current hour: an `HourlyCube` of `CUBE_HOURS` ending up to 8 days after the
   * current hour covers that.
   */
  readonly counts: HourlyCounts;
  readonly clock: HourClock;
  /** The instant the features describe, epoch milliseconds; its bucket is the current, partial hour. */
  readonly asOf: number;
  /** The district (not a police unit). */
  readonly unit: RegionUnit;
  /** Sum of the populations of the region's districts; `null` when unknown. */
  readonly regionPopulation: number | null;
}

/** Integer counts read for one category (or summed over the incident categories). */
interface Tallies {
  readonly windows: Record<CountWindow, number>;
  readonly previousWeek: number;
  readonly previousDays28: number;
  readonly yearToDate: number;
  readonly lastYearToDate: number;
  /** Sum over k = 1..K of the count in bucket h - 168k. */
  readonly sameHourPastWeeks: number;
  /** Sum over k = 1..K of the count in buckets [h - 168k - 23, h - 168k). */
  readonly dayBeforeSameHourPastWeeks: number;
}

/** The buckets every window is cut from. */
interface Spans {
  readonly hour: number;
  readonly elapsed: number;
  readonly yearStart: number;
  readonly lastYearStart: number;
}

const COUNT_WINDOWS = ['1h', '24h', '7d', '28d', '365d'] as const satisfies readonly CountWindow[];
const HOUR_MS = 3_600_000;
const WEEK_HOURS = 168;
const PER_PEOPLE = 100_000;
const CRIME_CATEGORIES = ['crime_body', 'crime_property', 'crime_women', 'crime_children'] as const;
const NIGHT = new Set(NIGHT_HOURS);
/** Dates representable by `Date`. */
const MAX_TIME_MS = 8.64e15;

/**
 * The crime-statistics features of one district at the instant `asOf`, read from its hourly counts
 * through {@link HourlyCounts} only, so the result depends on nothing but the counts, the clock and the
 * district. Pure and deterministic.
 *
 * Windows (defined in full, with every vector entry, in `catalog.ts`): with `h = clock.hourOf(asOf)`, an
 * N-hour window is buckets `[h - N + 1, h + 1)` (1h, 24h, 7d = 168, 28d = 672, 365d = 8,760); the
 * previous 7 and 28 days are `[h - 335, h - 167)` and `[h - 1343, h - 671)`; the year to date runs from
 * the bucket of local 1 January and is compared with as many buckets from local 1 January of the year
 * before; the baselines average the same hour, and the same 24 hours, of the last 8 weeks, scaled by
 * the elapsed fraction of hour `h`.
 * @throws FeatureInputError before any computation when an input is invalid (a non-finite `asOf`, a
 * police unit, a non-positive population, a region population smaller than the district's), and when
 * `counts` does not cover the spans read or returns something other than a non-negative integer.
 */
export function computeDistrictFeatures(input: DistrictFeaturesInput): DistrictFeatures {
  const { counts, clock, asOf, unit, regionPopulation } = input;
  validate(input);
  const hour = clock.hourOf(asOf);
  const year = clock.localParts(hour).year;
  const spans: Spans = {
    hour,
    elapsed: (asOf - clock.startOf(hour)) / HOUR_MS,
    yearStart: clock.localYearStartHour(year),
    lastYearStart: clock.localYearStartHour(year - 1),
  };
  const population = unit.population ?? null;

  const tallies = byCategory((category) => readTallies(counts, category, spans));
  const incidentTallies = INCIDENT_CATEGORIES.map((category) => tallies[category]).reduce(addTallies);
  const categories = byCategory((category) => describe(tallies[category], population, spans.elapsed));
  const incidents = describe(incidentTallies, population, spans.elapsed);

  const killed = windowSums(counts, 'road_accident', 'killed', hour);
  const injured = windowSums(counts, 'road_accident', 'injured', hour);
  const accidentCounts = tallies.road_accident.windows;
  const perAccident = (window: '28d' | '365d'): { killed: number; injured: number } => ({
    killed: ratio(killed[window], accidentCounts[window]),
    injured: ratio(injured[window], accidentCounts[window]),
  });
  const accidents: AccidentFeatures = {
    killed: { '24h': killed['24h'], '28d': killed['28d'], '365d': killed['365d'] },
    injured: { '24h': injured['24h'], '28d': injured['28d'], '365d': injured['365d'] },
    perAccident: { '28d': perAccident('28d'), '365d': perAccident('365d') },
  };

  const values = new Map<string, number>();
  for (const category of CATEGORIES) setCategoryBlock(values, category, categories[category]);
  values.set('incidents.count_24h', incidents.counts['24h']);
  values.set('incidents.count_28d', incidents.counts['28d']);
  values.set('incidents.count_365d', incidents.counts['365d']);
  values.set('incidents.rate_365d', incidents.ratePer100k?.['365d'] ?? 0);
  values.set('incidents.change_28d', logChange(incidents.compstat.days28));
  values.set('incidents.surprise_24h', surprise(incidents.baseline.day.tailProbability));
  for (const window of ['24h', '28d', '365d'] as const) {
    values.set(`accidents.killed_${window}`, killed[window]);
    values.set(`accidents.injured_${window}`, injured[window]);
  }
  for (const window of ['28d', '365d'] as const) {
    values.set(`accidents.killed_per_accident_${window}`, accidents.perAccident[window].killed);
    values.set(`accidents.injured_per_accident_${window}`, accidents.perAccident[window].injured);
  }
  values.set('accidents.killed_rate_365d', population === null ? 0 : rate(killed['365d'], population));
  values.set('accidents.injured_rate_365d', population === null ? 0 : rate(injured['365d'], population));

  values.set('population.log10', population === null ? 0 : Math.log10(population));
  values.set(
    'population.density_log10',
    population === null || unit.areaKm2 === undefined ? 0 : Math.log10(population / unit.areaKm2),
  );
  values.set(
    'population.share_of_region',
    population === null || regionPopulation === null ? 0 : population / regionPopulation,
  );
  values.set('socio.literacy_rate', unit.literacyRate ?? 0);
  values.set('socio.sex_ratio', unit.sexRatio === undefined ? 0 : unit.sexRatio / 1000);
  values.set('socio.urban_share', unit.urbanShare ?? 0);

  const crimeYear = CRIME_CATEGORIES.reduce(
    (total, category) => total + tallies[category].windows['365d'],
    0,
  );
  values.set('mix.women_share_365d', ratio(tallies.crime_women.windows['365d'], crimeYear));
  values.set('mix.property_share_365d', ratio(tallies.crime_property.windows['365d'], crimeYear));
  values.set('mix.body_share_365d', ratio(tallies.crime_body.windows['365d'], crimeYear));
  values.set('mix.children_share_365d', ratio(tallies.crime_children.windows['365d'], crimeYear));
  values.set(
    'mix.accidents_per_incident_365d',
    ratio(accidentCounts['365d'], incidentTallies.windows['365d']),
  );
  const all28d = CATEGORIES.reduce((total, category) => total + tallies[category].windows['28d'], 0);
  const { night, weekend } = nightAndWeekendEvents(counts, clock, hour);
  values.set('mix.night_share_28d', ratio(night, all28d));
  values.set('mix.weekend_share_28d', ratio(weekend, all28d));
  const lastEvent = lastEventHour(counts, hour);
  values.set('recency.hours_since_last_event', lastEvent === null ? RECENCY_LIMIT_HOURS : hour - lastEvent);

  return {
    district: unit.code,
    asOf: new Date(asOf).toISOString(),
    hour: {
      index: hour,
      start: new Date(clock.startOf(hour)).toISOString(),
      end: new Date(clock.startOf(hour + 1)).toISOString(),
    },
    population,
    categories,
    incidents,
    accidents,
    vector: toVector(values),
  };
}

function validate({ asOf, unit, regionPopulation }: DistrictFeaturesInput): void {
  if (!Number.isFinite(asOf) || Math.abs(asOf) > MAX_TIME_MS) {
    throw new FeatureInputError(`asOf must be a time in epoch milliseconds, got ${asOf}`);
  }
  if (unit.kind !== 'district') {
    throw new FeatureInputError(`features are computed for districts; ${unit.code} is a ${unit.kind}`);
  }
  const positive = (name: string, value: number | null | undefined): void => {
    if (value !== undefined && value !== null && !(Number.isFinite(value) && value > 0)) {
      throw new FeatureInputError(`${unit.code}: ${name} must be a positive number, got ${value}`);
    }
  };
  const share = (name: string, value: number | undefined): void => {
    if (value !== undefined && !(value >= 0 && value <= 1)) {
      throw new FeatureInputError(`${unit.code}: ${name} must be between 0 and 1, got ${value}`);
    }
  };
  positive('population', unit.population);
  positive('areaKm2', unit.areaKm2);
  positive('sexRatio', unit.sexRatio);
  positive('regionPopulation', regionPopulation);
  share('literacyRate', unit.literacyRate);
  share('urbanShare', unit.urbanShare);
  if (unit.population !== undefined && regionPopulation !== null && regionPopulation < unit.population) {
    throw new FeatureInputError(
      `${unit.code}: region population ${regionPopulation} is smaller than the district's ${unit.population}`,
    );
  }
}

/** One count from `counts`, checked: a broken implementation must not turn into a plausible feature. */
function read(counts: HourlyCounts, category: Category, measure: Measure, from: number, to: number): number {
  const value = counts.sum(category, measure, from, to);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new FeatureInputError(
      `HourlyCounts.sum(${category}, ${measure}, ${from}, ${to}) returned ${value}, not a count`,
    );
  }
  return value;
}

/** The latest non-empty bucket of the 365-day window, checked like {@link read}. */
function lastEventHour(counts: HourlyCounts, hour: number): number | null {
  const notBefore = hour - RECENCY_LIMIT_HOURS + 1;
  const last = counts.lastEventHour(hour, notBefore);
  if (last !== null && !(Number.isSafeInteger(last) && last >= notBefore && last <= hour)) {
    throw new FeatureInputError(`HourlyCounts.lastEventHour(${hour}, ${notBefore}) returned ${last}`);
  }
  return last;
}

/** Counts over the nested windows ending with bucket `hour`, each read once from disjoint pieces. */
function windowSums(
  counts: HourlyCounts,
  category: Category,
  measure: Measure,
  hour: number,
): Record<CountWindow, number> {
  const end = hour + 1;
  const h1 = read(counts, category, measure, end - WINDOW_HOURS['1h'], end);
  const h24 = h1 + read(counts, category, measure, end - WINDOW_HOURS['24h'], end - WINDOW_HOURS['1h']);
  const d7 = h24 + read(counts, category, measure, end - WINDOW_HOURS['7d'], end - WINDOW_HOURS['24h']);
  const d28 = d7 + read(counts, category, measure, end - WINDOW_HOURS['28d'], end - WINDOW_HOURS['7d']);
  const d365 = d28 + read(counts, category, measure, end - WINDOW_HOURS['365d'], end - WINDOW_HOURS['28d']);
  return { '1h': h1, '24h': h24, '7d': d7, '28d': d28, '365d': d365 };
}

function readTallies(counts: HourlyCounts, category: Category, spans: Spans): Tallies {
  const { hour, yearStart, lastYearStart } = spans;
  const events = (from: number, to: number): number => read(counts, category, 'events', from, to);
  const windows = windowSums(counts, category, 'events', hour);
  const yearLength = hour + 1 - yearStart;
  let sameHourPastWeeks = 0;
  let dayBeforeSameHourPastWeeks = 0;
  for (let k = 1; k <= BASELINE_WEEKS; k++) {
    const past = hour - WEEK_HOURS * k;
    sameHourPastWeeks += events(past, past + 1);
    dayBeforeSameHourPastWeeks += events(past - 23, past);
  }
  return {
    windows,
    previousWeek: events(hour - 335, hour - 167),
    previousDays28: events(hour - 1343, hour - 671),
    yearToDate: events(yearStart, hour + 1),
    // As many buckets from last 1 January, but never past last year's end (a leap year is one day longer).
    lastYearToDate: events(lastYearStart, Math.min(lastYearStart + yearLength, yearStart)),
    sameHourPastWeeks,
    dayBeforeSameHourPastWeeks,
  };
}

function addTallies(a: Tallies, b: Tallies): Tallies {
  const windows = { ...a.windows };
  for (const window of COUNT_WINDOWS) windows[window] += b.windows[window];
  return {
    windows,
    previousWeek: a.previousWeek + b.previousWeek,
    previousDays28: a.previousDays28 + b.previousDays28,
    yearToDate: a.yearToDate + b.yearToDate,
    lastYearToDate: a.lastYearToDate + b.lastYearToDate,
    sameHourPastWeeks: a.sameHourPastWeeks + b.sameHourPastWeeks,
    dayBeforeSameHourPastWeeks: a.dayBeforeSameHourPastWeeks + b.dayBeforeSameHourPastWeeks,
  };
}

function describe(tallies: Tallies, population: number | null, elapsed: number): CategoryFeatures {
  const { windows } = tallies;
  const hourExpected = (elapsed * tallies.sameHourPastWeeks) / BASELINE_WEEKS;
  const dayExpected =
    (tallies.dayBeforeSameHourPastWeeks + elapsed * tallies.sameHourPastWeeks) / BASELINE_WEEKS;
  return {
    counts: { ...windows },
    ratePer100k:
      population === null
        ? null
        : {
            '24h': rate(windows['24h'], population),
            '28d': rate(windows['28d'], population),
            '365d': rate(windows['365d'], population),
          },
    compstat: {
      weekOverWeek: compare(windows['7d'], tallies.previousWeek),
      days28: compare(windows['28d'], tallies.previousDays28),
      yearToDate: compare(tallies.yearToDate, tallies.lastYearToDate),
    },
    baseline: {
      hourOfWeek: baseline(windows['1h'], hourExpected),
      day: baseline(windows['24h'], dayExpected),
    },
  };
}

function setCategoryBlock(values: Map<string, number>, category: Category, features: CategoryFeatures): void {
  const { counts, ratePer100k, compstat, baseline: base } = features;
  values.set(`${category}.count_1h`, counts['1h']);
  values.set(`${category}.count_24h`, counts['24h']);
  values.set(`${category}.count_7d`, counts['7d']);
  values.set(`${category}.count_28d`, counts['28d']);
  values.set(`${category}.count_365d`, counts['365d']);
  values.set(`${category}.rate_28d`, ratePer100k?.['28d'] ?? 0);
  values.set(`${category}.rate_365d`, ratePer100k?.['365d'] ?? 0);
  values.set(`${category}.change_wow`, logChange(compstat.weekOverWeek));
  values.set(`${category}.change_28d`, logChange(compstat.days28));
  values.set(`${category}.change_ytd`, logChange(compstat.yearToDate));
  values.set(`${category}.surprise_hour`, surprise(base.hourOfWeek.tailProbability));
  values.set(`${category}.surprise_24h`, surprise(base.day.tailProbability));
}

/** A run of consecutive buckets `[from, to)` of one time-of-week class. */
interface ClassRun {
  readonly from: number;
  readonly to: number;
  readonly night: boolean;
  readonly weekend: boolean;
}

/** The runs of the last 28-day window cut, per clock: every district asks for the same hour. */
const lastRuns = new WeakMap<HourClock, { readonly hour: number; readonly runs: readonly ClassRun[] }>();

/** The 28-day window ending with bucket `hour`, cut into runs of buckets equally night and weekend. */
function classRuns(clock: HourClock, hour: number): readonly ClassRun[] {
  const cached = lastRuns.get(clock);
  if (cached?.hour === hour) return cached.runs;
  const classOf = (bucket: number): number => {
    const { hourOfDay, dayOfWeek } = clock.localParts(bucket);
    return (NIGHT.has(hourOfDay) ? 1 : 0) + (dayOfWeek === 0 || dayOfWeek === 6 ? 2 : 0);
  };
  const end = hour + 1;
  const runs: ClassRun[] = [];
  let from = end - WINDOW_HOURS['28d'];
  let runClass = classOf(from);
  for (let bucket = from + 1; bucket <= end; bucket++) {
    const bucketClass = bucket < end ? classOf(bucket) : -1;
    if (bucketClass === runClass) continue;
    runs.push({ from, to: bucket, night: (runClass & 1) !== 0, weekend: (runClass & 2) !== 0 });
    from = bucket;
    runClass = bucketClass;
  }
  lastRuns.set(clock, { hour, runs });
  return runs;
}

/**
 * Events of all categories in the night and in the weekend buckets (by their local start) of the 28-day
 * window. Each run of equally classed buckets costs one sum per category; weekday daytime is not read.
 */
function nightAndWeekendEvents(
  counts: HourlyCounts,
  clock: HourClock,
  hour: number,
): { night: number; weekend: number } {
  let night = 0;
  let weekend = 0;
  for (const run of classRuns(clock, hour)) {
    if (!run.night && !run.weekend) continue;
    let events = 0;
    for (const category of CATEGORIES) events += read(counts, category, 'events', run.from, run.to);
    if (run.night) night += events;
    if (run.weekend) weekend += events;
  }
  return { night, weekend };
}

function toVector(values: ReadonlyMap<string, number>): number[] {
  if (values.size !== CRIME_FEATURE_NAMES.length) {
    throw new Error(`computed ${values.size} features, the catalog has ${CRIME_FEATURE_NAMES.length}`);
  }
  return CRIME_FEATURE_NAMES.map((name) => {
    const value = values.get(name);
    if (value === undefined || !Number.isFinite(value)) throw new Error(`feature ${name} is ${value}`);
    return value;
  });
}

function byCategory<T>(value: (category: Category) => T): Record<Category, T> {
  return {
    crime_body: value('crime_body'),
    crime_property: value('crime_property'),
    crime_women: value('crime_women'),
    crime_children: value('crime_children'),
    suicide: value('suicide'),
    harassment: value('harassment'),
    other: value('other'),
    road_accident: value('road_accident'),
  };
}

function compare(current: number, previous: number): CompstatComparison {
  return { current, previous, changePct: previous === 0 ? null : ((current - previous) / previous) * 100 };
}

function baseline(observed: number, expected: number): BaselineComparison {
  return { observed, expected, tailProbability: poissonUpperTail(observed, expected) };
}

function logChange({ current, previous }: CompstatComparison): number {
  return Math.log((current + 1) / (previous + 1));
}

function rate(count: number, population: number): number {
  return (count * PER_PEOPLE) / population;
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}
