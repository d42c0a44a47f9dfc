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
}

export interface Region {
  readonly code: string;
  readonly name: string;
  /** IANA time zone of the region, used only for display and for the simulator's daily pattern. */
  readonly timeZone: string;
  readonly units: readonly RegionUnit[];
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
});

const regionSchema = z.object({
  code: z.string().regex(/^[A-Z]{2,4}$/),
  name: z.string().min(1),
  timeZone: z.string().min(1),
  units: z.array(unitSchema).min(1),
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
