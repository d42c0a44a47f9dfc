import type { IncidentCategory } from '@district-monitor/streams';
import { chicagoCategory } from './categories.js';
import { CoverageBuilder } from './coverage.js';
import { fileName, readCsv } from './csv.js';
import { zonedWallTimeToUtc } from './producers/zoned-time.js';
import type { RegionRegistry } from './registry.js';
import type { LoadResult } from './rows.js';
import { chicagoLocation, chicagoWallTime } from './chicago.js';

/** One incident of the Chicago export, normalised. */
export interface IncidentRow {
  /** The export's ID. */
  readonly id: string;
  /** When it occurred, as a UTC ISO 8601 instant (the export gives Chicago wall-clock time). */
  readonly timestamp: string;
  /** Registry district code (`CHI-001`). */
  readonly district: string;
  readonly category: IncidentCategory;
  /** The export's Primary Type, which `category` is mapped from. */
  readonly primaryType: string;
  /** Absent for the ~1% of incidents without coordinates. */
  readonly location?: { readonly lat: number; readonly lon: number };
}

/**
 * A Chicago "Crimes - 2001 to present" export (../shared/data/incidents): one row per incident with
 * its UTC timestamp, district code (the export's District matched through the registry's spellings,
 * "001" -> CHI-001) and category (`chicagoCategory`). Years are the local calendar years.
 */
export async function loadChicagoIncidents(
  file: string | URL,
  registry: RegionRegistry,
): Promise<LoadResult<IncidentRow>> {
  const coverage = new CoverageBuilder(fileName(file));
  const rows: IncidentRow[] = [];
  const offsets = new Map<string, number>();
  const readAsOther = new Map<string, number>();
  for await (const { row, values } of readCsv(file)) {
    coverage.read();
    const id = values.ID?.trim() ?? '';
    const rawDistrict = values.District?.trim() ?? '';
    const example = `row ${row}: ID ${id}, District "${rawDistrict}"`;
    const wall = chicagoWallTime(values.Date ?? '');
    if (id === '' || wall === undefined) {
      coverage.skip(id === '' ? 'ID is empty' : 'Date is not MM/DD/YYYY hh:mm:ss AM/PM', example);
      continue;
    }
    if (rawDistrict === '') {
      coverage.skip('District is empty', example);
      continue;
    }
    const unit = registry.find(rawDistrict);
    if (unit === undefined || unit.kind !== 'district') {
      coverage.unmappedName(rawDistrict, wall.year, example);
      continue;
    }
    const primaryType = values['Primary Type']?.trim() ?? '';
    const category = chicagoCategory(primaryType);
    if (category === 'other') readAsOther.set(primaryType, (readAsOther.get(primaryType) ?? 0) + 1);
    const instant = zonedWallTimeToUtc(wall, registry.region.timeZone, offsets);
    const location = chicagoLocation(values.Latitude, values.Longitude);
    rows.push({
      id,
      timestamp: new Date(instant).toISOString(),
      district: unit.code,
      category,
      primaryType,
      ...(location === undefined ? {} : { location }),
    });
    coverage.use(wall.year, unit.code);
  }
  const others = [...readAsOther].sort((a, b) => b[1] - a[1]).map(([type, n]) => `${type} ${n}`);
  if (others.length > 0) coverage.note(`primary types read as "other": ${others.join(', ')}`);
  return { rows, coverage: coverage.report(registry) };
}
