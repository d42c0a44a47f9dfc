import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTierTask } from '../tier/tier-task.js';
import { loadRegion, type RegionRegistry } from '../registry.js';
import {
  datasetHistorySource,
  historyHash,
  ncrbHistorySource,
  tierTaskOfTable,
  type HistoryTable,
} from './table.js';

const DATA = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
const REGION = new URL('../../regions/tamil-nadu.json', import.meta.url);
const DATASET = fileURLToPath(new URL('../../history/tamil-nadu.json', import.meta.url));

describe('ncrbHistorySource', () => {
  let registry: RegionRegistry;
  let table: HistoryTable;

  beforeAll(async () => {
    registry = await loadRegion(REGION);
    table = await ncrbHistorySource(DATA, registry).load();
  }, 60_000);

  it("holds T1's merged units and years, and gives back T1's task exactly", async () => {
    const task = await loadTierTask(`${DATA}ncrb`, registry);
    expect(table.years).toEqual(task.years);
    expect(table.years).not.toContain(2015);
    expect(table.units.map((u) => u.code)).toEqual(task.units.map((u) => u.code));
    expect(table.units.find((u) => u.code === 'TN-CBE')?.members).toEqual(
      expect.arrayContaining(['TN-CBE', 'TN-ERD', 'TN-TUP']),
    );
    const again = tierTaskOfTable(table);
    expect(again.rates).toEqual(task.rates);
    expect(again.tiers).toEqual(task.tiers);
  });

  it("reads Chennai's road accidents of 2020 and 2021 from the accident file", () => {
    const chennai = table.units.find((u) => u.code === 'TN-CHN');
    // road_acccidents_ML_mini_project.csv, Chennai City: total__2020 4387, total__2021 5034; fatal 885 + 975.
    expect(chennai?.indicators[0]).toBeCloseTo(
      ((4387 + 5034) / 2 / (chennai?.population ?? NaN)) * 100_000,
      9,
    );
    expect(chennai?.indicators[1]).toBeCloseTo((885 + 975) / (4387 + 5034), 9);
  });

  it('hashes the content: the same table the same hash, one changed count another', () => {
    expect(historyHash(structuredClone(table))).toBe(historyHash(table));
    const changed = JSON.parse(JSON.stringify(table)) as { units: { cases: number[][] }[] };
    const first = changed.units[0]?.cases[0];
    if (first === undefined) throw new Error('no cases');
    first[0] = (first[0] ?? 0) + 1;
    expect(historyHash(changed as unknown as HistoryTable)).not.toBe(historyHash(table));
  });

  it("reads the same table from the region's committed history file as from the source files", async () => {
    const shipped = await datasetHistorySource(DATASET, registry).load();
    expect(shipped.years).toEqual(table.years);
    expect(shipped.categories).toEqual(table.categories);
    expect(shipped.units).toEqual(table.units);
  });
});
