import { beforeAll, describe, expect, it } from 'vitest';
import { loadNcrb, NCRB_FILES } from './ncrb.js';
import { loadRegion, type RegionRegistry } from './registry.js';
import type { CountLoad, CountRow } from './rows.js';

const NCRB = new URL('../../../shared/data/ncrb/', import.meta.url);

let registry: RegionRegistry;
let loaded: Awaited<ReturnType<typeof loadNcrb>>;
const load = (file: string): CountLoad => {
  const index = NCRB_FILES.findIndex((spec) => spec.file === file);
  const result = loaded.files[index];
  if (result === undefined) throw new Error(`not loaded: ${file}`);
  return result;
};
const sumBy = (rows: readonly CountRow[], key: (row: CountRow) => string): Map<string, number> => {
  const sums = new Map<string, number>();
  for (const row of rows) sums.set(key(row), (sums.get(key(row)) ?? 0) + row.count);
  return sums;
};

beforeAll(async () => {
  registry = await loadRegion(new URL('../regions/tamil-nadu.json', import.meta.url));
  loaded = await loadNcrb(NCRB, registry);
});

describe('NCRB loaders, Tamil Nadu', () => {
  it.each(NCRB_FILES.map((spec) => [spec.file, spec.years] as const))(
    '%s: every unit name maps to the registry and the years are %j',
    (file, years) => {
      const { coverage } = load(file);
      expect(coverage.unmappedNames).toEqual([]);
      expect(coverage.unmappedHeads).toEqual([]);
      expect(coverage.years).toEqual(years);
      expect(coverage.missingYears).toEqual([]);
      const skipped = coverage.skipped.reduce((sum, entry) => sum + entry.rows, 0);
      expect(coverage.rowsUsed + skipped).toBe(coverage.rowsRead);
    },
  );

  it('names 2015 as the one year no NCRB file covers', () => {
    expect(loaded.missingYears).toEqual([2015]);
    expect(loaded.years).toHaveLength(21);
  });

  // The 2016 extract and the 2017-onwards files have no state total row.
  it.each(NCRB_FILES.filter((spec) => !spec.file.startsWith('districtwise')).map((spec) => spec.file))(
    '%s: the state total row equals the sum of the units, per year and head',
    (file) => {
      const { rows, totals } = load(file);
      expect(totals.length).toBeGreaterThan(0);
      const key = (row: CountRow) => `${row.year} ${row.head}`;
      const units = sumBy(rows, key);
      for (const [cell, total] of sumBy(totals, key)) expect(units.get(cell) ?? 0, cell).toBe(total);
    },
  );

  it('IPC 2001-2013: unit rows sum to the TOTAL IPC CRIMES of the state total row each year', () => {
    // The state TOTAL row's "TOTAL IPC CRIMES", read from the files by hand.
    const reported = [
      154801, 166942, 157186, 166606, 162360, 148972, 172754, 176833, 174691, 185678, 192879, 200474, 203579,
    ];
    const rows = [
      ...load('01_District_wise_crimes_committed_IPC_2001_2012.csv').rows,
      ...load('01_District_wise_crimes_committed_IPC_2013.csv').rows,
    ];
    const byYear = sumBy(rows, (row) => String(row.year));
    expect(reported.map((_, i) => byYear.get(String(2001 + i)))).toEqual(reported);
  });

  it('reports the two 2001 rows whose heads do not add up to their TOTAL IPC CRIMES', () => {
    const { coverage } = load('01_District_wise_crimes_committed_IPC_2001_2012.csv');
    expect(coverage.notes).toContain(
      'totals that differ from the sum of their heads: PERAMBALUR 2001 1100 vs 1091; VIRUDHUNAGAR 2001 4503 vs 4512',
    );
  });

  it('attributes city police to their district and statewide units to none', () => {
    const { rows } = load('01_District_wise_crimes_committed_IPC_2001_2012.csv');
    const trichyCity = rows.find((row) => row.unit === 'TN-TRYC');
    expect(trichyCity?.district).toBe('TN-TRY');
    expect(rows.filter((row) => row.unit === 'TN-RLY').every((row) => row.district === null)).toBe(true);
    expect(rows.filter((row) => row.unit === 'TN-CHNS').map((row) => row.year)).toContain(2008);
  });

  it('2017 onwards: districts formed in 2019 report from 2020, Mayiladuthurai never', () => {
    const { coverage, rows } = load('districtwise-ipc-crimes-2017-onwards.csv');
    const missing = Object.fromEntries(coverage.missingDistricts.map((entry) => [entry.code, entry.years]));
    expect(missing).toEqual({
      'TN-CGL': [2017, 2018, 2019],
      'TN-KKI': [2017, 2018, 2019],
      'TN-RPT': [2017, 2018, 2019],
      'TN-TKS': [2017, 2018, 2019],
      'TN-TPT': [2017, 2018, 2019],
      'TN-MYD': [2017, 2018, 2019, 2020, 2021, 2022],
    });
    const commissionerates = new Set(
      rows.filter((row) => row.unit === 'TN-TBM' || row.unit === 'TN-AVD').map((r) => r.year),
    );
    expect([...commissionerates]).toEqual([2022]);
  });

  it('2017 onwards: the road-related heads are road accidents', () => {
    const { rows } = load('districtwise-ipc-crimes-2017-onwards.csv');
    const roadHeads = new Set(rows.filter((row) => row.category === 'road_accident').map((row) => row.head));
    expect([...roadHeads].sort()).toEqual([
      'acdnt_other_than_hit_and_run_',
      'csng_hrt_rsh_nglgnt_drvng_pblc_wy',
      'grvus_hrt_rsh_nglgnt_drvng',
      'hit_and_run',
      'rash_driving_pub_way',
    ]);
  });

  it('2001-2012: lists the districts missing before they were formed', () => {
    const { coverage } = load('01_District_wise_crimes_committed_IPC_2001_2012.csv');
    const missing = Object.fromEntries(coverage.missingDistricts.map((entry) => [entry.code, entry.years]));
    expect(missing['TN-KGI']).toEqual([2001, 2002, 2003]);
    expect(missing['TN-TUP']).toEqual([2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008]);
    expect(missing['TN-ARI']).toEqual([2002, 2003, 2004, 2005, 2006, 2007, 2008]);
    expect(missing['TN-MDU']).toBeUndefined();
  });
});
