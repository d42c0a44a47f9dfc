import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseRegion } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app-config.js';
import { MapSourceError } from './map-geometry.js';
import { RegionMapService } from './region-map.service.js';

const REGION_FILE = fileURLToPath(new URL('../../../data/regions/tamil-nadu.json', import.meta.url));
const TN_GEOJSON = fileURLToPath(
  new URL('../../../../shared/data/geo/tamilnadu_district.json', import.meta.url),
);
const region = parseRegion(JSON.parse(readFileSync(REGION_FILE, 'utf8')), 'tamil-nadu.json');

const config = (geojsonFile: string | undefined) =>
  ({ board: { geojsonFile, geojsonKey: 'censuscode' } }) as unknown as AppConfig;

describe('RegionMapService', () => {
  it('draws the schematic map when no GeoJSON is configured', () => {
    expect(new RegionMapService(config(undefined), region).map.source).toBe('schematic');
  });

  it('draws the configured GeoJSON, naming its file', () => {
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
  });
});
