import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Category } from '@district-monitor/streams';
import { ACCIDENT_FILES, loadAccidentUnits } from '../accidents.js';
import { loadTierTask, tierTaskOf, type TierTask, type TierUnit } from '../eval/tier-task.js';
import type { RegionRegistry } from '../registry.js';

/**
 * The yearly district history the analysis runs on, as plain JSON (it crosses to the training worker and
 * is hashed): merged units (task T1's: see data/src/eval/tier-task.ts), their census 2011 indicators,
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
export interface HistorySource {
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
export function ncrbHistorySource(dataDirectory: string, registry: RegionRegistry): HistorySource {
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
