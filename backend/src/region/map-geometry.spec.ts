import { readFileSync } from 'node:fs';
import { parseRegion, type LonLat, type Region, type RegionUnit } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import {
  clipToConvex,
  convexHull,
  expandedHull,
  geojsonMap,
  insideRing,
  MapSourceError,
  parseFeatureCollection,
  planeProjection,
  ringArea,
  schematicMap,
  simplifyRing,
  voronoiCell,
  type Vec,
} from './map-geometry.js';

const TN = parseRegion(
  JSON.parse(readFileSync(new URL('../../../data/regions/tamil-nadu.json', import.meta.url), 'utf8')),
  'tamil-nadu.json',
);
const TN_GEOJSON = new URL('../../../../shared/data/geo/tamilnadu_district.json', import.meta.url);
const CARVED = ['TN-CGL', 'TN-KKI', 'TN-MYD', 'TN-RPT', 'TN-TKS', 'TN-TPT'];

function district(code: string, lon: number, lat: number, extra: Partial<RegionUnit> = {}): RegionUnit {
  return { code, name: code, kind: 'district', lon, lat, ...extra };
}

function region(units: RegionUnit[]): Region {
  return { code: 'XX', name: 'Test', timeZone: 'UTC', units };
}

/** Area of a closed lon/lat ring (the first point repeated), in square degrees. */
const lonLatArea = (ring: readonly LonLat[]) => Math.abs(ringArea(ring.slice(0, -1)));

describe('plane geometry', () => {
  it('projects with x scaled by cos(latitude) and back', () => {
    const projection = planeProjection(80, 60);
    // cos(60°) = 0.5: a degree of longitude is half a degree of latitude there.
    expect(projection.forward([81, 61])[0]).toBeCloseTo(0.5, 12);
    expect(projection.forward([81, 61])[1]).toBeCloseTo(1, 12);
    const [lon, lat] = projection.inverse(projection.forward([78.25, 11.5]));
    expect(lon).toBeCloseTo(78.25, 12);
    expect(lat).toBeCloseTo(11.5, 12);
  });

  it('takes the convex hull counter-clockwise, inner and collinear points left out', () => {
    const hull = convexHull([
      [0, 0],
      [2, 0],
      [1, 0],
      [2, 2],
      [1, 1],
      [0, 2],
    ]);
    expect(hull).toEqual([
      [0, 0],
      [2, 0],
      [2, 2],
      [0, 2],
    ]);
    expect(ringArea(hull)).toBe(4);
  });

  it('grows a single point into a 16-gon of the margin radius', () => {
    const hull = expandedHull([[0, 0]], 1);
    expect(hull).toHaveLength(16);
    // Area of a regular 16-gon of circumradius 1: 16/2 · sin(2π/16) = 8 · 0.38268 = 3.0615.
    expect(ringArea(hull)).toBeCloseTo(3.0615, 4);
  });

  it('gives a square of four sites four quadrant cells that add up to the clip region', () => {
    const sites: Vec[] = [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ];
    const clip: Vec[] = [
      [-1, -1],
      [2, -1],
      [2, 2],
      [-1, 2],
    ];
    const cells = sites.map((_, i) => voronoiCell(sites, i, clip));
    // Each cell is the 1.5 × 1.5 quadrant around its site, split at x = 0.5 and y = 0.5.
    for (const cell of cells) expect(Math.abs(ringArea(cell))).toBeCloseTo(2.25, 12);
    expect(cells.reduce((sum, cell) => sum + Math.abs(ringArea(cell)), 0)).toBeCloseTo(ringArea(clip), 12);
    expect(cells[0]).toEqual(
      expect.arrayContaining([
        [-1, -1],
        [0.5, -1],
        [0.5, 0.5],
        [-1, 0.5],
      ]),
    );
    sites.forEach((site, i) => {
      expect(insideRing(site, cells[i] ?? [])).toBe(true);
      sites.forEach((other, j) => {
        if (j !== i) expect(insideRing(other, cells[i] ?? [])).toBe(false);
      });
    });
  });

  it('clips a concave ring by a convex region (Sutherland–Hodgman)', () => {
    // An L of area 3 (the 2 × 2 square without its top-right unit square), clipped to x <= 1: area 2.
    const l: Vec[] = [
      [0, 0],
      [2, 0],
      [2, 1],
      [1, 1],
      [1, 2],
      [0, 2],
    ];
    expect(ringArea(l)).toBe(3);
    const left = clipToConvex(l, [
      [-5, -5],
      [1, -5],
      [1, 5],
      [-5, 5],
    ]);
    expect(Math.abs(ringArea(left))).toBeCloseTo(2, 12);
  });

  it('simplifies a ring by Douglas–Peucker within the tolerance', () => {
    // A square with a 0.001 bump on its bottom edge and a point on its right edge: both go at 0.01.
    const ring: Vec[] = [
      [0, 0],
      [0.5, 0.001],
      [1, 0],
      [1, 0.5],
      [1, 1],
      [0, 1],
    ];
    expect(simplifyRing(ring, 0.01)).toEqual([
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
    ]);
    // A tighter tolerance keeps the bump.
    expect(simplifyRing(ring, 0.0005)).toHaveLength(5);
  });
});

describe('schematic map', () => {
  const square = region([
    district('XX-SW', 78, 10),
    district('XX-SE', 79, 10),
    district('XX-NE', 79, 11),
    district('XX-NW', 78, 11),
  ]);

  it('draws a cell around each headquarters that holds it, all approximate', () => {
    const map = schematicMap(square);
    expect(map.source).toBe('schematic');
    expect(map.attribution).toContain('not surveyed boundaries');
    expect(map.districts.map((d) => d.code)).toEqual(['XX-SW', 'XX-SE', 'XX-NE', 'XX-NW']);
    for (const d of map.districts) {
      expect(d.approximate).toBe(true);
      expect(d.polygons).toHaveLength(1);
      const ring = d.polygons[0]?.[0] ?? [];
      expect(ring[0]).toEqual(ring[ring.length - 1]);
      expect(insideRing(d.hq, ring)).toBe(true);
      // Outer rings counter-clockwise (RFC 7946).
      expect(ringArea(ring.slice(0, -1))).toBeGreaterThan(0);
    }
    // The south-west cell ends half-way to its neighbours: at lon 78.5 and lat 10.5.
    const sw = map.districts[0]?.polygons[0]?.[0] ?? [];
    expect(Math.max(...sw.map((p) => p[0]))).toBe(78.5);
    expect(Math.max(...sw.map((p) => p[1]))).toBe(10.5);
    // The cells fill the hull grown by 0.25 on the plane (the margin's 16-gon reaches exactly 0.25 along
    // the axes): 0.25° of latitude, and 0.25 / cos(10.5°) = 0.2543° of longitude at the mean latitude.
    expect(map.bbox).toEqual([77.7457, 9.75, 79.2543, 11.25]);
    // The four cells are equal by symmetry.
    const areas = map.districts.map((d) => lonLatArea(d.polygons[0]?.[0] ?? []));
    for (const area of areas) expect(area).toBeCloseTo(areas[0] ?? 0, 3);
  });

  it('draws the 38 districts of Tamil Nadu, each holding its headquarters', () => {
    const map = schematicMap(TN);
    expect(map.districts).toHaveLength(38);
    for (const d of map.districts) expect(insideRing(d.hq, d.polygons[0]?.[0] ?? [])).toBe(true);
  });
});

describe('GeoJSON map', () => {
  const box = (west: number, south: number, east: number, north: number): LonLat[] => [
    [west, south],
    [east, south],
    [east, north],
    [west, north],
    [west, south],
  ];
  const collection = (features: { code: number | string; rings: LonLat[][] }[]) => ({
    type: 'FeatureCollection',
    features: features.map(({ code, rings }) => ({
      type: 'Feature',
      properties: { censuscode: code },
      geometry: { type: 'Polygon', coordinates: rings },
    })),
  });

  it('refuses what is not a FeatureCollection, and a malformed position', () => {
    expect(() => parseFeatureCollection({ type: 'Feature' }, 'censuscode')).toThrow(MapSourceError);
    expect(() =>
      parseFeatureCollection(
        {
          type: 'FeatureCollection',
          features: [{ geometry: { type: 'Polygon', coordinates: [[[1, 'x']]] } }],
        },
        'censuscode',
      ),
    ).toThrow('features[0].geometry.coordinates[0][0]: expected finite numbers [lon, lat]');
  });

  it('matches on the key as a number or a string, and splits a parent among the districts carved from it', () => {
    const { features } = parseFeatureCollection(
      collection([
        { code: '601', rings: [box(78, 10, 80, 11)] },
        { code: 602, rings: [box(80, 10, 81, 11)] },
      ]),
      'censuscode',
    );
    const warnings: string[] = [];
    const map = geojsonMap(
      region([
        // West of 79 stays with the parent, east of it goes to the child (the bisector of 78.5 and 79.5).
        district('XX-PAR', 78.5, 10.5, { censusCode: 601 }),
        district('XX-OTH', 80.5, 10.5, { censusCode: 602 }),
        district('XX-NEW', 79.5, 10.5, { carvedFrom: ['XX-PAR'] }),
        district('XX-NOP', 85, 10.5, { carvedFrom: ['XX-NONE'] }),
      ]),
      features,
      { fileName: 'test.json', key: 'censuscode', warn: (message) => warnings.push(message) },
    );
    const byCode = new Map(map.districts.map((d) => [d.code, d]));
    expect(map.source).toBe('geojson');
    expect(map.attribution).toContain('test.json');
    expect(byCode.get('XX-OTH')).toMatchObject({ approximate: false, polygons: [[box(80, 10, 81, 11)]] });
    expect(byCode.get('XX-PAR')?.approximate).toBe(true);
    expect(byCode.get('XX-NEW')?.approximate).toBe(true);
    const parentRing = byCode.get('XX-PAR')?.polygons[0]?.[0] ?? [];
    const childRing = byCode.get('XX-NEW')?.polygons[0]?.[0] ?? [];
    expect(lonLatArea(parentRing)).toBeCloseTo(1, 6);
    expect(lonLatArea(childRing)).toBeCloseTo(1, 6);
    expect(Math.max(...parentRing.map((p) => p[0]))).toBe(79);
    expect(Math.min(...childRing.map((p) => p[0]))).toBe(79);
    // No polygon of its own nor of a parent: the schematic cell, said once.
    expect(byCode.get('XX-NOP')?.approximate).toBe(true);
    expect(insideRing([85, 10.5], byCode.get('XX-NOP')?.polygons[0]?.[0] ?? [])).toBe(true);
    expect(warnings).toEqual([expect.stringContaining('no polygon for district XX-NOP')]);
    expect(map.bbox[0]).toBe(78);
    expect(map.bbox[1]).toBe(10);
    expect(map.bbox[2]).toBeGreaterThan(85);
  });

  it('gives a child carved from two parents a piece of each', () => {
    const { features } = parseFeatureCollection(
      collection([
        { code: 1, rings: [box(0, 0, 2, 1)] },
        { code: 2, rings: [box(2, 0, 4, 1)] },
      ]),
      'censuscode',
    );
    const map = geojsonMap(
      region([
        district('XX-A', 0.5, 0.5, { censusCode: 1 }),
        district('XX-B', 3.5, 0.5, { censusCode: 2 }),
        district('XX-C', 2, 0.5, { carvedFrom: ['XX-A', 'XX-B'] }),
      ]),
      features,
      { fileName: 'two.json', key: 'censuscode' },
    );
    const child = map.districts.find((d) => d.code === 'XX-C');
    expect(child?.polygons).toHaveLength(2);
    // Bisectors at x = 1.25 and x = 2.75: each piece is 0.75 × 1.
    for (const polygon of child?.polygons ?? []) expect(lonLatArea(polygon[0] ?? [])).toBeCloseTo(0.75, 3);
  });

  it('draws the 38 districts of Tamil Nadu from the census 2011 polygons, the 6 carved ones approximate', () => {
    const { features, skipped } = parseFeatureCollection(
      JSON.parse(readFileSync(TN_GEOJSON, 'utf8')),
      'censuscode',
    );
    expect(features).toHaveLength(32);
    expect(skipped).toBe(0);
    const warnings: string[] = [];
    const map = geojsonMap(TN, features, {
      fileName: 'tamilnadu_district.json',
      key: 'censuscode',
      warn: (message) => warnings.push(message),
    });
    expect(warnings).toEqual([]);
    expect(map.districts).toHaveLength(38);
    for (const d of map.districts) {
      expect(d.polygons.length, d.code).toBeGreaterThan(0);
      for (const polygon of d.polygons) expect(polygon[0]?.length, d.code).toBeGreaterThanOrEqual(4);
    }
    const approximate = map.districts.filter((d) => d.approximate).map((d) => d.code);
    // The carved districts and the parents they were cut from.
    expect(approximate).toEqual(expect.arrayContaining(CARVED));
    expect(approximate.sort()).toEqual([...CARVED, 'TN-KPM', 'TN-VPM', 'TN-NGP', 'TN-VLR', 'TN-TNV'].sort());
    expect(map.districts.find((d) => d.code === 'TN-CHN')?.approximate).toBe(false);
    // Tamil Nadu lies within 76.2-80.4 E, 8.0-13.6 N.
    const [west, south, east, north] = map.bbox;
    expect(west).toBeGreaterThan(76);
    expect(east).toBeLessThan(80.5);
    expect(south).toBeGreaterThan(7.9);
    expect(north).toBeLessThan(13.7);
    // Small enough for the board to fetch at start.
    expect(JSON.stringify(map).length).toBeLessThan(150_000);
  });
});
