import type { Category, RegionUnit } from '@district-monitor/streams';
import { NCRB_FILES, loadNcrbFile } from '../ncrb.js';
import type { RegionRegistry } from '../registry.js';

/**
 * T1 of ../shared/BRIEF.md: each Tamil Nadu district's risk tier next year (the low, middle or high third of
 * districts by IPC crimes per 100,000 people) from the NCRB district tables, rolling origin.
 *
 * Units. NCRB counts police units beside revenue districts; the loader attributes each police unit to its
 * district (statewide units count nowhere). Districts split after 2011 (Chengalpattu, Kallakurichi,
 * Mayiladuthurai, Ranipet, Tenkasi, Tirupathur) are merged back into the district they were carved from
 * (`carvedFrom` in the registry), and so are three earlier splits the 2001-2012 tables see happen:
 * Krishnagiri (2004, from Dharmapuri), Ariyalur (2007, re-formed from Perambalur) and Tiruppur (2009,
 * from Coimbatore and Erode, so Coimbatore, Erode and Tiruppur are one unit). Every unit then has the same
 * area in every year, and its population is the sum of its districts' census 2011 populations.
 *
 * Tiers. In each year, units are ranked by IPC cases per 100,000 people; rank r (0 = lowest of n) has tier
 * floor(3r / n). Years: those the IPC tables hold (2001-2014, 2016-2022; 2015 is missing). The year before a
 * target year is the previous year with data (2014 for 2016).
 */
export const PRE_2011_MERGES: Readonly<Record<string, string>> = {
  'TN-KGI': 'TN-DPI',
  'TN-ARI': 'TN-PBL',
  'TN-TUP': 'TN-CBE',
  'TN-ERD': 'TN-CBE',
};

/** One merged unit and its yearly counts. */
export interface TierUnit {
  /** Registry code of the unit's main district (the parent of the merge). */
  readonly code: string;
  readonly name: string;
  /** The registry districts merged into it. */
  readonly members: readonly string[];
  readonly population: number;
  readonly literacyRate: number;
  readonly sexRatio: number;
  readonly urbanShare: number;
  readonly densityPerKm2: number;
  /** IPC cases per year and category (the IPC tables' counted heads), by year. */
  readonly cases: ReadonlyMap<number, Readonly<Partial<Record<Category, number>>>>;
}

export interface TierTask {
  readonly units: readonly TierUnit[];
  /** Years with data for every unit, ascending. */
  readonly years: readonly number[];
  /** `rate[u][y]`: IPC cases per 100,000 people of unit u in years[y]. */
  readonly rates: readonly (readonly number[])[];
  /** `tier[u][y]` in 0..2. */
  readonly tiers: readonly (readonly number[])[];
  /** Per year, the two rate boundaries: tier 0 below the first, tier 2 at or above the second. */
  readonly boundaries: readonly (readonly [number, number])[];
}

/** Tier of each rate among the given rates: rank r of n (ties by input order) has tier floor(3r / n). */
export function tiersOf(rates: readonly number[]): number[] {
  const order = rates.map((rate, i) => ({ rate, i })).sort((a, b) => a.rate - b.rate || a.i - b.i);
  const tiers = new Array<number>(rates.length).fill(0);
  order.forEach(({ i }, rank) => (tiers[i] = Math.floor((3 * rank) / rates.length)));
  return tiers;
}

/** Loads the IPC tables of `directory` (../shared/data/ncrb) and builds the merged units and their tiers. */
export async function loadTierTask(directory: string | URL, registry: RegionRegistry): Promise<TierTask> {
  const groupOf = (code: string): string => {
    const unit = registry.region.units.find((u) => u.code === code);
    const parent = unit?.carvedFrom?.[0] ?? PRE_2011_MERGES[code] ?? code;
    return parent === code ? code : groupOf(parent);
  };
  const districts = registry.region.units.filter((u) => u.kind === 'district');
  const members = new Map<string, RegionUnit[]>();
  for (const unit of districts)
    members.set(groupOf(unit.code), [...(members.get(groupOf(unit.code)) ?? []), unit]);

  const cases = new Map<string, Map<number, Partial<Record<Category, number>>>>();
  for (const spec of NCRB_FILES.filter((file) => file.layout.startsWith('ipc-'))) {
    const load = await loadNcrbFile(directory, spec, registry);
    for (const row of load.rows) {
      if (row.district === null) continue;
      const group = groupOf(row.district);
      const years = cases.get(group) ?? new Map<number, Partial<Record<Category, number>>>();
      const year = years.get(row.year) ?? {};
      year[row.category] = (year[row.category] ?? 0) + row.count;
      years.set(row.year, year);
      cases.set(group, years);
    }
  }

  const units: TierUnit[] = [...members].map(([code, list]) => {
    const population = sum(list.map((u) => u.population ?? NaN));
    const weighted = (pick: (u: RegionUnit) => number | undefined) =>
      sum(list.map((u) => (pick(u) ?? NaN) * (u.population ?? NaN))) / population;
    return {
      code,
      name: list.map((u) => u.name).join(' + '),
      members: list.map((u) => u.code),
      population,
      literacyRate: weighted((u) => u.literacyRate),
      sexRatio: weighted((u) => u.sexRatio),
      urbanShare: weighted((u) => u.urbanShare),
      densityPerKm2: population / sum(list.map((u) => u.areaKm2 ?? NaN)),
      cases: cases.get(code) ?? new Map(),
    };
  });
  return tierTaskOf(units);
}

/**
 * The task of merged units with their yearly counts: the years every unit has cases in, the rates per
 * 100,000 people, the tiers and tier boundaries of each year. Throws when a unit's census figure is unknown.
 */
export function tierTaskOf(units: readonly TierUnit[]): TierTask {
  for (const unit of units)
    for (const [key, value] of Object.entries(unit))
      if (typeof value === 'number' && !Number.isFinite(value))
        throw new RangeError(`${unit.code}: ${key} is unknown in the registry (needed for T1)`);

  const years = [...new Set(units.flatMap((u) => [...u.cases.keys()]))]
    .filter((year) => units.every((u) => total(u.cases.get(year)) > 0))
    .sort((a, b) => a - b);
  const rates = units.map((u) => years.map((year) => (total(u.cases.get(year)) / u.population) * 100_000));
  const tiers = units.map(() => new Array<number>(years.length).fill(0));
  const boundaries: [number, number][] = [];
  years.forEach((_, y) => {
    const column = rates.map((r) => r[y] ?? NaN);
    const yearTiers = tiersOf(column);
    yearTiers.forEach((tier, u) => ((tiers[u] ?? [])[y] = tier));
    const lowest = (tier: number) => Math.min(...column.filter((_, u) => yearTiers[u] === tier));
    boundaries.push([lowest(1), lowest(2)]);
  });
  return { units, years, rates, tiers, boundaries };
}

/** All IPC cases of a unit-year. */
export function total(counts: Readonly<Partial<Record<Category, number>>> | undefined): number {
  return counts === undefined ? 0 : sum(Object.values(counts));
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
