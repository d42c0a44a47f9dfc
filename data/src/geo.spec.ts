import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { pointInGeometry, type AreaGeometry } from './geo.js';
import { loadRegion } from './registry.js';

const SHARED = new URL('../../../shared/data/', import.meta.url);

interface DistrictFeature {
  readonly properties: { readonly censuscode: number; readonly district: string };
  readonly geometry: AreaGeometry;
}

const polygons = (
  JSON.parse(await readFile(new URL('geo/tamilnadu_district.json', SHARED), 'utf8')) as {
    features: DistrictFeature[];
  }
).features;
const tamilNadu = await loadRegion(new URL('../regions/tamil-nadu.json', import.meta.url));
const districts2011 = tamilNadu.districts().filter((unit) => unit.censusCode !== undefined);

describe('pointInGeometry', () => {
  const square = [
    [0, 0],
    [4, 0],
    [4, 4],
    [0, 4],
    [0, 0],
  ] as const;
  const hole = [
    [1, 1],
    [3, 1],
    [3, 3],
    [1, 3],
    [1, 1],
  ] as const;
  const farSquare = square.map(([x, y]) => [x + 10, y] as const);

  it.each([
    ['inside a polygon', [2, 0.5], { type: 'Polygon', coordinates: [square] }, true],
    ['outside a polygon', [5, 2], { type: 'Polygon', coordinates: [square] }, false],
    ['in a hole', [2, 2], { type: 'Polygon', coordinates: [square, hole] }, false],
    ['around a hole', [0.5, 2], { type: 'Polygon', coordinates: [square, hole] }, true],
    ['in the second part', [12, 2], { type: 'MultiPolygon', coordinates: [[square], [farSquare]] }, true],
    ['between the parts', [7, 2], { type: 'MultiPolygon', coordinates: [[square], [farSquare]] }, false],
  ] as const)('%s', (_, point, geometry, expected) => {
    expect(pointInGeometry(point, geometry)).toBe(expected);
  });
});

describe('Tamil Nadu district headquarters of 2011', () => {
  it('covers the 32 polygons of 2011', () => {
    expect(districts2011).toHaveLength(32);
    expect(polygons).toHaveLength(32);
  });

  it.each(districts2011.map((unit) => [unit.code, unit] as const))(
    '%s lies inside its own polygon and no other',
    (_, unit) => {
      const containing = polygons.filter((feature) =>
        pointInGeometry([unit.lon, unit.lat], feature.geometry),
      );
      expect(containing.map((feature) => feature.properties.censuscode)).toEqual([unit.censusCode]);
    },
  );
});
