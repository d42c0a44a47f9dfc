import {
  CATEGORIES,
  INCIDENT_CATEGORIES,
  type Category,
  type IncidentCategory,
  type Severity,
} from './categories.js';
import type { MonitorEvent } from './event.schema.js';
import { FLAT_PROFILE, type RateTable, type TimeProfile } from './rate-table.js';
import { mulberry32 } from './random.js';
import { districtsOf, type Region, type RegionUnit } from './region.js';

/** The seeded generator the simulator draws from, re-exported for the callers that import it from here. */
export { mulberry32 } from './random.js';

/**
 * The calibrated simulator: incident and accident events for every district of a region, at the yearly
 * rates of a rate table (NCRB and road-accident data), shaped by time-of-day, day-of-week and seasonal
 * profiles, with Poisson noise, a rate multiplier, surges, and real-world dirt (late reports, duplicates,
 * amendments). Pure and deterministic for a seed: it works in simulated time and never reads a clock.
 */
export interface SimulatorOptions {
  readonly region: Region;
  /** Yearly rates; without one, districts are equally likely and categories follow `SIMULATED_CATEGORY_MIX`. */
  readonly rates?: RateTable;
  /** Target mean events per second across the region; sets the multiplier from the table's natural rate. */
  readonly ratePerSecond?: number;
  /** Scales every rate (1 = the table's rates). Ignored when `ratePerSecond` is given. */
  readonly multiplier?: number;
  readonly seed?: number;
  /** Producer name written into `source` and the event ids. */
  readonly source?: string;
  readonly dirt?: Partial<DirtRates>;
  /**
   * Each district's outline, by district code: events are placed inside it. Without one, a district's
   * events lie in a box of 0.2 degrees around its headquarters.
   */
  readonly areas?: ReadonlyMap<string, DistrictArea>;
  /** Persistent accident hot points; `DEFAULT_HOT_POINTS` when absent. */
  readonly hotPoints?: Partial<HotPointOptions>;
}

/** Where a district's events may lie: its outline's bounding box and a point-in-outline test. */
export interface DistrictArea {
  /** [west, south, east, north], degrees. */
  readonly bbox: readonly [number, number, number, number];
  contains(lon: number, lat: number): boolean;
}

/**
 * Accident hot points: a few places per district (a junction, a stretch of highway) where a share of
 * its road accidents happen, so black spots form. They depend only on the district's code and area,
 * never on the run's seed, so they stay where they are across restarts and between backfill and live.
 */
export interface HotPointOptions {
  /** Hot points per district. */
  readonly perDistrict: number;
  /** Share of a district's accidents that happen at one of its hot points (0 to 1). */
  readonly accidentShare: number;
  /** Standard deviation of an accident's distance from its hot point along each axis, in km. */
  readonly spreadKm: number;
}

export const DEFAULT_HOT_POINTS: HotPointOptions = { perDistrict: 3, accidentShare: 0.4, spreadKm: 0.15 };

/** Shares of events that arrive dirty, as real feeds do. */
export interface DirtRates {
  /** Reported long after they happened (mean 36 h late). */
  readonly late: number;
  /** Sent twice with the same id (a producer's retry). */
  readonly duplicate: number;
  /** Corrected later by an event that `amends` them (reclassified, back-dated). */
  readonly amendment: number;
}

/** A temporary multiplication of one district's rate (one category, or all), in simulated time. */
export interface Surge {
  readonly district: string;
  readonly category?: Category;
  readonly factor: number;
  readonly fromMs: number;
  readonly untilMs: number;
}

/** Category shares without a rate table (sum to 1). */
export const SIMULATED_CATEGORY_MIX: Readonly<Record<Category, number>> = {
  crime_property: 0.3,
  crime_body: 0.2,
  road_accident: 0.2,
  crime_women: 0.09,
  harassment: 0.07,
  crime_children: 0.05,
  suicide: 0.05,
  other: 0.04,
};

export interface Simulator {
  /** Events reported in (previous tick, `nowMs`] of simulated time (rates apply to report times); the first call only sets the clock. */
  tick(nowMs: number): MonitorEvent[];
  /** Exactly `count` clean events, reported over the second before `nowMs`, drawn by the rates. */
  burst(count: number, nowMs: number): MonitorEvent[];
  addSurge(surge: Surge): void;
  /** Expected events per year per district, multiplier applied. */
  readonly expectedYearly: ReadonlyMap<string, number>;
  /** The table's own rate across the region, events per second (before the multiplier). */
  readonly naturalRatePerSecond: number;
  readonly multiplier: number;
  /** Each district's accident hot points, heaviest first. */
  readonly hotPoints: ReadonlyMap<string, readonly HotPoint[]>;
}

/** One accident hot point and the share of its district's hot-point accidents it takes. */
export interface HotPoint {
  readonly lat: number;
  readonly lon: number;
  readonly weight: number;
}

const YEAR_MS = 365.25 * 86_400_000;
const HOUR_MS = 3_600_000;
const REPORT_LAG_MS = 30 * 60_000;
const LATE_MEAN_MS = 36 * HOUR_MS;
const AMEND_MEAN_MS = 72 * HOUR_MS;

interface Cell {
  readonly district: RegionUnit;
  readonly category: Category;
  /** Expected events per millisecond before profiles, multiplier and surges. */
  readonly perMs: number;
}

export function createSimulator(options: SimulatorOptions): Simulator {
  const districts = districtsOf(options.region);
  if (districts.length === 0) throw new RangeError(`region ${options.region.code} has no districts`);
  const rates = options.rates ?? uniformRates(districts);
  const cells: Cell[] = [];
  for (const district of districts) {
    for (const category of CATEGORIES) {
      const yearly = rates.yearly[district.code]?.[category] ?? 0;
      if (yearly > 0) cells.push({ district, category, perMs: yearly / YEAR_MS });
    }
  }
  if (cells.length === 0)
    throw new RangeError(`the rate table has no rate for any district of ${options.region.code}`);
  const naturalRatePerSecond = cells.reduce((sum, cell) => sum + cell.perMs, 0) * 1000;
  const multiplier =
    options.ratePerSecond !== undefined
      ? options.ratePerSecond / naturalRatePerSecond
      : (options.multiplier ?? 1);
  if (!(multiplier >= 0) || !Number.isFinite(multiplier)) {
    throw new RangeError(`the rate multiplier must be a finite number >= 0, got ${multiplier}`);
  }
  const dirt: DirtRates = { late: 0, duplicate: 0, amendment: 0, ...options.dirt };
  for (const [name, share] of Object.entries(dirt)) {
    if (!(share >= 0 && share <= 1))
      throw new RangeError(`dirt.${name} must be a share from 0 to 1, got ${share}`);
  }

  const hot: HotPointOptions = { ...DEFAULT_HOT_POINTS, ...options.hotPoints };
  if (!Number.isInteger(hot.perDistrict) || hot.perDistrict < 0 || hot.perDistrict > 100)
    throw new RangeError(
      `hotPoints.perDistrict must be a whole number from 0 to 100, got ${hot.perDistrict}`,
    );
  if (!(hot.accidentShare >= 0 && hot.accidentShare <= 1))
    throw new RangeError(`hotPoints.accidentShare must be a share from 0 to 1, got ${hot.accidentShare}`);
  if (!(hot.spreadKm >= 0) || !Number.isFinite(hot.spreadKm))
    throw new RangeError(`hotPoints.spreadKm must be a distance >= 0, got ${hot.spreadKm}`);
  const places = new Map(districts.map((d) => [d.code, districtPlaces(d, options.areas?.get(d.code), hot)]));
  const hotPoints = new Map([...places].map(([code, place]) => [code, place.hotPoints]));

  const seed = options.seed ?? 1;
  const random = mulberry32(seed);
  // Places draw from their own stream: how many tries an outline takes never shifts the counts, times
  // and ids, so a seed gives the same events on any map.
  const placeRandom = mulberry32(hashCode(`places-${seed}`));
  const source = options.source ?? 'simulator';
  const localTime = localTimeReader(options.region.timeZone);
  const surges: Surge[] = [];
  const pending = new MinHeap<{ at: number; event: MonitorEvent }>((a, b) => a.at - b.at);
  let sequence = 0;
  let lastTick: number | undefined;

  const expectedYearly = new Map<string, number>();
  for (const cell of cells) {
    expectedYearly.set(
      cell.district.code,
      (expectedYearly.get(cell.district.code) ?? 0) + cell.perMs * YEAR_MS * multiplier,
    );
  }

  function surgeFactor(cell: Cell, at: number): number {
    let factor = 1;
    for (const surge of surges) {
      if (surge.district !== cell.district.code || at < surge.fromMs || at >= surge.untilMs) continue;
      if (surge.category === undefined || surge.category === cell.category) factor *= surge.factor;
    }
    return factor;
  }

  function profileFactor(profile: TimeProfile, at: number): number {
    const { hour, weekday, month } = localTime(at);
    return (
      (profile.hourOfDay[hour] ?? 1) * (profile.dayOfWeek[weekday] ?? 1) * (profile.monthOfYear[month] ?? 1)
    );
  }

  function makeEvent(cell: Cell, occurredMs: number, reportedMs: number): MonitorEvent {
    const common = {
      eventId: `${source}-${seed}-${++sequence}`,
      schemaVersion: 1 as const,
      district: cell.district.code,
      occurredAt: new Date(occurredMs).toISOString(),
      reportedAt: new Date(reportedMs).toISOString(),
      location: (places.get(cell.district.code) as DistrictPlaces).locate(
        cell.category === 'road_accident',
        placeRandom,
      ),
      source,
    };
    if (cell.category === 'road_accident') {
      const killed = poisson(rates.killedPerAccident[cell.district.code] ?? 0, random);
      const injured = poisson(rates.injuredPerAccident, random);
      return {
        ...common,
        kind: 'accident',
        category: 'road_accident',
        severity: killed > 0 ? 'critical' : injured > 1 ? 'high' : 'medium',
        killed,
        injured,
        vehicles: 1 + poisson(0.7, random),
      };
    }
    return {
      ...common,
      kind: 'incident',
      category: cell.category,
      severity: severityFor(cell.category, random()),
    };
  }

  /** An event reported at `reportedMs`: it happened earlier by the report lag (long when late). */
  function report(cell: Cell, reportedMs: number): void {
    const late = random() < dirt.late;
    const lag = late ? exponential(LATE_MEAN_MS, random) : random() * REPORT_LAG_MS;
    const event = makeEvent(cell, Math.round(reportedMs - lag), Math.round(reportedMs));
    pending.push({ at: reportedMs, event });
    if (random() < dirt.duplicate) pending.push({ at: reportedMs + random() * 10 * 60_000, event });
    if (random() < dirt.amendment) {
      const amendedAt = Math.round(reportedMs + exponential(AMEND_MEAN_MS, random));
      pending.push({ at: amendedAt, event: amend(event, amendedAt) });
    }
  }

  /** A correction: incidents are reclassified and back-dated by up to six hours; accidents recount casualties. */
  function amend(original: MonitorEvent, reportedMs: number): MonitorEvent {
    const base = {
      ...original,
      eventId: `${original.eventId}-amended`,
      amends: original.eventId,
      reportedAt: new Date(reportedMs).toISOString(),
    };
    if (base.kind === 'accident') return { ...base, killed: base.killed + 1, severity: 'critical' };
    const others = INCIDENT_CATEGORIES.filter((category) => category !== base.category);
    const category = others[Math.floor(random() * others.length)] as IncidentCategory;
    const occurred = Date.parse(base.occurredAt ?? base.reportedAt) - Math.floor(random() * 6 * HOUR_MS);
    return { ...base, category, occurredAt: new Date(occurred).toISOString() };
  }

  function release(nowMs: number): MonitorEvent[] {
    const out: MonitorEvent[] = [];
    for (let next = pending.peek(); next !== undefined && next.at <= nowMs; next = pending.peek()) {
      out.push((pending.pop() as { event: MonitorEvent }).event);
    }
    return out;
  }

  function pickCell(): Cell {
    let u = random() * naturalRatePerSecond;
    for (const cell of cells) if ((u -= cell.perMs * 1000) <= 0) return cell;
    return cells[cells.length - 1] as Cell;
  }

  return {
    expectedYearly,
    naturalRatePerSecond,
    multiplier,
    hotPoints,
    tick(nowMs) {
      const from = lastTick ?? nowMs;
      lastTick = Math.max(from, nowMs);
      // Steps end on hour boundaries so each hour gets its own profile factor and surge state.
      for (let start = from; start < nowMs;) {
        const end = Math.min(nowMs, (Math.floor(start / HOUR_MS) + 1) * HOUR_MS);
        const middle = (start + end) / 2;
        const factors = {
          crime: profileFactor(rates.profiles.crime, middle),
          accident: profileFactor(rates.profiles.accident, middle),
        };
        for (const cell of cells) {
          const profile = cell.category === 'road_accident' ? factors.accident : factors.crime;
          const mean = cell.perMs * (end - start) * profile * multiplier * surgeFactor(cell, middle);
          for (let n = poisson(mean, random); n > 0; n--) report(cell, start + random() * (end - start));
        }
        start = end;
      }
      return release(nowMs);
    },
    burst(count, nowMs) {
      return Array.from({ length: count }, (_, i) => {
        const reported = nowMs - 1000 + (1000 * (i + 1)) / count;
        return makeEvent(pickCell(), reported - Math.floor(random() * REPORT_LAG_MS), reported);
      });
    },
    addSurge(surge) {
      if (!(surge.factor >= 0) || !Number.isFinite(surge.factor))
        throw new RangeError(`surge factor must be >= 0, got ${surge.factor}`);
      if (!expectedYearly.has(surge.district))
        throw new RangeError(`surge district ${surge.district} is not simulated`);
      if (!(surge.untilMs > surge.fromMs)) throw new RangeError('a surge must end after it starts');
      surges.push(surge);
    },
  };
}

/** Without a rate table: 1 event per second across the region, districts equally likely, the fixed mix. */
function uniformRates(districts: readonly RegionUnit[]): RateTable {
  const perDistrict = (365.25 * 86_400) / districts.length;
  return {
    region: 'uniform',
    sources: ['uniform: no rate table given'],
    yearly: Object.fromEntries(
      districts.map((d) => [
        d.code,
        Object.fromEntries(CATEGORIES.map((c) => [c, perDistrict * SIMULATED_CATEGORY_MIX[c]])),
      ]),
    ),
    killedPerAccident: Object.fromEntries(districts.map((d) => [d.code, 0.15])),
    injuredPerAccident: 1.1,
    profiles: { crime: FLAT_PROFILE, accident: FLAT_PROFILE },
  };
}

/** Local hour, weekday (0 = Sunday) and month (0 = January) of an instant in a zone; cached per hour. */
function localTimeReader(timeZone: string): (at: number) => { hour: number; weekday: number; month: number } {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    hour: 'numeric',
    weekday: 'short',
    month: 'numeric',
  });
  const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const cache = new Map<number, { hour: number; weekday: number; month: number }>();
  return (at) => {
    const key = Math.floor(at / HOUR_MS);
    let value = cache.get(key);
    if (value === undefined) {
      const parts = Object.fromEntries(
        format.formatToParts(key * HOUR_MS + 1).map((part) => [part.type, part.value]),
      );
      value = {
        hour: Number(parts.hour),
        weekday: weekdays.indexOf(parts.weekday ?? ''),
        month: Number(parts.month) - 1,
      };
      if (cache.size > 10_000) cache.clear();
      cache.set(key, value);
    }
    return value;
  };
}

function severityFor(category: IncidentCategory, u: number): Severity {
  const serious = category === 'crime_body' || category === 'crime_women' || category === 'crime_children';
  if (serious) return u < 0.1 ? 'critical' : u < 0.45 ? 'high' : 'medium';
  return u < 0.02 ? 'high' : u < 0.4 ? 'medium' : 'low';
}

/** Half the side of the box around the headquarters that holds a district's events without an area. */
const BOX_HALF_DEG = 0.1;
/** Tries of rejection sampling inside an outline before the event goes to a point known to be inside. */
const PLACEMENT_TRIES = 64;
const KM_PER_DEGREE_LAT = 111.2;

interface DistrictPlaces {
  readonly hotPoints: readonly HotPoint[];
  locate(accident: boolean, random: () => number): { lat: number; lon: number };
}

/**
 * Where one district's events go: uniform inside its area (or the box around its headquarters), and a
 * share of its accidents around its hot points. The hot points come from a generator seeded by the
 * district's code alone.
 */
function districtPlaces(
  unit: RegionUnit,
  area: DistrictArea | undefined,
  hot: HotPointOptions,
): DistrictPlaces {
  const round = (x: number) => Math.round(x * 1e5) / 1e5;
  const [west, south, east, north] = area?.bbox ?? [
    unit.lon - BOX_HALF_DEG,
    unit.lat - BOX_HALF_DEG,
    unit.lon + BOX_HALF_DEG,
    unit.lat + BOX_HALF_DEG,
  ];
  const inside = (lon: number, lat: number): boolean =>
    area === undefined ? lon >= west && lon <= east && lat >= south && lat <= north : area.contains(lon, lat);
  /** A point known to lie inside, for an outline too thin for sampling to hit: the headquarters when inside. */
  const anchor = (random: () => number): { lat: number; lon: number } => {
    if (inside(unit.lon, unit.lat)) return { lat: unit.lat, lon: unit.lon };
    for (let i = 0; i < PLACEMENT_TRIES * 16; i++) {
      const lon = round(west + random() * (east - west));
      const lat = round(south + random() * (north - south));
      if (inside(lon, lat)) return { lat, lon };
    }
    return { lat: unit.lat, lon: unit.lon };
  };
  const uniform = (random: () => number): { lat: number; lon: number } => {
    for (let i = 0; i < PLACEMENT_TRIES; i++) {
      // Tested as rounded: rounding must not move a point on the edge out of its district.
      const lon = round(west + random() * (east - west));
      const lat = round(south + random() * (north - south));
      if (inside(lon, lat)) return { lat, lon };
    }
    return anchor(random);
  };

  const own = mulberry32(hashCode(unit.code));
  // Weights 1, 1/2, 1/3, ... normalised: one main black spot per district and smaller ones.
  const harmonic = Array.from({ length: hot.perDistrict }, (_, i) => 1 / (i + 1));
  const total = harmonic.reduce((sum, w) => sum + w, 0);
  const hotPoints: HotPoint[] = harmonic.map((w) => ({ ...uniform(own), weight: w / total }));
  const spreadLat = hot.spreadKm / KM_PER_DEGREE_LAT;

  return {
    hotPoints,
    locate(accident, random) {
      if (!accident || hotPoints.length === 0 || random() >= hot.accidentShare) return uniform(random);
      let u = random();
      let point = hotPoints[hotPoints.length - 1] as HotPoint;
      for (const candidate of hotPoints) {
        if ((u -= candidate.weight) <= 0) {
          point = candidate;
          break;
        }
      }
      const spreadLon = spreadLat / Math.max(0.1, Math.cos((point.lat * Math.PI) / 180));
      for (let i = 0; i < PLACEMENT_TRIES; i++) {
        const lat = round(point.lat + gaussian(random) * spreadLat);
        const lon = round(point.lon + gaussian(random) * spreadLon);
        if (inside(lon, lat)) return { lat, lon };
      }
      return { lat: point.lat, lon: point.lon };
    },
  };
}

/** A stable 32-bit hash of a string (FNV-1a): seeds a district's own generator. */
function hashCode(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A standard normal variate (Box-Muller). */
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function exponential(mean: number, random: () => number): number {
  return -mean * Math.log(1 - random());
}

/** Poisson variate: Knuth's method for small means, a normal approximation above 30. */
export function poisson(mean: number, random: () => number): number {
  if (mean <= 0) return 0;
  if (mean > 30) {
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal));
  }
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

/** A binary min-heap: pending reports are released in time order. */
class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => number) {}

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    for (let i = items.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (this.less(items[i] as T, items[parent] as T) >= 0) break;
      [items[i], items[parent]] = [items[parent] as T, items[i] as T];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      for (let i = 0; ;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && this.less(items[left] as T, items[smallest] as T) < 0) smallest = left;
        if (right < items.length && this.less(items[right] as T, items[smallest] as T) < 0) smallest = right;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest] as T, items[i] as T];
        i = smallest;
      }
    }
    return top;
  }
}

/**
 * Reads a surge written as `DISTRICT:FACTOR:MINUTES[:CATEGORY]` (e.g. `TN-MDU:3:60` or
 * `TN-MDU:3:60:crime_women`), starting at `startMs`; throws naming what is wrong.
 */
export function parseSurge(spec: string, startMs: number): Surge {
  const [district = '', factorText = '', minutesText = '', category, ...rest] = spec.split(':');
  const factor = Number(factorText);
  const minutes = Number(minutesText);
  if (district === '' || rest.length > 0)
    throw new RangeError(`surge "${spec}": expected DISTRICT:FACTOR:MINUTES[:CATEGORY]`);
  if (!(factor >= 0) || !Number.isFinite(factor))
    throw new RangeError(`surge "${spec}": factor must be a number >= 0`);
  if (!(minutes > 0) || !Number.isFinite(minutes))
    throw new RangeError(`surge "${spec}": minutes must be a number > 0`);
  if (category !== undefined && !(CATEGORIES as readonly string[]).includes(category)) {
    throw new RangeError(`surge "${spec}": unknown category "${category}" (${CATEGORIES.join(', ')})`);
  }
  return {
    district,
    factor,
    fromMs: startMs,
    untilMs: startMs + minutes * 60_000,
    ...(category === undefined ? {} : { category: category as Category }),
  };
}
