import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Category, HistoryDataset, RegionUnit } from '@district-monitor/streams';
import { ACCIDENT_FILES, loadAccidentUnits } from '../accidents.js';
import {
  PRE_2011_MERGES,
  loadTierTask,
  tierTaskOf,
  type TierTask,
  type TierUnit,
} from '../tier/tier-task.js';
import { loadHistory } from '../history.js';
import type { RegionRegistry } from '../registry.js';

/**
 * The yearly district history the analysis runs on, as plain JSON (it crosses to the training worker and
 * is hashed): merged units (task T1's: see data/src/tier/tier-task.ts), their census 2011 indicators,
 * optional static indicators (road accidents), and IPC cases per category and year.
 */
export interface HistoryTable {
  readonly region: string;
  /** Where the figures come from, in words (files or tables). */
  readonly source: string;
  /** Years with data for every unit, ascending. */
  readonly years: readonly number[];
  /** The IPC categories counted in `cases`, in this order. */
  readonly categories: readonly Category[];
  /** Static indicators beside the census ones (e.g. road accidents per 100,000 people, 2020-2021). */
  readonly indicators: readonly HistoryIndicator[];
  readonly units: readonly HistoryTableUnit[];
}

export interface HistoryIndicator {
  readonly key: string;
  readonly label: string;
  readonly group: 'census' | 'accident';
}

export interface HistoryTableUnit {
  readonly code: string;
  readonly name: string;
  readonly members: readonly string[];
  readonly population: number;
  readonly literacyRate: number;
  readonly sexRatio: number;
  readonly urbanShare: number;
  readonly densityPerKm2: number;
  /** One per `indicators`; null where the source has no figure for the unit. */
  readonly indicators: readonly (number | null)[];
  /** `cases[c][y]`: cases of `categories[c]` in `years[y]`. */
  readonly cases: readonly (readonly number[])[];
}

/** Where a history comes from (the NCRB files today; the product's history tables when they land). */
export interface HistoryTableSource {
  /** Says where the figures come from. */
  readonly description: string;
  load(): Promise<HistoryTable>;
}

/** sha256 of the table's canonical JSON: the analysis is retrained when it changes. */
export function historyHash(table: HistoryTable): string {
  return createHash('sha256').update(JSON.stringify(table)).digest('hex');
}

/** Task T1 (tiers, rates, boundaries) of a history table. */
export function tierTaskOfTable(table: HistoryTable): TierTask {
  const units: TierUnit[] = table.units.map((unit) => ({
    code: unit.code,
    name: unit.name,
    members: unit.members,
    population: unit.population,
    literacyRate: unit.literacyRate,
    sexRatio: unit.sexRatio,
    urbanShare: unit.urbanShare,
    densityPerKm2: unit.densityPerKm2,
    cases: new Map(
      table.years.map((year, y) => [
        year,
        Object.fromEntries(table.categories.map((category, c) => [category, unit.cases[c]?.[y] ?? 0])),
      ]),
    ),
  }));
  const task = tierTaskOf(units);
  if (task.years.length !== table.years.length)
    throw new RangeError(
      `history table: every unit needs cases in every year (${table.years.length} years, ${task.years.length} complete)`,
    );
  return task;
}

/**
 * The history from the NCRB district IPC tables of `dataDirectory/ncrb` (2001-2022; 2015 absent) merged
 * into T1's units, the census 2011 figures of the region registry, and road accidents per 100,000
 * people (mean of 2020 and 2021) and the share of them fatal, from `dataDirectory/accidents`.
 */
export function ncrbHistorySource(dataDirectory: string, registry: RegionRegistry): HistoryTableSource {
  const accidentsFile = join(dataDirectory, 'accidents', ACCIDENT_FILES.units);
  const description =
    `NCRB district IPC tables 2001-2022 (${join(dataDirectory, 'ncrb')}), census 2011 (region registry), ` +
    `road accidents 2020-2021 (${accidentsFile})`;
  return {
    description,
    load: async () => {
      const task = await loadTierTask(join(dataDirectory, 'ncrb'), registry);
      const accidents = await loadAccidentUnits(accidentsFile, registry);
      const unitOf = new Map(task.units.flatMap((unit) => unit.members.map((m) => [m, unit.code] as const)));
      const sums = new Map<string, { accidents: number; fatal: number }>();
      for (const row of accidents.rows) {
        const code = row.district === null ? undefined : unitOf.get(row.district);
        if (code === undefined || (row.measure !== 'accidents' && row.measure !== 'fatal_accidents'))
          continue;
        const sum = sums.get(code) ?? { accidents: 0, fatal: 0 };
        if (row.measure === 'accidents') sum.accidents += row.count;
        else sum.fatal += row.count;
        sums.set(code, sum);
      }
      const categories = [
        ...new Set(task.units.flatMap((unit) => [...unit.cases.values()].flatMap((c) => Object.keys(c)))),
      ].sort() as Category[];
      return {
        region: registry.region.code,
        source: description,
        years: task.years,
        categories,
        indicators: [
          { key: 'accidents_per_100k', label: 'road accidents per 100,000 (2020-21)', group: 'accident' },
          {
            key: 'fatal_accident_share',
            label: 'share of road accidents fatal (2020-21)',
            group: 'accident',
          },
        ],
        units: task.units.map((unit) => {
          const sum = sums.get(unit.code);
          return {
            code: unit.code,
            name: unit.name,
            members: unit.members,
            population: unit.population,
            literacyRate: unit.literacyRate,
            sexRatio: unit.sexRatio,
            urbanShare: unit.urbanShare,
            densityPerKm2: unit.densityPerKm2,
            indicators:
              sum === undefined || sum.accidents === 0
                ? [null, null]
                : [(sum.accidents / 2 / unit.population) * 100_000, sum.fatal / sum.accidents],
            cases: categories.map((category) =>
              task.years.map((year) => unit.cases.get(year)?.[category] ?? 0),
            ),
          };
        }),
      };
    },
  };
}

const ACCIDENT_INDICATORS: readonly HistoryIndicator[] = [
  { key: 'accidents_per_100k', label: 'road accidents per 100,000 a year', group: 'accident' },
  { key: 'fatal_accident_share', label: 'share of road accidents fatal', group: 'accident' },
];

/**
 * The history from the region's committed history file (`data/history/<region>.json`, built by
 * data/scripts/build-history.mjs from ../shared/data): what the product ships, so the analysis needs no
 * other files at run time.
 */
export function datasetHistorySource(file: string, registry: RegionRegistry): HistoryTableSource {
  const description = `the region's history file ${file} (NCRB district IPC tables 2001-2022, road accidents, census 2011)`;
  return {
    description,
    load: async () => historyTableOf((await loadHistory(file)).dataset, registry, description),
  };
}

/**
 * A history dataset as the analysis' table: its districts merged into T1's units (the districts carved out
 * since 2001 back into the district they came from, as data/src/tier/tier-task.ts does, so every unit covers
 * one area in all years; statewide police units count nowhere), census indicators from the registry
 * weighted by population as T1 does, the IPC heads of the product's categories, and road accidents per
 * 100,000 people a year and their fatal share over the years the dataset has them.
 */
export function historyTableOf(
  dataset: HistoryDataset,
  registry: RegionRegistry,
  source: string,
): HistoryTable {
  const byCode = new Map(registry.region.units.map((unit) => [unit.code, unit]));
  const groupOf = (code: string): string => {
    const parent = byCode.get(code)?.carvedFrom?.[0] ?? PRE_2011_MERGES[code] ?? code;
    return parent === code ? code : groupOf(parent);
  };
  const members = new Map<string, RegionUnit[]>();
  for (const unit of registry.region.units.filter((u) => u.kind === 'district'))
    members.set(groupOf(unit.code), [...(members.get(groupOf(unit.code)) ?? []), unit]);
  const ipcHeads = dataset.heads.flatMap((head, h) =>
    head.group === 'ipc' && head.category !== undefined ? [{ h, category: head.category }] : [],
  );
  const categories = [...new Set(ipcHeads.map((head) => head.category))].sort();
  const sumOver = (group: string, h: number, i: number): number | null => {
    let sum: number | null = null;
    dataset.units.forEach((unit, u) => {
      if (unit.kind !== 'district' || groupOf(unit.code) !== group) return;
      const value = dataset.values[u]?.[h]?.[i];
      if (value !== null && value !== undefined) sum = (sum ?? 0) + value;
    });
    return sum;
  };
  const groups = [...members.keys()];
  const ipc = (group: string, i: number) =>
    ipcHeads.reduce((total, head) => total + (sumOver(group, head.h, i) ?? 0), 0);
  const years = dataset.years.flatMap((year, i) =>
    groups.every((group) => ipc(group, i) > 0) ? [{ year, i }] : [],
  );
  const accidentHead = (code: string) => dataset.heads.findIndex((head) => head.code === code);
  const [accidentsH, fatalH] = [accidentHead('road_accidents'), accidentHead('fatal_accidents')];
  const units = [...members].map(([code, list]): HistoryTableUnit => {
    const population = list.reduce((sum, u) => sum + (u.population ?? NaN), 0);
    const weighted = (pick: (u: RegionUnit) => number | undefined) =>
      list.reduce((sum, u) => sum + (pick(u) ?? NaN) * (u.population ?? NaN), 0) / population;
    const accidentYears = dataset.years.flatMap((_, i) => {
      const accidents = accidentsH < 0 ? null : sumOver(code, accidentsH, i);
      return accidents === null
        ? []
        : [{ accidents, fatal: fatalH < 0 ? 0 : (sumOver(code, fatalH, i) ?? 0) }];
    });
    const accidents = accidentYears.reduce((sum, y) => sum + y.accidents, 0);
    const fatal = accidentYears.reduce((sum, y) => sum + y.fatal, 0);
    return {
      code,
      name: list.map((u) => u.name).join(' + '),
      members: list.map((u) => u.code),
      population,
      literacyRate: weighted((u) => u.literacyRate),
      sexRatio: weighted((u) => u.sexRatio),
      urbanShare: weighted((u) => u.urbanShare),
      densityPerKm2: population / list.reduce((sum, u) => sum + (u.areaKm2 ?? NaN), 0),
      indicators:
        accidents === 0
          ? [null, null]
          : [(accidents / accidentYears.length / population) * 100_000, fatal / accidents],
      cases: categories.map((category) =>
        years.map(({ i }) =>
          ipcHeads
            .filter((head) => head.category === category)
            .reduce((total, head) => total + (sumOver(code, head.h, i) ?? 0), 0),
        ),
      ),
    };
  });
  return {
    region: dataset.region,
    source,
    years: years.map(({ year }) => year),
    categories,
    indicators: ACCIDENT_INDICATORS,
    units,
  };
}
