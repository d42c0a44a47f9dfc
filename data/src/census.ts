import { CoverageBuilder } from './coverage.js';
import { fileName, readCsv, type CsvRecord } from './csv.js';
import type { RegionRegistry } from './registry.js';
import type { LoadResult } from './rows.js';

/** One district of india-districts-census-2011.csv. */
export interface CensusDistrictRow {
  readonly year: 2011;
  /** Registry code of the district with this census code. */
  readonly district: string;
  readonly censusCode: number;
  /** The district's name as the file spells it. */
  readonly name: string;
  /** Every indicator of the file by column name (Population, Male, Female, Literate, SC, Workers, ...). */
  readonly indicators: Readonly<Record<string, number>>;
}

/** One Total, Rural or Urban row of census_population.csv (Census 2011 Table A-1). */
export interface CensusAreaRow {
  readonly year: 2011;
  readonly level: 'state' | 'district' | 'sub-district';
  /** Registry code of the 2011 district the row lies in; absent for the state row. */
  readonly district?: string;
  readonly censusCode?: number;
  readonly subDistrictCode?: number;
  readonly name: string;
  readonly residence: 'Total' | 'Rural' | 'Urban';
  readonly households: number;
  readonly population: number;
  readonly male: number;
  readonly female: number;
  readonly areaKm2: number;
}

const censusCodes = (registry: RegionRegistry): Map<number, string> =>
  new Map(
    registry
      .districts()
      .filter((unit) => unit.censusCode !== undefined)
      .map((unit) => [unit.censusCode ?? 0, unit.code]),
  );

/** Notes a row whose name the registry resolves to another unit than its census code does. */
function checkName(name: string, code: string, registry: RegionRegistry, coverage: CoverageBuilder): void {
  const byName = registry.find(name)?.code;
  if (byName !== code)
    coverage.note(`"${name}" is ${byName ?? 'no unit'} by name but ${code} by census code`);
}

/**
 * india-districts-census-2011.csv for the registry's region: one row per 2011 district, matched by
 * census code (and its name cross-checked against the registry's spellings).
 */
export async function loadCensusDistricts(
  file: string | URL,
  registry: RegionRegistry,
): Promise<LoadResult<CensusDistrictRow>> {
  const coverage = new CoverageBuilder(fileName(file), [2011]);
  const codes = censusCodes(registry);
  const rows: CensusDistrictRow[] = [];
  for await (const record of readCsv(file)) {
    coverage.read();
    const state = record.values['State name']?.trim() ?? '';
    const name = record.values['District name']?.trim() ?? '';
    const example = `row ${record.row}: ${state} / ${name}`;
    if (!registry.isRegionName(state)) {
      coverage.skip(`outside ${registry.region.name}`, example);
      continue;
    }
    const censusCode = Number(record.values['District code']);
    const district = codes.get(censusCode);
    if (district === undefined) {
      coverage.unmappedName(name, 2011, example);
      continue;
    }
    checkName(name, district, registry, coverage);
    rows.push({ year: 2011, district, censusCode, name, indicators: indicatorsOf(record, coverage) });
    coverage.use(2011, district);
  }
  return { rows, coverage: coverage.report(registry) };
}

const IDENTITY_COLUMNS = new Set(['District code', 'State name', 'District name']);

function indicatorsOf(record: CsvRecord, coverage: CoverageBuilder): Record<string, number> {
  const indicators: Record<string, number> = {};
  for (const [column, raw] of Object.entries(record.values)) {
    if (IDENTITY_COLUMNS.has(column)) continue;
    const value = Number(raw);
    if (raw === undefined || raw.trim() === '' || !Number.isFinite(value))
      coverage.note(`row ${record.row}: ${column} is "${raw ?? ''}", left out`);
    else indicators[column] = value;
  }
  return indicators;
}

const LEVELS: Readonly<Record<string, CensusAreaRow['level']>> = {
  STATE: 'state',
  DISTRICT: 'district',
  'SUB-DISTRICT': 'sub-district',
};
const RESIDENCES: readonly string[] = ['Total', 'Rural', 'Urban'] satisfies CensusAreaRow['residence'][];
const isResidence = (value: string): value is CensusAreaRow['residence'] => RESIDENCES.includes(value);

/**
 * census_population.csv (Table A-1) for the registry's region: the state, its 2011 districts and
 * their sub-districts, each as Total, Rural and Urban rows. Districts formed after 2011 have no row
 * of their own; their sub-districts carry the 2011 district's code.
 */
export async function loadCensusAreas(
  file: string | URL,
  registry: RegionRegistry,
): Promise<LoadResult<CensusAreaRow>> {
  const coverage = new CoverageBuilder(fileName(file), [2011]);
  const codes = censusCodes(registry);
  const rows: CensusAreaRow[] = [];
  let stateCode: string | undefined;
  for await (const record of readCsv(file)) {
    coverage.read();
    const v = record.values;
    const category = v.Category?.trim() ?? '';
    const name = (v.Name ?? '').replace(/#/g, '').trim();
    const example = `row ${record.row}: ${category} ${name}`;
    if (category === 'STATE' && registry.isRegionName(name)) stateCode = v['State Code'];
    const level = LEVELS[category];
    if (stateCode === undefined || v['State Code'] !== stateCode || level === undefined) {
      coverage.skip(`outside ${registry.region.name}`, example);
      continue;
    }
    const residence = v.Residence?.trim() ?? '';
    if (!isResidence(residence)) {
      coverage.skip(`unknown residence "${residence}"`, example);
      continue;
    }
    const censusCode = Number(v['District Code']);
    const district = codes.get(censusCode);
    if (level !== 'state' && district === undefined) {
      coverage.unmappedName(name, 2011, example);
      continue;
    }
    if (level === 'district' && district !== undefined && residence === 'Total')
      checkName(name, district, registry, coverage);
    const subDistrictCode = Number(v['Sub District Code']);
    rows.push({
      year: 2011,
      level,
      ...(level === 'state' ? {} : { district, censusCode }),
      ...(level === 'sub-district' ? { subDistrictCode } : {}),
      name,
      residence,
      households: Number(v.Households),
      population: Number(v['Population (Person)']),
      male: Number(v['Population (Male)']),
      female: Number(v['Population (Female)']),
      areaKm2: Number(v.Area),
    });
    coverage.use(2011, district);
  }
  return { rows, coverage: coverage.report(registry) };
}
