import { z } from 'zod';

/**
 * A region is data: its districts and police units, loaded from a JSON file under `data/regions/`.
 * Nothing in the code names a Tamil Nadu district.
 */
export interface RegionUnit {
  /** Stable code, e.g. `TN-CHN`. */
  readonly code: string;
  /** Display name as the region spells it. */
  readonly name: string;
  readonly kind: 'district' | 'police_unit';
  /** For police units: the revenue district they belong to. */
  readonly parent?: string;
  /** Headquarters, WGS84. */
  readonly lat: number;
  readonly lon: number;
  /** Every spelling of this unit in source datasets; matched by `normaliseUnitName`. */
  readonly spellings?: readonly string[];
  /** Census 2011 district code, where the district existed in 2011. */
  readonly censusCode?: number;
  /** Local Government Directory code. */
  readonly lgdCode?: number;
  /** For districts formed after the 2011 census: the districts they were carved out of. */
  readonly carvedFrom?: readonly string[];
  /** Census 2011 population; apportioned for districts formed later (see `populationSource`). */
  readonly population?: number;
  /** `census-2011`, or how an apportioned population was computed. */
  readonly populationSource?: string;
  readonly areaKm2?: number;
  /** Literate people as a share of the whole population (census 2011 "Literate" / "Population"), 0-1. */
  readonly literacyRate?: number;
  /** Females per 1,000 males. */
  readonly sexRatio?: number;
  /** Urban share of the population, 0-1. */
  readonly urbanShare?: number;
}

export interface Region {
  readonly code: string;
  readonly name: string;
  /** IANA time zone of the region, used only for display and for the simulator's daily pattern. */
  readonly timeZone: string;
  readonly units: readonly RegionUnit[];
  /** The region's yearly history file (`HistoryDataset`), relative to the region file; none = no history. */
  readonly history?: string;
  /** The region's district map (GeoJSON FeatureCollection), relative to the region file; none = schematic map. */
  readonly map?: string;
}

/** District and unit codes: region prefix, a dash, 2-10 upper-case letters or digits. */
export const UNIT_CODE_PATTERN = /^[A-Z]{2,4}-[A-Z0-9]{2,10}$/;

export function districtsOf(region: Region): RegionUnit[] {
  return region.units.filter((unit) => unit.kind === 'district');
}

const unitSchema = z.strictObject({
  code: z.string().regex(UNIT_CODE_PATTERN),
  name: z.string().min(1),
  kind: z.enum(['district', 'police_unit']),
  parent: z.string().regex(UNIT_CODE_PATTERN).optional(),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  spellings: z.array(z.string().min(1)).optional(),
  censusCode: z.number().int().positive().optional(),
  lgdCode: z.number().int().positive().optional(),
  carvedFrom: z.array(z.string().regex(UNIT_CODE_PATTERN)).optional(),
  population: z.number().int().positive().optional(),
  populationSource: z.string().min(1).optional(),
  areaKm2: z.number().positive().optional(),
  literacyRate: z.number().min(0).max(1).optional(),
  sexRatio: z.number().positive().optional(),
  urbanShare: z.number().min(0).max(1).optional(),
});

const regionSchema = z.object({
  code: z.string().regex(/^[A-Z]{2,4}$/),
  name: z.string().min(1),
  timeZone: z.string().min(1),
  units: z.array(unitSchema).min(1),
  history: z.string().min(1).optional(),
  map: z.string().min(1).optional(),
});

/** Parses a region file's JSON; throws naming the file and every problem. */
export function parseRegion(value: unknown, sourceName: string): Region {
  const parsed = regionSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid region file ${sourceName}: ${problems.join('; ')}`);
  }
  const region = parsed.data;
  const codes = new Set<string>();
  for (const unit of region.units) {
    if (codes.has(unit.code))
      throw new Error(`invalid region file ${sourceName}: duplicate code ${unit.code}`);
    codes.add(unit.code);
  }
  for (const unit of region.units) {
    if (unit.parent !== undefined && !codes.has(unit.parent)) {
      throw new Error(`invalid region file ${sourceName}: ${unit.code} has unknown parent ${unit.parent}`);
    }
  }
  return region;
}

/** Folds a source dataset's unit name for matching: case, punctuation and spacing ignored. */
export function normaliseUnitName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '');
}
