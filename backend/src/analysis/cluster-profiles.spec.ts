import {
  CATEGORIES,
  type Category,
  type CategoryFeatures,
  type DistrictFeatures,
  type DistrictScore,
} from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import { clusterProfiles } from './cluster-profiles.js';

const score = (district: string, label: number, elevated: number): DistrictScore => ({
  district,
  asOf: '2025-06-02T10:00:00.000Z',
  elevated,
  classProbabilities: [0.2, 0.3, 0.5],
  expectedCount: 10,
  interval80: [5, 15],
  forecast: [],
  cluster: { label, peers: [] },
  topFactors: [],
  modelVersion: 'v3',
});

/** Features whose only read part is each category's 28-day rate (`null` = population unknown). */
function features(district: string, rates: Partial<Record<Category, number>> | null): DistrictFeatures {
  const categories = Object.fromEntries(
    CATEGORIES.map((category) => [
      category,
      {
        ratePer100k: rates === null ? null : { '24h': 0, '28d': rates[category] ?? 0, '365d': 0 },
      } as unknown as CategoryFeatures,
    ]),
  ) as Record<Category, CategoryFeatures>;
  return { district, categories } as unknown as DistrictFeatures;
}

const zeros = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;

describe('clusterProfiles', () => {
  it('groups districts by label and averages P(elevated) over all, rates over those with a population', () => {
    const profiles = clusterProfiles(
      [score('TN-CHN', 2, 0.9), score('TN-MDU', 0, 0.2), score('TN-CBE', 2, 0.5), score('TN-NEW', 2, 0.1)],
      new Map([
        ['TN-CHN', features('TN-CHN', { crime_body: 10, road_accident: 4 })],
        ['TN-MDU', features('TN-MDU', { crime_women: 3 })],
        ['TN-CBE', features('TN-CBE', { crime_body: 20, road_accident: 2 })],
        // A district without a population: a member, left out of the rate means.
        ['TN-NEW', features('TN-NEW', null)],
      ]),
    );
    expect(profiles).toHaveLength(2);
    expect(profiles[0]).toEqual({
      label: 0,
      districts: ['TN-MDU'],
      ratePer100k: { ...zeros, crime_women: 3 },
      elevated: 0.2,
    });
    const [, busy] = profiles;
    expect(busy?.label).toBe(2);
    expect(busy?.districts).toEqual(['TN-CHN', 'TN-CBE', 'TN-NEW']);
    // (0.9 + 0.5 + 0.1) / 3 = 0.5; crime_body (10 + 20) / 2 = 15; road_accident (4 + 2) / 2 = 3.
    expect(busy?.elevated).toBeCloseTo(0.5, 12);
    expect(busy?.ratePer100k).toEqual({ ...zeros, crime_body: 15, road_accident: 3 });
  });

  it('gives 0 rates to a profile none of whose districts has a population, and no profile without scores', () => {
    expect(
      clusterProfiles([score('TN-NEW', 1, 0.4)], new Map([['TN-NEW', features('TN-NEW', null)]])),
    ).toEqual([{ label: 1, districts: ['TN-NEW'], ratePer100k: zeros, elevated: 0.4 }]);
    expect(clusterProfiles([], new Map())).toEqual([]);
  });
});
