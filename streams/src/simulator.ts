import type { Category, IncidentCategory, Severity } from './categories.js';
import type { MonitorEvent } from './event.schema.js';
import { districtsOf, type Region, type RegionUnit } from './region.js';

/**
 * The first simulator: plausible incident and accident events for every district of a region,
 * Poisson arrivals at a configurable statewide rate, deterministic for a seed. District weights are
 * uniform and the category mix is fixed; the calibrated simulator (NCRB and accident rates, daily and
 * seasonal patterns, surges, late and duplicate events) replaces these choices.
 */
export interface SimulatorOptions {
  region: Region;
  /** Mean events per second across the whole region. */
  ratePerSecond: number;
  seed?: number;
  /** Producer name written into `source` and the event ids. */
  source?: string;
}

/** Share of each category among simulated events (sums to 1). */
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
  /** Events that arrived in (previous tick, `nowMs`]; the first call only sets the clock. */
  tick(nowMs: number): MonitorEvent[];
  /** Exactly `count` events spread evenly over the second before `nowMs`. */
  burst(count: number, nowMs: number): MonitorEvent[];
}

export function createSimulator(options: SimulatorOptions): Simulator {
  if (!(options.ratePerSecond >= 0) || !Number.isFinite(options.ratePerSecond)) {
    throw new RangeError(`ratePerSecond must be a finite number >= 0, got ${options.ratePerSecond}`);
  }
  const districts = districtsOf(options.region);
  if (districts.length === 0) throw new RangeError(`region ${options.region.code} has no districts`);
  const seed = options.seed ?? 1;
  const random = mulberry32(seed);
  const source = options.source ?? 'simulator';
  const categories = Object.entries(SIMULATED_CATEGORY_MIX) as [Category, number][];
  let sequence = 0;
  let lastTick: number | undefined;

  function pick<T>(items: readonly T[]): T {
    return items[Math.floor(random() * items.length)] as T;
  }

  function pickCategory(): Category {
    let u = random();
    for (const [category, share] of categories) {
      if ((u -= share) <= 0) return category;
    }
    return 'other';
  }

  function makeEvent(atMs: number): MonitorEvent {
    const district = pick(districts);
    const category = pickCategory();
    // Reports lag the event by up to half an hour.
    const occurredAt = new Date(atMs - Math.floor(random() * 30 * 60_000)).toISOString();
    const common = {
      eventId: `${source}-${seed}-${++sequence}`,
      schemaVersion: 1 as const,
      district: district.code,
      occurredAt,
      reportedAt: new Date(atMs).toISOString(),
      location: jitter(district, random),
      source,
    };
    if (category === 'road_accident') {
      const killed = poisson(0.15, random);
      const injured = poisson(1.1, random);
      return {
        ...common,
        kind: 'accident',
        category,
        severity: killed > 0 ? 'critical' : injured > 1 ? 'high' : 'medium',
        killed,
        injured,
        vehicles: 1 + poisson(0.7, random),
      };
    }
    return { ...common, kind: 'incident', category, severity: severityFor(category, random()) };
  }

  return {
    tick(nowMs) {
      const from = lastTick ?? nowMs;
      lastTick = nowMs;
      const events: MonitorEvent[] = [];
      const expected = (options.ratePerSecond * Math.max(0, nowMs - from)) / 1000;
      const count = poisson(expected, random);
      for (let i = 0; i < count; i++) events.push(makeEvent(from + random() * (nowMs - from)));
      return events;
    },
    burst(count, nowMs) {
      return Array.from({ length: count }, (_, i) => makeEvent(nowMs - 1000 + (1000 * (i + 1)) / count));
    },
  };
}

function severityFor(category: IncidentCategory, u: number): Severity {
  const serious = category === 'crime_body' || category === 'crime_women' || category === 'crime_children';
  if (serious) return u < 0.1 ? 'critical' : u < 0.45 ? 'high' : 'medium';
  return u < 0.02 ? 'high' : u < 0.4 ? 'medium' : 'low';
}

function jitter(unit: RegionUnit, random: () => number): { lat: number; lon: number } {
  const round = (x: number) => Math.round(x * 1e5) / 1e5;
  return { lat: round(unit.lat + (random() - 0.5) * 0.2), lon: round(unit.lon + (random() - 0.5) * 0.2) };
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

/** A small, fast, seedable PRNG (mulberry32); uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
