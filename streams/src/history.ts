import { z } from 'zod';
import { ACCIDENT_CATEGORIES, INCIDENT_CATEGORIES, type Category } from './categories.js';

/**
 * A region's yearly district history (NCRB district tables, road accidents, census 2011), as committed
 * in `data/history/<region>.json` by `data/scripts/build-history.mjs` and named by the region file's
 * `history` field. The backend loads it into the database at start and serves it under `/api/history`.
 *
 * File format (version 1), compact and column-aligned:
 * - `years`: the years that have data, ascending; `missingYears` says which years of the span are
 *   absent and why (Tamil Nadu: 2015, no district table of that year in the source files).
 * - `sources`: one entry per source file (path relative to ../shared/data); every figure names one.
 * - `heads`: what is counted. `sources[i]` is the source id of `years[i]` for this head (null = no file
 *   holds this head in that year).
 * - `units`: revenue districts (population, census indicators) and statewide police units (no parent
 *   district, so no population and no rate). Police units with a parent district are merged into it.
 * - `units[u].population[i]`: the population a rate of `years[i]` divides by: the census 2011 population
 *   of the area the unit reported for in that year (its own, plus the districts it still carried before
 *   they reported on their own); null when the unit did not report that year. `estimated[i]` is true
 *   when part of that population is apportioned rather than a whole census area.
 * - `values[u][h][i]`: the count of `heads[h]` for `units[u]` in `years[i]`, null = no figure (the
 *   unit did not report that year, or no file holds the head that year).
 */
export const HISTORY_FORMAT_VERSION = 1;

export const HISTORY_HEAD_GROUPS = ['ipc', 'women', 'children', 'sc', 'accidents'] as const;
export type HistoryHeadGroup = (typeof HISTORY_HEAD_GROUPS)[number];

export const HISTORY_MEASURES = ['cases', 'accidents', 'fatal_accidents', 'killed', 'injured'] as const;
export type HistoryMeasure = (typeof HISTORY_MEASURES)[number];

export interface HistorySource {
  /** Short stable id, e.g. `ncrb-ipc-2001-2012`. */
  readonly id: string;
  /** Path of the source file relative to ../shared/data, e.g. `ncrb/01_District_wise_..._2001_2012.csv`. */
  readonly file: string;
  readonly description: string;
}

export interface HistoryHead {
  /** Stable code, e.g. `ipc_total`, `ipc_crime_women`, `women_total`, `road_accidents`. */
  readonly code: string;
  readonly label: string;
  readonly group: HistoryHeadGroup;
  readonly measure: HistoryMeasure;
  /** The product category the head counts, when it is one category. */
  readonly category?: Category;
  /** How the figure is made from the source columns. */
  readonly description: string;
  /** Source id per year of the dataset's `years` (null: no file holds the head that year). */
  readonly sources: readonly (string | null)[];
}

export interface HistoryCensus {
  readonly population: number;
  readonly areaKm2: number | null;
  readonly densityPerKm2: number | null;
  readonly literacyRate: number | null;
  readonly sexRatio: number | null;
  readonly urbanShare: number | null;
  /** How the figures were obtained (census 2011 district, or the sub-districts of a later district). */
  readonly source: string;
}

export interface HistoryUnit {
  readonly code: string;
  readonly name: string;
  /** A revenue district, or a statewide police unit that no district carries (no population, no rate). */
  readonly kind: 'district' | 'statewide';
  /** Census 2011 indicators (districts only). */
  readonly census: HistoryCensus | null;
  /** First year of `years` with a figure of its own; null when it never reports on its own. */
  readonly firstYear: number | null;
  /** Per year: the population a rate divides by, null when the unit has no figure that year. */
  readonly population: readonly (number | null)[];
  /** Per year: whether that population includes an apportioned (estimated) part. */
  readonly estimated: readonly boolean[];
  /** Per year: the other districts whose area the unit reported for (before they reported on their own). */
  readonly carries: readonly (readonly string[])[];
  /** Plain words on how the unit is shown across the years. */
  readonly note: string;
}

export interface HistoryDataset {
  readonly formatVersion: number;
  /** Region code (matches the region file). */
  readonly region: string;
  readonly years: readonly number[];
  readonly missingYears: readonly { readonly year: number; readonly reason: string }[];
  /** Which population rates divide by, in words. */
  readonly populationBasis: string;
  /** The merge and split rules applied, in words. */
  readonly rules: readonly string[];
  readonly sources: readonly HistorySource[];
  readonly heads: readonly HistoryHead[];
  readonly units: readonly HistoryUnit[];
  /** `values[u][h][i]`: count of heads[h] for units[u] in years[i]; null = no figure. */
  readonly values: readonly (readonly (readonly (number | null)[])[])[];
}

const nullableNumber = z.number().nullable();
const historySchema = z.object({
  formatVersion: z.literal(HISTORY_FORMAT_VERSION),
  region: z.string().regex(/^[A-Z]{2,4}$/),
  years: z.array(z.number().int()).min(1),
  missingYears: z.array(z.object({ year: z.number().int(), reason: z.string().min(1) })),
  populationBasis: z.string().min(1),
  rules: z.array(z.string().min(1)),
  sources: z.array(z.object({ id: z.string().min(1), file: z.string().min(1), description: z.string() })),
  heads: z.array(
    z.object({
      code: z.string().regex(/^[a-z][a-z0-9_]*$/),
      label: z.string().min(1),
      group: z.enum(HISTORY_HEAD_GROUPS),
      measure: z.enum(HISTORY_MEASURES),
      category: z.enum([...INCIDENT_CATEGORIES, ...ACCIDENT_CATEGORIES]).optional(),
      description: z.string().min(1),
      sources: z.array(z.string().nullable()),
    }),
  ),
  units: z.array(
    z.object({
      code: z.string().min(1),
      name: z.string().min(1),
      kind: z.enum(['district', 'statewide']),
      census: z
        .object({
          population: z.number().int().positive(),
          areaKm2: nullableNumber,
          densityPerKm2: nullableNumber,
          literacyRate: nullableNumber,
          sexRatio: nullableNumber,
          urbanShare: nullableNumber,
          source: z.string().min(1),
        })
        .nullable(),
      firstYear: z.number().int().nullable(),
      population: z.array(z.number().int().positive().nullable()),
      estimated: z.array(z.boolean()),
      carries: z.array(z.array(z.string())),
      note: z.string(),
    }),
  ),
  values: z.array(z.array(z.array(z.number().int().min(0).nullable()))),
});

/** Parses a history file's JSON and checks that its arrays line up; throws naming the file and the problem. */
export function parseHistoryDataset(value: unknown, sourceName: string): HistoryDataset {
  const parsed = historySchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid history file ${sourceName}: ${problems.slice(0, 10).join('; ')}`);
  }
  const data = parsed.data;
  const fail = (why: string): never => {
    throw new Error(`invalid history file ${sourceName}: ${why}`);
  };
  const n = data.years.length;
  const sourceIds = new Set(data.sources.map((s) => s.id));
  for (const head of data.heads) {
    if (head.sources.length !== n) fail(`head ${head.code}: ${head.sources.length} sources for ${n} years`);
    for (const id of head.sources)
      if (id !== null && !sourceIds.has(id)) fail(`head ${head.code}: unknown source ${id}`);
  }
  if (data.values.length !== data.units.length)
    fail(`${data.values.length} value blocks for ${data.units.length} units`);
  data.units.forEach((unit, u) => {
    for (const [key, list] of [
      ['population', unit.population],
      ['estimated', unit.estimated],
      ['carries', unit.carries],
    ] as const)
      if (list.length !== n) fail(`unit ${unit.code}: ${key} has ${list.length} entries for ${n} years`);
    const block = data.values[u] ?? [];
    if (block.length !== data.heads.length)
      fail(`unit ${unit.code}: ${block.length} series for ${data.heads.length} heads`);
    block.forEach((series, h) => {
      if (series.length !== n)
        fail(`unit ${unit.code} head ${data.heads[h]?.code ?? h}: ${series.length} values for ${n} years`);
    });
  });
  return data;
}

// ---- REST answers (/api/history) ----

/** GET /api/history/meta */
export interface HistoryMetaAnswer {
  readonly region: string;
  /** Content hash of the loaded history file; changes when the data changes. */
  readonly version: string;
  readonly years: readonly number[];
  readonly missingYears: readonly { readonly year: number; readonly reason: string }[];
  readonly populationBasis: string;
  readonly rules: readonly string[];
  readonly sources: readonly HistorySource[];
  readonly heads: readonly HistoryHead[];
  /** The units in the caller's scope (statewide police units only for a statewide scope). */
  readonly units: readonly Omit<HistoryUnit, 'population' | 'estimated' | 'carries'>[];
}

/** One unit's figure for one head and year. */
export interface HistoryCell {
  readonly unit: string;
  readonly name: string;
  readonly kind: 'district' | 'statewide';
  /** The count, null when the unit has no figure that year (see the unit's note). */
  readonly value: number | null;
  /** The population the rate divides by (see `populationBasis`), null for statewide units. */
  readonly population: number | null;
  /** value / population x 100,000, null when either is missing. */
  readonly ratePer100k: number | null;
  /** Whether the population includes an apportioned part. */
  readonly estimated: boolean;
  /** The other districts whose area this figure covers (they had not reported on their own yet). */
  readonly carries: readonly string[];
  /** Source id of the figure (see meta.sources), null when there is no figure. */
  readonly source: string | null;
}

/** GET /api/history?head=&year= : every unit in scope for one head and year. */
export interface HistoryYearAnswer {
  readonly head: string;
  readonly year: number;
  readonly cells: readonly HistoryCell[];
}

/** GET /api/history/districts/:code : one unit, every head, every year. */
export interface HistoryDistrictAnswer {
  readonly unit: Omit<HistoryUnit, 'population' | 'estimated' | 'carries'>;
  readonly years: readonly number[];
  readonly population: readonly (number | null)[];
  readonly estimated: readonly boolean[];
  readonly carries: readonly (readonly string[])[];
  readonly series: readonly {
    readonly head: string;
    readonly values: readonly (number | null)[];
    readonly ratesPer100k: readonly (number | null)[];
    readonly sources: readonly (string | null)[];
  }[];
}
