import {
  HISTORY_FORMAT_VERSION,
  type Category,
  type HistoryDataset,
  type HistoryHead,
  type HistoryHeadGroup,
  type HistoryMeasure,
  type HistorySource,
  type HistoryUnit,
  type RegionUnit,
} from '@district-monitor/streams';
import { ACCIDENT_FILES, loadAccidentUnits } from './accidents.js';
import { loadCensusAreas } from './census.js';
import { NCRB_FILES, loadNcrbFile, type NcrbFileSpec } from './ncrb.js';
import { inDirectory } from './paths.js';
import type { RegionRegistry } from './registry.js';
import type { CountRow } from './rows.js';

/**
 * Builds a region's `HistoryDataset` (streams/src/history.ts) from ../shared/data: the NCRB district tables,
 * the district-level road-accident file and census 2011 (through the region registry). Run by
 * data/scripts/build-history.mjs, which writes the result; the spec regenerates it in memory and compares.
 *
 * Merge rules: a police unit with a parent district counts in that district (registry `parent`); a statewide
 * police unit (no parent: railway police, cyber cell, other units, Chennai Suburban Police 2008-2010) is kept
 * as a unit of its own without population or rate.
 *
 * Splits: a district is shown from the first year it reports on its own. Before that it is absent (null),
 * and the district it was carved from carries it: its figures are as NCRB reported them (they include the
 * later district's area) and its rate divides by its own census 2011 population plus the later district's
 * (`carries`). A district carved from two parents (Tiruppur, 2009) is apportioned between them by whole
 * census 2011 sub-districts, and such a population is marked `estimated`.
 */

/** A district formed before the 2011 census whose parent(s) the registry does not record. */
export interface EarlierSplit {
  readonly child: string;
  /**
   * The districts that carried it before it reported. One parent: the whole child. Several: each names the
   * census 2011 sub-districts of the child it carried; one parent may say `rest`.
   */
  readonly parents: readonly {
    readonly district: string;
    readonly subDistricts: readonly number[] | 'rest';
  }[];
}

/** Tamil Nadu's splits of 2001-2011 that the NCRB tables show happening (see ../shared/data/README.md). */
export const TAMIL_NADU_EARLIER_SPLITS: readonly EarlierSplit[] = [
  { child: 'TN-KGI', parents: [{ district: 'TN-DPI', subDistricts: 'rest' }] },
  { child: 'TN-ARI', parents: [{ district: 'TN-PBL', subDistricts: 'rest' }] },
  {
    child: 'TN-TUP',
    parents: [
      // Kangeyam and Dharapuram taluks came from Erode; Tiruppur, Avanashi, Palladam, Udumalaipettai and
      // Madathukulam from Coimbatore.
      { district: 'TN-ERD', subDistricts: [5901, 5902] },
      { district: 'TN-CBE', subDistricts: 'rest' },
    ],
  },
];

export interface BuildHistoryOptions {
  /** ../shared/data */
  readonly sharedDirectory: string;
  readonly registry: RegionRegistry;
  readonly earlierSplits: readonly EarlierSplit[];
  /** The region file's path as the dataset should name it (e.g. `data/regions/tamil-nadu.json`). */
  readonly regionFileName: string;
}

type GroupSpec = { readonly group: HistoryHeadGroup; readonly prefix: string };
const GROUP_OF_LAYOUT: Record<NcrbFileSpec['layout'], GroupSpec> = {
  'ipc-2001-2013': { group: 'ipc', prefix: 'ipc' },
  'ipc-2014': { group: 'ipc', prefix: 'ipc' },
  'ipc-2016': { group: 'ipc', prefix: 'ipc' },
  'ipc-2017': { group: 'ipc', prefix: 'ipc' },
  'women-2001-2012': { group: 'women', prefix: 'women' },
  'women-2017': { group: 'women', prefix: 'women' },
  'sc-2001-2012': { group: 'sc', prefix: 'sc' },
  'children-2001-2012': { group: 'children', prefix: 'children' },
};

const IPC_CATEGORIES: readonly [Category, string][] = [
  ['crime_body', 'IPC crimes against the body'],
  ['crime_property', 'IPC crimes against property'],
  ['crime_women', 'IPC crimes against women'],
  ['crime_children', 'IPC crimes against children'],
  ['harassment', 'IPC harassment heads'],
  ['suicide', 'IPC abetment and attempt of suicide'],
  ['road_accident', 'Road-related IPC heads'],
  ['other', 'Other IPC crimes'],
];

/** The head codes of a dataset built here, in order. */
export const HISTORY_HEAD_CODES = [
  'ipc_total',
  ...IPC_CATEGORIES.map(([category]) => `ipc_${category}`),
  'women_total',
  'children_total',
  'sc_total',
  'road_accidents',
  'fatal_accidents',
  'road_killed',
] as const;

/** Sums of one source file: by unit code, year, then key (`total`, a category, or an accident measure). */
type Sums = Map<string, Map<number, Map<string, number>>>;

function add(sums: Sums, code: string, year: number, key: string, count: number): void {
  const years = sums.get(code) ?? new Map<number, Map<string, number>>();
  const keys = years.get(year) ?? new Map<string, number>();
  keys.set(key, (keys.get(key) ?? 0) + count);
  years.set(year, keys);
  sums.set(code, years);
}

/** Where a row counts: its district, or the statewide police unit itself. */
const placeOf = (row: CountRow): string | undefined => row.district ?? row.unit;

const sourceId = (spec: NcrbFileSpec): string => {
  const first = spec.years[0] ?? 0;
  const last = spec.years[spec.years.length - 1] ?? first;
  return `ncrb-${GROUP_OF_LAYOUT[spec.layout].prefix}-${first}${last === first ? '' : `-${last}`}`;
};

const GROUP_WORDS: Record<HistoryHeadGroup, string> = {
  ipc: 'IPC crimes',
  women: 'crimes against women',
  children: 'crimes against children',
  sc: 'crimes against Scheduled Castes',
  accidents: 'road accidents',
};

/** Builds the dataset; throws when the registry and the splits disagree (unknown code, bad shares). */
export async function buildHistory(options: BuildHistoryOptions): Promise<HistoryDataset> {
  const { registry, sharedDirectory } = options;
  const ncrbDirectory = inDirectory(sharedDirectory, 'ncrb');
  const sources: HistorySource[] = [];
  const fileSums = new Map<string, { spec: NcrbFileSpec; sums: Sums }>();

  for (const spec of NCRB_FILES) {
    const load = await loadNcrbFile(String(ncrbDirectory), spec, registry);
    const sums: Sums = new Map();
    for (const row of load.rows) {
      const place = placeOf(row);
      if (place === undefined) continue;
      add(sums, place, row.year, 'total', row.count);
      add(sums, place, row.year, row.category, row.count);
    }
    const id = sourceId(spec);
    fileSums.set(id, { spec, sums });
    sources.push({
      id,
      file: `ncrb/${spec.file}`,
      description: `NCRB district-wise ${GROUP_WORDS[GROUP_OF_LAYOUT[spec.layout].group]}, ${spec.years.join(', ')}`,
    });
  }

  const accidentsId = 'accidents-units-2020-2021';
  const accidentSums: Sums = new Map();
  const accidentLoad = await loadAccidentUnits(
    String(inDirectory(sharedDirectory, `accidents/${ACCIDENT_FILES.units}`)),
    registry,
  );
  for (const row of accidentLoad.rows) {
    const place = placeOf(row);
    if (place !== undefined) add(accidentSums, place, row.year, row.measure, row.count);
  }
  sources.push({
    id: accidentsId,
    file: `accidents/${ACCIDENT_FILES.units}`,
    description:
      'Tamil Nadu road accidents by police unit, 2020 and 2021: accidents, fatal accidents, people killed by vehicle type (2021)',
  });
  sources.push({
    id: 'census-2011',
    file: 'census/census_population.csv',
    description: `Census 2011 Table A-1 (population, area, urban share), with census/india-districts-census-2011.csv (literacy), through ${options.regionFileName}`,
  });

  // Years: those any IPC table holds; the span's other years are missing.
  const ipcIds = [...fileSums].filter(([, f]) => GROUP_OF_LAYOUT[f.spec.layout].group === 'ipc');
  const years = [...new Set(ipcIds.flatMap(([, f]) => f.spec.years))].sort((a, b) => a - b);
  const first = years[0] ?? 0;
  const last = years[years.length - 1] ?? 0;
  const missingYears = [];
  for (let year = first; year <= last; year += 1)
    if (!years.includes(year))
      missingYears.push({
        year,
        reason: `no NCRB district table of ${year} in ../shared/data/ncrb: every head is absent that year`,
      });

  const idOf = (group: HistoryHeadGroup, year: number): string | null => {
    if (group === 'accidents') return year === 2020 || year === 2021 ? accidentsId : null;
    for (const [id, f] of fileSums)
      if (GROUP_OF_LAYOUT[f.spec.layout].group === group && f.spec.years.includes(year)) return id;
    return null;
  };
  const headOf = (
    code: string,
    label: string,
    group: HistoryHeadGroup,
    measure: HistoryMeasure,
    description: string,
    category?: Category,
    onlyYears?: readonly number[],
  ): HistoryHead => ({
    code,
    label,
    group,
    measure,
    ...(category === undefined ? {} : { category }),
    description,
    sources: years.map((year) =>
      onlyYears !== undefined && !onlyYears.includes(year) ? null : idOf(group, year),
    ),
  });
  const heads: HistoryHead[] = [
    headOf(
      'ipc_total',
      'IPC crimes (total)',
      'ipc',
      'cases',
      "Sum of every counted IPC head of the NCRB IPC table (subtotals and the table total are not added; NCRB's own total differs from this sum in 2 rows of 2001).",
    ),
    ...IPC_CATEGORIES.map(([category, label]) =>
      headOf(
        `ipc_${category}`,
        label,
        'ipc',
        'cases',
        `Sum of the IPC heads data/src/categories.ts maps to ${category}.`,
        category,
      ),
    ),
    headOf(
      'women_total',
      'Crimes against women (total)',
      'women',
      'cases',
      'Sum of every counted head of the NCRB crimes-against-women table (IPC and special laws); no district table for 2013-2016.',
    ),
    headOf(
      'children_total',
      'Crimes against children (total)',
      'children',
      'cases',
      'Sum of every counted head of the NCRB crimes-against-children table; district tables only for 2001-2012.',
    ),
    headOf(
      'sc_total',
      'Crimes against Scheduled Castes (total)',
      'sc',
      'cases',
      'Sum of every counted head of the NCRB crimes-against-SC table; district tables only for 2001-2012.',
    ),
    headOf(
      'road_accidents',
      'Road accidents',
      'accidents',
      'accidents',
      'Road accidents (total__YEAR column), 2020 and 2021 only.',
      'road_accident',
    ),
    headOf(
      'fatal_accidents',
      'Fatal road accidents',
      'accidents',
      'fatal_accidents',
      'Fatal road accidents (YEAR_fatal column), 2020 and 2021 only.',
      'road_accident',
    ),
    headOf(
      'road_killed',
      'People killed in road accidents',
      'accidents',
      'killed',
      'Sum of the six death_by_*_2021 columns (by vehicle type), 2021 only.',
      'road_accident',
      [2021],
    ),
  ];

  const valueOf = (head: HistoryHead, code: string, y: number): number | null => {
    const year = years[y] ?? 0;
    const id = head.sources[y] ?? null;
    if (id === null) return null;
    if (head.group === 'accidents') {
      const keys = accidentSums.get(code)?.get(year);
      return keys === undefined ? null : (keys.get(head.measure) ?? 0);
    }
    const keys = fileSums.get(id)?.sums.get(code)?.get(year);
    if (keys === undefined) return null;
    return keys.get(head.category ?? 'total') ?? 0;
  };

  // Presence: a unit reports in a year when the year's IPC table has a row of its own.
  const ipcIdOf = (y: number): string | null => idOf('ipc', years[y] ?? 0);
  const present = (code: string, y: number): boolean => {
    const id = ipcIdOf(y);
    return (
      id !== null &&
      fileSums
        .get(id)
        ?.sums.get(code)
        ?.has(years[y] ?? 0) === true
    );
  };

  const districts = registry.districts();
  const shares = await carryShares(options, districts);
  const populationOf = (code: string): number => {
    const population = registry.unit(code)?.population;
    if (population === undefined) throw new RangeError(`${code}: no population in the region registry`);
    return population;
  };
  const apportioned = (code: string): boolean => registry.unit(code)?.populationSource !== 'census-2011';

  const units: HistoryUnit[] = [];
  const values: (number | null)[][][] = [];
  for (const unit of districts) {
    const population: (number | null)[] = [];
    const estimated: boolean[] = [];
    const carries: string[][] = [];
    years.forEach((_, y) => {
      if (!present(unit.code, y)) {
        population.push(null);
        estimated.push(false);
        carries.push([]);
        return;
      }
      const carried = (shares.get(unit.code) ?? []).filter(({ child }) => !present(child, y));
      population.push(
        Math.round(
          populationOf(unit.code) + carried.reduce((sum, c) => sum + c.share * populationOf(c.child), 0),
        ),
      );
      const parts = [{ child: unit.code, share: 1 }, ...carried];
      estimated.push(
        parts.some(({ share }) => share < 1) ||
          parts.some(({ child }) => apportioned(child) && !wholeCensusDistrict(child, parts, registry)),
      );
      carries.push(carried.map(({ child }) => child));
    });
    const firstIndex = years.findIndex((_, y) => present(unit.code, y));
    units.push({
      code: unit.code,
      name: unit.name,
      kind: 'district',
      census: censusOf(unit),
      firstYear: firstIndex < 0 ? null : (years[firstIndex] ?? null),
      population,
      estimated,
      carries,
      note: noteOf(unit, years, population, carries, registry, shares),
    });
    values.push(
      heads.map((head) => years.map((_, y) => (present(unit.code, y) ? valueOf(head, unit.code, y) : null))),
    );
  }
  for (const unit of registry.policeUnits()) {
    if (unit.parent !== undefined) continue;
    const reported = years.map((_, y) => present(unit.code, y));
    if (!reported.some(Boolean)) continue;
    const firstIndex = reported.indexOf(true);
    units.push({
      code: unit.code,
      name: unit.name,
      kind: 'statewide',
      census: null,
      firstYear: years[firstIndex] ?? null,
      population: years.map(() => null),
      estimated: years.map(() => false),
      carries: years.map(() => []),
      note: `A police unit of no single district: its cases count in no district and it has no population, so no rate. Reports in ${span(years.filter((_, y) => reported[y]))}.`,
    });
    values.push(heads.map((head) => years.map((_, y) => valueOf(head, unit.code, y))));
  }

  return {
    formatVersion: HISTORY_FORMAT_VERSION,
    region: registry.region.code,
    years,
    missingYears,
    populationBasis:
      "Census 2011 population, the same for every year (no interpolation or projection): a rate is the count divided by the census 2011 population of the area the unit reported for that year, times 100,000. Districts formed after 2011 have the population of their whole 2011 sub-districts (see each unit's census.source); the parent keeps the rest.",
    rules: [
      'Police units with a parent district (city commissionerates such as Greater Chennai, Coimbatore City; Avadi and Tambaram from 2022) are added to that revenue district.',
      "Police units of no single district (railway police, cyber cell, other state units, Chennai Suburban Police 2008-2010) are units of their own, without population or rate; their cases count in no district (so Kancheepuram and Tiruvallur miss Chennai Suburban's cases in 2008-2010).",
      "A district is shown from the first year it reports on its own; before that its figure is absent (null), and the district it was carved from carries it: that district's figures are as NCRB reported them, and its rate divides by its own population plus the later district's (listed in `carries`).",
      'Districts formed after 2011 (Chengalpattu, Kallakurichi, Ranipet, Tenkasi, Tirupathur report from 2020) are carried by Kancheepuram, Viluppuram, Vellore and Tirunelveli before; Mayiladuthurai (2020) has no row in any source file, so Nagapattinam carries it in every year.',
      'Earlier splits the tables show: Krishnagiri (reports from 2004) carried by Dharmapuri, Ariyalur (2001, then from 2009) carried by Perambalur, Tiruppur (from 2009) carried by Coimbatore and Erode, apportioned by whole census 2011 sub-districts (Kangeyam and Dharapuram to Erode, the rest to Coimbatore; marked estimated).',
      'NCRB 2001-2004 lists a "CHENGAI" police district, attributed to Chengalpattu by the region registry; Kancheepuram carries Chengalpattu from 2005 to 2019.',
    ],
    sources,
    heads,
    units,
    values,
  };
}

/** Per parent district: the districts it carries before they report, with the share of each it carries. */
async function carryShares(
  options: BuildHistoryOptions,
  districts: readonly RegionUnit[],
): Promise<Map<string, { child: string; share: number }[]>> {
  const { registry } = options;
  const result = new Map<string, { child: string; share: number }[]>();
  const push = (parent: string, child: string, share: number): void => {
    if (registry.unit(parent)?.kind !== 'district')
      throw new RangeError(`split of ${child}: ${parent} is no district`);
    result.set(parent, [...(result.get(parent) ?? []), { child, share }]);
  };
  for (const unit of districts) {
    const parent = unit.carvedFrom?.[0];
    if (parent !== undefined) push(parent, unit.code, 1);
  }
  const needsCensus = options.earlierSplits.some((split) => split.parents.length > 1);
  const census = needsCensus
    ? (
        await loadCensusAreas(
          String(inDirectory(options.sharedDirectory, 'census/census_population.csv')),
          registry,
        )
      ).rows
    : [];
  for (const split of options.earlierSplits) {
    const child = registry.unit(split.child);
    if (child?.kind !== 'district') throw new RangeError(`earlier split: ${split.child} is no district`);
    if (split.parents.length === 1) {
      push(split.parents[0]?.district ?? '', split.child, 1);
      continue;
    }
    const total = child.population ?? 0;
    let listed = 0;
    let rest: string | undefined;
    for (const parent of split.parents) {
      if (parent.subDistricts === 'rest') {
        rest = parent.district;
        continue;
      }
      const codes = parent.subDistricts;
      const rows = census.filter(
        (row) =>
          row.level === 'sub-district' &&
          row.residence === 'Total' &&
          row.censusCode === child.censusCode &&
          row.subDistrictCode !== undefined &&
          codes.includes(row.subDistrictCode),
      );
      if (rows.length !== codes.length)
        throw new RangeError(
          `split of ${split.child}: census sub-districts ${codes.join(', ')} not all found`,
        );
      const population = rows.reduce((sum, row) => sum + row.population, 0);
      listed += population;
      push(parent.district, split.child, population / total);
    }
    if (rest !== undefined) push(rest, split.child, (total - listed) / total);
  }
  return result;
}

/** Whether every district of `code`'s census 2011 district is wholly in the area. */
function wholeCensusDistrict(
  code: string,
  parts: readonly { child: string; share: number }[],
  registry: RegionRegistry,
): boolean {
  const censusDistrict = registry.censusDistrictOf(code);
  return registry
    .districts()
    .filter((d) => registry.censusDistrictOf(d.code) === censusDistrict)
    .every((d) => parts.some((p) => p.child === d.code && p.share === 1));
}

function censusOf(unit: RegionUnit): HistoryUnit['census'] {
  const population = unit.population;
  if (population === undefined) return null;
  return {
    population,
    areaKm2: unit.areaKm2 ?? null,
    densityPerKm2: unit.areaKm2 === undefined ? null : Math.round((population / unit.areaKm2) * 10) / 10,
    literacyRate: unit.literacyRate ?? null,
    sexRatio: unit.sexRatio ?? null,
    urbanShare: unit.urbanShare ?? null,
    source: unit.populationSource ?? 'census-2011',
  };
}

function noteOf(
  unit: RegionUnit,
  years: readonly number[],
  population: readonly (number | null)[],
  carries: readonly (readonly string[])[],
  registry: RegionRegistry,
  shares: ReadonlyMap<string, readonly { child: string; share: number }[]>,
): string {
  const parts: string[] = [];
  const absent = years.filter((_, y) => population[y] === null);
  if (absent.length === years.length) {
    const carrier = [...shares]
      .filter(([, list]) => list.some((c) => c.child === unit.code))
      .map(([p]) => registry.unit(p)?.name ?? p);
    parts.push(`No row of its own in any source file: ${carrier.join(' and ')} carries it in every year.`);
  } else if (absent.length > 0) {
    parts.push(`No figure of its own in ${span(absent)}: the district it was carved from carries it then.`);
  }
  const carriedYears = new Map<string, number[]>();
  carries.forEach((list, y) => {
    for (const code of list) carriedYears.set(code, [...(carriedYears.get(code) ?? []), years[y] ?? 0]);
  });
  for (const [code, list] of carriedYears)
    parts.push(
      `Carries ${registry.unit(code)?.name ?? code} in ${span(list)} (figures and population include it).`,
    );
  const police = registry.policeUnits().filter((p) => p.parent === unit.code);
  if (police.length > 0) parts.push(`Includes ${police.map((p) => p.name).join(', ')}.`);
  return parts.join(' ');
}

/** Years as ranges: 2001-2003, 2005. */
function span(list: readonly number[]): string {
  const ranges: string[] = [];
  let start = list[0];
  let prev = start;
  for (const year of [...list.slice(1), Number.NaN]) {
    if (year === (prev ?? 0) + 1) {
      prev = year;
      continue;
    }
    if (start !== undefined) ranges.push(start === prev ? String(start) : `${start}-${prev}`);
    start = year;
    prev = year;
  }
  return ranges.join(', ');
}
