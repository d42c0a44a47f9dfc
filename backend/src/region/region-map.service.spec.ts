import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseRegion, type LonLat } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app-config.js';
import { MapSourceError } from './map-geometry.js';
import { RegionMapService } from './region-map.service.js';

const REGION_FILE = fileURLToPath(new URL('../../../data/regions/tamil-nadu.json', import.meta.url));
const TN_GEOJSON = fileURLToPath(
  new URL('../../../../shared/data/geo/tamilnadu_district.json', import.meta.url),
);
const region = parseRegion(JSON.parse(readFileSync(REGION_FILE, 'utf8')), 'tamil-nadu.json');
const { map: _map, ...regionWithoutMap } = region;

const config = (geojsonFile: string | undefined) =>
  ({ regionFile: REGION_FILE, board: { geojsonFile, geojsonKey: 'censuscode' } }) as unknown as AppConfig;

/** Even-odd ray casting on longitude/latitude (inside-ness does not change under the plane's scaling). */
function insideRing([x, y]: LonLat, ring: readonly LonLat[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as LonLat;
    const [xj, yj] = ring[j] as LonLat;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

const insidePolygons = (point: LonLat, polygons: readonly (readonly (readonly LonLat[])[])[]): boolean =>
  polygons.some(
    ([outer, ...holes]) =>
      outer !== undefined && insideRing(point, outer) && !holes.some((h) => insideRing(point, h)),
  );

describe('RegionMapService', () => {
  it("draws the region's own map by default: real polygons, source and licence named", () => {
    const { map } = new RegionMapService(config(undefined), region);
    expect(region.map).toBe('tamil-nadu.map.json');
    expect(map.source).toBe('geojson');
    expect(map.attribution).toMatch(/^tamil-nadu\.map\.json: .*Source: .*HindustanTimesLabs.*licence MIT$/);
    expect(map.districts).toHaveLength(38);
    // The six districts formed after 2011 are split out of their parents around the headquarters.
    const approximate = map.districts.filter((d) => d.approximate).map((d) => d.code);
    for (const code of ['TN-CGL', 'TN-KKI', 'TN-MYD', 'TN-RPT', 'TN-TKS', 'TN-TPT'])
      expect(approximate).toContain(code);
  });

  it("puts every district's headquarters inside its own polygon on the default map", () => {
    const { map } = new RegionMapService(config(undefined), region);
    const outside = map.districts.filter((d) => !insidePolygons(d.hq, d.polygons)).map((d) => d.code);
    expect(outside).toEqual([]);
    // ...and inside no other district's polygon.
    for (const d of map.districts) {
      const others = map.districts.filter((o) => o.code !== d.code && insidePolygons(d.hq, o.polygons));
      expect(
        others.map((o) => o.code),
        d.code,
      ).toEqual([]);
    }
  });

  it('draws the schematic map for a region without a map of its own', () => {
    expect(new RegionMapService(config(undefined), regionWithoutMap).map.source).toBe('schematic');
  });

  it('draws the REGION_GEOJSON file instead when it is configured, naming it', () => {
    const { map } = new RegionMapService(config(TN_GEOJSON), region);
    expect(map.source).toBe('geojson');
    expect(map.attribution).toMatch(/^tamilnadu_district\.json: /);
    expect(map.districts).toHaveLength(38);
  });

  it('stops the start, naming the file, when it is missing or no FeatureCollection', () => {
    const missing = '/nonexistent/districts.geojson';
    expect(() => new RegionMapService(config(missing), region)).toThrow(MapSourceError);
    expect(() => new RegionMapService(config(missing), region)).toThrow(
      `REGION_GEOJSON: cannot read ${missing} as JSON`,
    );
    expect(() => new RegionMapService(config(REGION_FILE), region)).toThrow(
      `REGION_GEOJSON: ${REGION_FILE}: expected a GeoJSON FeatureCollection`,
    );
    expect(() => new RegionMapService(config(undefined), { ...region, map: 'no-such.map.json' })).toThrow(
      /^region TN map: cannot read .*no-such\.map\.json as JSON/,
    );
  });
});
