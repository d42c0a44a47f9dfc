import { beforeAll, describe, expect, it } from 'vitest';
import { loadCensusAreas, loadCensusDistricts, type CensusAreaRow } from './census.js';
import { loadRegion, type RegionRegistry } from './registry.js';

const CENSUS = new URL('../../../shared/data/census/', import.meta.url);
let registry: RegionRegistry;

beforeAll(async () => {
  registry = await loadRegion(new URL('../regions/tamil-nadu.json', import.meta.url));
});

const CARVED_LATER = ['TN-CGL', 'TN-KKI', 'TN-MYD', 'TN-RPT', 'TN-TKS', 'TN-TPT'];

describe('census loaders, Tamil Nadu', () => {
  it('india-districts-census-2011: the 32 districts of 2011, by census code and name, 72,147,030 people', async () => {
    const { rows, coverage } = await loadCensusDistricts(
      new URL('india-districts-census-2011.csv', CENSUS),
      registry,
    );
    expect(rows).toHaveLength(32);
    expect(coverage.unmappedNames).toEqual([]);
    expect(coverage.notes).toEqual([]);
    expect(coverage.missingDistricts.map((entry) => entry.code).sort()).toEqual(CARVED_LATER);
    expect(rows.reduce((sum, row) => sum + (row.indicators.Population ?? 0), 0)).toBe(72_147_030);
    expect(rows.find((row) => row.district === 'TN-TUT')?.name).toBe('Thoothukkudi');
  });

  it('census_population: state = sum of districts = sum of sub-districts, for people and area', async () => {
    const { rows, coverage } = await loadCensusAreas(new URL('census_population.csv', CENSUS), registry);
    expect(coverage.unmappedNames).toEqual([]);
    expect(coverage.notes).toEqual([]);
    const totals = rows.filter((row) => row.residence === 'Total');
    const sum = (level: CensusAreaRow['level'], field: 'population' | 'areaKm2') =>
      totals.filter((row) => row.level === level).reduce((acc, row) => acc + row[field], 0);
    expect(sum('state', 'population')).toBe(72_147_030);
    expect(sum('district', 'population')).toBe(72_147_030);
    expect(sum('sub-district', 'population')).toBe(72_147_030);
    expect(sum('district', 'areaKm2')).toBeCloseTo(130_060, 0);
    expect(totals.filter((row) => row.level === 'district')).toHaveLength(32);
  });

  it('census_population: urban and rural rows add up to the total of each district', async () => {
    const { rows } = await loadCensusAreas(new URL('census_population.csv', CENSUS), registry);
    const districts = rows.filter((row) => row.level === 'district');
    for (const code of new Set(districts.map((row) => row.district))) {
      const of = (residence: CensusAreaRow['residence']) =>
        districts.find((row) => row.district === code && row.residence === residence)?.population ?? 0;
      expect(of('Rural') + of('Urban'), code).toBe(of('Total'));
    }
  });
});
