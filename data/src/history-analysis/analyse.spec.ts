import type { Category } from '@district-monitor/streams';
import { beforeAll, describe, expect, it } from 'vitest';
import { initModelRuntime } from '../runtime/index.js';
import { FORECAST_YEARS, analyseHistory, type HistoryAnalysisBundle } from './analyse.js';
import { historyHash, type HistoryTable } from './table.js';

const YEARS = Array.from({ length: 22 }, (_, i) => 2001 + i).filter((year) => year !== 2015);
const CATEGORIES: Category[] = ['crime_body', 'crime_property', 'crime_women', 'road_accident'];

/**
 * Twelve units of a million people in two planted groups: A (units 0-5) with many crimes against the body
 * and few against women, B (6-11) the reverse; every rate grows 2% a year; road-related cases are nearly
 * absent (too few to forecast). Unit 11 has no accident figure.
 */
function plantedTable(): HistoryTable {
  return {
    region: 'XX',
    source: 'planted',
    years: YEARS,
    categories: CATEGORIES,
    indicators: [{ key: 'accidents_per_100k', label: 'road accidents per 100,000', group: 'accident' }],
    units: Array.from({ length: 12 }, (_, u) => {
      const a = u < 6;
      const base: Record<Category, number> = {
        crime_body: a ? 3000 + 40 * u : 1000 + 40 * u,
        crime_property: 1500 + 25 * u,
        crime_women: a ? 100 + 5 * u : 600 + 5 * u,
        road_accident: 0,
        crime_children: 0,
        suicide: 0,
        harassment: 0,
        other: 0,
      };
      return {
        code: `XX-U${u}`,
        name: `Unit ${u}`,
        members: [`XX-U${u}`],
        population: 1_000_000,
        literacyRate: a ? 60 + u : 85 + u - 6,
        sexRatio: 990 + u,
        urbanShare: a ? 0.3 : 0.5,
        densityPerKm2: 400 + 10 * u,
        indicators: [u === 11 ? null : a ? 100 : 50],
        cases: CATEGORIES.map((category) =>
          YEARS.map((year, y) =>
            category === 'road_accident'
              ? Number(y % 5 === 0)
              : Math.round(base[category] * 1.02 ** (year - 2001) * (1 + 0.01 * Math.sin(u + y))),
          ),
        ),
      };
    }),
  };
}

describe('analyseHistory on a planted history', () => {
  const table = plantedTable();
  let bundle: HistoryAnalysisBundle;

  beforeAll(async () => {
    const runtime = await initModelRuntime();
    bundle = await analyseHistory(table, runtime.augurs, { seed: 3 });
  }, 120_000);

  it('names the history it was trained on', () => {
    expect(bundle.historyHash).toBe(historyHash(table));
    expect(bundle.years).toEqual([2001, 2022]);
    expect(bundle.missingYears).toEqual([2015]);
    expect(bundle.heads.map((h) => h.key)).toEqual(['ipc_total', ...CATEGORIES]);
    expect(Object.keys(bundle.timings)).toEqual(['prophet', 'forest', 'kmeans', 'fusion']);
  });

  it('forecasts the next three years of each head with an 80% band around a point near the trend', () => {
    const unit = bundle.units[0];
    const total = unit?.heads.find((h) => h.head === 'ipc_total');
    expect(total?.observed).toHaveLength(YEARS.length);
    expect(total?.forecast.map((f) => f.year)).toEqual([2023, 2024, 2025].slice(0, FORECAST_YEARS));
    for (const point of total?.forecast ?? []) {
      expect(point.lower80).toBeLessThanOrEqual(point.ratePer100k);
      expect(point.ratePer100k).toBeLessThanOrEqual(point.upper80);
    }
    // Unit 0 in 2023: (3000 + 1500 + 100) per million, grown 2% a year for 22 years, per 100,000.
    const trend = (4600 * 1.02 ** 22) / 10;
    expect(total?.forecast[0]?.ratePer100k).toBeGreaterThan(trend * 0.9);
    expect(total?.forecast[0]?.ratePer100k).toBeLessThan(trend * 1.1);
    const road = unit?.heads.find((h) => h.head === 'road_accident');
    expect(road?.forecast).toEqual([]);
    expect(road?.noForecastReason).toMatch(/too few to forecast/);
  });

  it('finds the two planted profiles and describes them in words', () => {
    expect(bundle.profiles.k).toBe(2);
    const groups = bundle.profiles.profiles.map((p) => [...p.units].sort());
    expect(groups).toContainEqual(['XX-U0', 'XX-U1', 'XX-U2', 'XX-U3', 'XX-U4', 'XX-U5']);
    const a = bundle.profiles.profiles.find((p) => p.units.includes('XX-U0'));
    expect(a?.description).toMatch(/high crimes against the body/);
    expect(a?.description).toMatch(/low crimes against women/);
    // The unit without an accident figure keeps the indicator out of the profiles.
    expect(a?.centroid.map((c) => c.variable)).not.toContain('accidents_per_100k');
  });

  it('measures the importance of every factor with its spread, statewide and per unit, on held-out years', () => {
    const { importance } = bundle;
    expect(importance.testYears).toEqual([2019, 2022]);
    expect(importance.heldOutR2).toBeGreaterThan(0.5);
    expect(importance.factors).toHaveLength(4 + 1 + CATEGORIES.length + 2);
    for (const factor of importance.factors) expect(factor.sd).toBeGreaterThanOrEqual(0);
    expect(importance.factors[0]?.importance).toBeGreaterThan(0);
    for (const unit of bundle.units) expect(unit.contributions).toHaveLength(importance.factors.length);
  });

  it("predicts next year's tier with the fusion network, each branch's tier beside it", () => {
    expect(bundle.tiers.year).toBe(2023);
    const agree = bundle.units.filter((u) => u.tier.tier === u.tier.lastObservedTier).length;
    // A planted, stable ranking: the fusion keeps most units in their tier.
    expect(agree / bundle.units.length).toBeGreaterThanOrEqual(0.75);
    for (const { tier } of bundle.units) {
      expect(tier.probabilities.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 3);
      expect(tier.probability).toBe(Math.max(...tier.probabilities));
      for (const branch of Object.values(tier.branches)) expect([0, 1, 2]).toContain(branch.tier);
    }
  });

  it('keeps one correlation column per variable and unit', () => {
    const { variables, columns } = bundle.correlations;
    expect(columns).toHaveLength(variables.length);
    for (const column of columns) expect(column).toHaveLength(12);
    // The accident indicator with a unit unknown is left out.
    expect(variables.map((v) => v.key)).not.toContain('accidents_per_100k');
  });
});
