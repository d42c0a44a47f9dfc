import { readFile } from 'node:fs/promises';
import { normaliseUnitName, parseRegion, type Region, type RegionUnit } from '@district-monitor/streams';

/**
 * Looks units of one region up by code or by any spelling the source datasets use, and folds
 * police units into the revenue districts they belong to.
 */
export interface RegionRegistry {
  readonly region: Region;
  /** The unit with exactly this code. */
  unit(code: string): RegionUnit | undefined;
  /** The unit with this code, or whose name or a spelling matches once normalised (`normaliseUnitName`). */
  find(nameOrCode: string): RegionUnit | undefined;
  /** Revenue districts, in file order. */
  districts(): readonly RegionUnit[];
  /** Police units, in file order. */
  policeUnits(): readonly RegionUnit[];
  /**
   * The revenue district a unit's counts belong to: a district is its own, a police unit its parent's;
   * undefined for a statewide unit without a parent (railway police, cyber cell) or an unknown code.
   */
  districtOf(code: string): string | undefined;
  /** The district itself and the police units whose parent it is. */
  unitsOf(district: string): readonly RegionUnit[];
  /**
   * The district as it stood at the census: a district formed later maps to the district it was
   * carved from (its first `carvedFrom`), any other district to itself.
   */
  censusDistrictOf(code: string): string | undefined;
  /** Whether a source's state or region name names this region (normalised). */
  isRegionName(name: string): boolean;
}

/**
 * Where a unit's counts go in output rows: its revenue district (null for a statewide unit without a
 * parent) and, for a police unit, the unit itself.
 */
export function attribution(unit: RegionUnit): { district: string | null; unit?: string } {
  return unit.kind === 'district'
    ? { district: unit.code }
    : { district: unit.parent ?? null, unit: unit.code };
}

/** Reads and validates a region file (`data/regions/*.json`); errors name the file. */
export async function readRegion(file: string | URL): Promise<Region> {
  const text = await readFile(file, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`region file ${String(file)} is not valid JSON`, { cause: error });
  }
  return parseRegion(json, String(file));
}

/** Reads a region file and indexes it. */
export async function loadRegion(file: string | URL): Promise<RegionRegistry> {
  return createRegistry(await readRegion(file));
}

/** Indexes a parsed region; throws when two units share a normalised name or spelling. */
export function createRegistry(region: Region): RegionRegistry {
  const byCode = new Map(region.units.map((unit) => [unit.code, unit]));
  const byName = new Map<string, RegionUnit>();
  for (const unit of region.units) {
    for (const spelling of [unit.name, ...(unit.spellings ?? [])]) {
      const key = normaliseUnitName(spelling);
      const other = byName.get(key);
      if (other !== undefined && other !== unit) {
        throw new Error(`region ${region.code}: "${spelling}" names both ${other.code} and ${unit.code}`);
      }
      byName.set(key, unit);
    }
  }
  const districts = region.units.filter((unit) => unit.kind === 'district');
  const policeUnits = region.units.filter((unit) => unit.kind === 'police_unit');
  const regionKey = normaliseUnitName(region.name);

  const districtOf = (code: string): string | undefined => {
    const unit = byCode.get(code);
    if (unit === undefined) return undefined;
    return unit.kind === 'district' ? unit.code : unit.parent;
  };

  return {
    region,
    unit: (code) => byCode.get(code),
    find: (nameOrCode) => byCode.get(nameOrCode.trim()) ?? byName.get(normaliseUnitName(nameOrCode)),
    districts: () => districts,
    policeUnits: () => policeUnits,
    districtOf,
    unitsOf: (district) => region.units.filter((unit) => districtOf(unit.code) === district),
    censusDistrictOf: (code) => {
      const district = byCode.get(districtOf(code) ?? '');
      return district?.carvedFrom?.[0] ?? district?.code;
    },
    isRegionName: (name) => normaliseUnitName(name) === regionKey,
  };
}
