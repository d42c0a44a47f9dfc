import type { RegionUnit } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import { CORRELATION_VARIABLES, correlationColumns, correlationMatrix, pearson } from './correlations.js';

describe('pearson', () => {
  it.each([
    // Proportional and reversed series.
    [[1, 2, 3], [2, 4, 6], 1],
    [[1, 2, 3], [3, 2, 1], -1],
    // Deviations (-1.5, -0.5, 0.5, 1.5) and (-1.5, 0.5, -0.5, 1.5): Σdxdy = 4, Σdx² = Σdy² = 5, r = 4/5.
    [[1, 2, 3, 4], [1, 3, 2, 4], 0.8],
    // Deviations (-1, 0, 1) and (1, -2, 1): Σdxdy = 0.
    [[1, 2, 3], [2, 1, 2], 0],
    // Deviations (-1, 0, 1) and (-1, -1, 2): Σdxdy = 3, Σdx² = 2, Σdy² = 6, r = 3/√12 = √3/2.
    [[0, 1, 2], [0, 0, 3], Math.sqrt(3) / 2],
  ])('r(%j, %j) = %d', (xs, ys, r) => {
    expect(pearson(xs, ys)).toBeCloseTo(r, 12);
  });

  it('is null when either series is constant (zero variance) or too short', () => {
    expect(pearson([1, 2, 3], [0.3, 0.3, 0.3])).toBeNull();
    expect(pearson([7, 7], [1, 2])).toBeNull();
    expect(pearson([1], [2])).toBeNull();
    expect(pearson([], [])).toBeNull();
  });

  it('refuses series of different lengths', () => {
    expect(() => pearson([1, 2], [1, 2, 3])).toThrow(RangeError);
  });
});

describe('correlationMatrix', () => {
  it('is symmetric with 1 on the diagonal, and null rows and columns for a constant variable', () => {
    expect(
      correlationMatrix([
        [1, 2, 3, 4],
        [1, 3, 2, 4],
        [5, 5, 5, 5],
      ]),
    ).toEqual([
      [1, 0.8, null],
      [0.8, 1, null],
      [null, null, null],
    ]);
  });
});

describe('correlationColumns', () => {
  const unit = (
    code: string,
    population: number | undefined,
    extra: Partial<RegionUnit> = {},
  ): RegionUnit => ({
    code,
    name: code,
    kind: 'district',
    lat: 11,
    lon: 78,
    ...(population === undefined ? {} : { population }),
    areaKm2: 1000,
    literacyRate: 0.8,
    sexRatio: 990,
    urbanShare: 0.4,
    ...extra,
  });

  it('gives each district rates per 100,000 people, road deaths and its census indicators', () => {
    const { districts, columns } = correlationColumns(
      [
        unit('TN-AAA', 200_000),
        unit('TN-BBB', 50_000, { areaKm2: 500, literacyRate: 0.7, sexRatio: 1010, urbanShare: 0.2 }),
        // Population unknown, and a police unit: both left out.
        unit('TN-CCC', undefined),
        { ...unit('TN-DDD', 10_000), kind: 'police_unit', parent: 'TN-AAA' },
      ],
      [
        { district: 'TN-AAA', category: 'crime_women', events: 30, killed: 0 },
        { district: 'TN-AAA', category: 'road_accident', events: 10, killed: 4 },
        { district: 'TN-BBB', category: 'crime_women', events: 5, killed: 0 },
        { district: 'TN-CCC', category: 'crime_women', events: 99, killed: 0 },
      ],
    );
    expect(districts).toEqual(['TN-AAA', 'TN-BBB']);
    expect(columns).toHaveLength(CORRELATION_VARIABLES.length);
    const column = (key: string) => columns[CORRELATION_VARIABLES.findIndex((v) => v.key === key)];
    // 30 / 200,000 * 100,000 = 15; 5 / 50,000 * 100,000 = 10.
    expect(column('crime_women')).toEqual([15, 10]);
    expect(column('crime_body')).toEqual([0, 0]);
    expect(column('road_accident')).toEqual([5, 0]);
    expect(column('road_deaths')).toEqual([2, 0]);
    expect(column('literacy_rate')).toEqual([0.8, 0.7]);
    expect(column('sex_ratio')).toEqual([990, 1010]);
    expect(column('urban_share')).toEqual([0.4, 0.2]);
    expect(column('population_density')).toEqual([200, 100]);
  });

  it('names 13 variables: 8 categories, road deaths and 4 census indicators', () => {
    expect(CORRELATION_VARIABLES.map((v) => `${v.group}:${v.key}`)).toEqual([
      'crime:crime_body',
      'crime:crime_property',
      'crime:crime_women',
      'crime:crime_children',
      'crime:suicide',
      'crime:harassment',
      'crime:other',
      'accident:road_accident',
      'accident:road_deaths',
      'socioeconomic:literacy_rate',
      'socioeconomic:sex_ratio',
      'socioeconomic:urban_share',
      'socioeconomic:population_density',
    ]);
    expect(CORRELATION_VARIABLES.find((v) => v.key === 'crime_women')?.label).toBe(
      'Crimes against women /100k',
    );
  });
});
