import { describe, expect, it } from 'vitest';
import { historicDistricts } from './historic-districts.js';

describe('historicDistricts', () => {
  it('gives every district in order, with its counts, last score and open alerts (zeros and nulls when none)', () => {
    const districts = historicDistricts(
      ['TN-CHN', 'TN-MDU', 'TN-CBE'],
      [
        { district: 'TN-CHN', category: 'crime_body', count: 3 },
        { district: 'TN-CHN', category: 'road_accident', count: 2 },
        { district: 'TN-MDU', category: 'suicide', count: 1 },
        // Not asked for: left out.
        { district: 'TN-SLM', category: 'other', count: 9 },
      ],
      [{ district: 'TN-MDU', elevated: 0.25, expectedCount: 12.5 }],
      new Map([['TN-CHN', 2]]),
    );
    expect(districts).toEqual([
      {
        code: 'TN-CHN',
        count: 5,
        byCategory: { crime_body: 3, road_accident: 2 },
        elevated: null,
        expectedCount: null,
        openAlerts: 2,
      },
      {
        code: 'TN-MDU',
        count: 1,
        byCategory: { suicide: 1 },
        elevated: 0.25,
        expectedCount: 12.5,
        openAlerts: 0,
      },
      { code: 'TN-CBE', count: 0, byCategory: {}, elevated: null, expectedCount: null, openAlerts: 0 },
    ]);
  });
});
