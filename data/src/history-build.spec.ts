import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseHistoryDataset, type HistoryDataset } from '@district-monitor/streams';
import { TAMIL_NADU_EARLIER_SPLITS, buildHistory } from './history-build.js';
import { historyFileOf, loadHistory } from './history.js';
import { loadRegion, readRegion, type RegionRegistry } from './registry.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const regionFile = `${root}data/regions/tamil-nadu.json`;
const shared = `${root}../shared/data`;

describe('data/history/tamil-nadu.json', () => {
  let registry: RegionRegistry;
  let committed: HistoryDataset;
  let built: HistoryDataset;
  const cell = (data: HistoryDataset, unit: string, head: string, year: number) => {
    const u = data.units.findIndex((x) => x.code === unit);
    const h = data.heads.findIndex((x) => x.code === head);
    const y = data.years.indexOf(year);
    if (u < 0 || h < 0 || y < 0) throw new Error(`no cell ${unit} ${head} ${year}`);
    return data.values[u]?.[h]?.[y];
  };
  const unitOf = (code: string) => {
    const unit = committed.units.find((x) => x.code === code);
    if (unit === undefined) throw new Error(`no unit ${code}`);
    return unit;
  };
  const at = (year: number) => committed.years.indexOf(year);

  beforeAll(async () => {
    registry = await loadRegion(regionFile);
    const file = historyFileOf(await readRegion(regionFile), regionFile);
    if (file === undefined) throw new Error('the region file names no history');
    committed = (await loadHistory(file)).dataset;
    built = await buildHistory({
      sharedDirectory: shared,
      registry,
      earlierSplits: TAMIL_NADU_EARLIER_SPLITS,
      regionFileName: 'data/regions/tamil-nadu.json',
    });
  });

  it('is what the build script makes of ../shared/data today (regenerated in memory)', () => {
    expect(parseHistoryDataset(JSON.parse(JSON.stringify(built)), 'built')).toEqual(committed);
  });

  it('is small, names a source file for every figure, and says 2015 is missing', () => {
    const file = historyFileOf(registry.region, regionFile) ?? '';
    expect(statSync(file).size).toBeLessThan(1_000_000);
    expect(committed.years[0]).toBe(2001);
    expect(committed.years.at(-1)).toBe(2022);
    expect(committed.years).not.toContain(2015);
    expect(committed.missingYears.map((m) => m.year)).toEqual([2015]);
    committed.values.forEach((block) => {
      block.forEach((series, h) => {
        series.forEach((value, y) => {
          if (value !== null) expect(committed.heads[h]?.sources[y]).not.toBeNull();
        });
      });
    });
    for (const source of committed.sources)
      expect(statSync(`${shared}/${source.file}`).isFile(), source.file).toBe(true);
  });

  it('matches cells checked by hand in the source CSVs', () => {
    // 01_District_wise_crimes_committed_IPC_2001_2012.csv, TOTAL IPC CRIMES: ARIYALUR 2012 2480, DINDIGUL 2001 4657.
    expect(cell(committed, 'TN-ARI', 'ipc_total', 2012)).toBe(2480);
    expect(cell(committed, 'TN-DGL', 'ipc_total', 2001)).toBe(4657);
    // Police units merge: COIMBATORE RURAL 9115 + COIMBATORE URBAN 3490.
    expect(cell(committed, 'TN-CBE', 'ipc_total', 2001)).toBe(9115 + 3490);
    // districtwise-ipc-crimes-2017-onwards.csv, Dindigul 2022: the sum of its head columns (no total column in that file).
    expect(cell(committed, 'TN-DGL', 'ipc_total', 2022)).toBe(5597);
    // No district table of crimes against children after 2012.
    expect(cell(committed, 'TN-DGL', 'children_total', 2022)).toBeNull();
  });

  it('shows a district from its first year; its parent carries it (and its population) before', () => {
    expect(unitOf('TN-KGI').firstYear).toBe(2004);
    expect(cell(committed, 'TN-KGI', 'ipc_total', 2003)).toBeNull();
    expect(unitOf('TN-DPI').carries[at(2003)]).toEqual(['TN-KGI']);
    expect(unitOf('TN-DPI').population[at(2003)]).toBe(1_506_843 + 1_879_809);
    expect(unitOf('TN-DPI').population[at(2004)]).toBe(1_506_843);
    expect(unitOf('TN-CGL').carries[at(2019)]).toEqual([]);
    expect(unitOf('TN-KPM').carries[at(2019)]).toEqual(['TN-CGL']);
    expect(unitOf('TN-TKS').firstYear).toBe(2020);
    // Tiruppur (2009) is apportioned by census 2011 sub-districts: Kangeyam 209,385 + Dharapuram 282,752 to Erode.
    expect(unitOf('TN-ERD').population[at(2008)]).toBe(2_251_744 + 209_385 + 282_752);
    expect(unitOf('TN-ERD').estimated[at(2008)]).toBe(true);
    expect(unitOf('TN-ERD').estimated[at(2009)]).toBe(false);
    expect(unitOf('TN-MYD').firstYear).toBeNull();
  });

  it('covers the whole state population in every year, statewide units without population', () => {
    committed.years.forEach((_, y) => {
      const total = committed.units.reduce((sum, unit) => sum + (unit.population[y] ?? 0), 0);
      expect(total).toBe(72_147_030);
    });
    for (const unit of committed.units.filter((u) => u.kind === 'statewide'))
      expect(unit.population.every((p) => p === null)).toBe(true);
  });
});
