import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ACCIDENT_FILES,
  loadAccidentsByMonth,
  loadAccidentsByTimeOfDay,
  loadAccidentsByYear,
  loadAccidentUnits,
  loadCityAccidentCauses,
} from './accidents.js';
import type { CoverageReport } from './coverage.js';
import { loadRegion, type RegionRegistry } from './registry.js';
import type { CountRow } from './rows.js';

const ACCIDENTS = new URL('../../../shared/data/accidents/', import.meta.url);
const file = (name: string): URL => new URL(encodeURIComponent(name), ACCIDENTS);
let registry: RegionRegistry;

const total = (rows: readonly CountRow[], where: (row: CountRow) => boolean): number =>
  rows.filter(where).reduce((sum, row) => sum + row.count, 0);
const accounted = (coverage: CoverageReport): number =>
  coverage.rowsUsed + coverage.skipped.reduce((sum, entry) => sum + entry.rows, 0);

beforeAll(async () => {
  registry = await loadRegion(new URL('../regions/tamil-nadu.json', import.meta.url));
});

describe('road accident loaders, Tamil Nadu', () => {
  it('MoRTH 2018-2022 (mixed line ends): 67279, 62685, 49844, 55682, 64105', async () => {
    const { rows, coverage } = await loadAccidentsByYear(file(ACCIDENT_FILES.stateYear), registry);
    expect(rows.map((row) => [row.year, row.count])).toEqual([
      [2018, 67279],
      [2019, 62685],
      [2020, 49844],
      [2021, 55682],
      [2022, 64105],
    ]);
    expect(rows.every((row) => row.district === null && row.measure === 'accidents')).toBe(true);
    expect(coverage.rowsRead).toBe(38);
    expect(accounted(coverage)).toBe(38);
  });

  it('2001-2014 by month and by time of day: both hold every year and agree on each year total', async () => {
    const byMonth = await loadAccidentsByMonth(file(ACCIDENT_FILES.month), registry);
    const bySlot = await loadAccidentsByTimeOfDay(file(ACCIDENT_FILES.timeOfDay), registry);
    for (const load of [byMonth, bySlot]) {
      expect(load.coverage.years).toEqual(Array.from({ length: 14 }, (_, i) => 2001 + i));
      expect(load.coverage.notes).toEqual([]);
      expect(accounted(load.coverage)).toBe(load.coverage.rowsRead);
    }
    for (let year = 2001; year <= 2014; year++) {
      const inYear = (row: CountRow) => row.year === year;
      expect(total(byMonth.rows, inYear), String(year)).toBe(total(bySlot.rows, inYear));
    }
    // Tamil Nadu 2001, TOTAL column of both files.
    expect(total(byMonth.rows, (row) => row.year === 2001)).toBe(51978);
    expect(byMonth.rows.find((row) => row.year === 2001 && row.month === 1)?.count).toBe(4174);
  });

  it('units 2020-2021: all 43 units map, city police under their district, Mayiladuthurai absent', async () => {
    const { rows, coverage } = await loadAccidentUnits(file(ACCIDENT_FILES.units), registry);
    expect(coverage.rowsRead).toBe(43);
    expect(coverage.rowsUsed).toBe(43);
    expect(coverage.unmappedNames).toEqual([]);
    expect(coverage.notes).toEqual([]);
    expect(coverage.missingDistricts).toEqual([
      { code: 'TN-MYD', name: 'Mayiladuthurai', years: [2020, 2021] },
    ]);
    expect(rows.find((row) => row.unit === 'TN-CHNC')?.district).toBe('TN-CHN');

    const source = parse<Record<string, string>>(readFileSync(file(ACCIDENT_FILES.units)), { columns: true });
    const column = (name: string) => source.reduce((sum, row) => sum + Number(row[name]), 0);
    expect(total(rows, (row) => row.year === 2020 && row.measure === 'fatal_accidents')).toBe(
      column('2020_fatal'),
    );
    expect(total(rows, (row) => row.year === 2021 && row.measure === 'accidents')).toBe(
      column('total__2021'),
    );
    expect(total(rows, (row) => row.measure === 'killed')).toBe(
      column('death_by_lorries__2021') +
        column('death_by_buses2021') +
        column('death_by_carsjeeps_2021') +
        column('death_by_threewheelers__2021') +
        column('death_by_twowheelers_2021') +
        column('death_by_others_2021'),
    );
  });

  it('million-plus cities 2020: the four Tamil Nadu cities, attributed to their districts', async () => {
    const { rows, coverage } = await loadCityAccidentCauses(file(ACCIDENT_FILES.cityCauses), registry);
    expect([...new Set(rows.map((row) => row.district))].sort()).toEqual([
      'TN-CBE',
      'TN-CHN',
      'TN-MDU',
      'TN-TRY',
    ]);
    expect(accounted(coverage)).toBe(coverage.rowsRead);
    // Coimbatore has three fractional counts: skipped and named, not rounded.
    expect(coverage.skipped.find((entry) => entry.reason === 'no count')?.rows).toBe(3);
    const chennaiRain = (measure: CountRow['measure']) =>
      rows.find(
        (row) => row.district === 'TN-CHN' && row.head === 'Weather: Rainy' && row.measure === measure,
      )?.count;
    expect([chennaiRain('accidents'), chennaiRain('killed'), chennaiRain('grievously_injured')]).toEqual([
      1655, 289, 279,
    ]);
  });
});
