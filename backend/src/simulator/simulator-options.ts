import { pointInGeometry, readRateTable, type AreaGeometry } from '@district-monitor/data/runtime';
import type { Region, RegionMap } from '@district-monitor/streams';
import type { DistrictArea, SimulatorOptions } from '@district-monitor/streams/simulator';
import type { AppConfig } from '../config/app-config.js';

/**
 * Each district's outline on the board's map, as the simulator places events: bounding box and
 * point-in-polygon. The same map the board draws, so a simulated event always lies in its district there.
 */
export function districtAreas(map: RegionMap): ReadonlyMap<string, DistrictArea> {
  const areas = new Map<string, DistrictArea>();
  for (const shape of map.districts) {
    const geometry: AreaGeometry = { type: 'MultiPolygon', coordinates: shape.polygons };
    let [west, south, east, north] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const polygon of shape.polygons) {
      for (const [lon, lat] of polygon[0] ?? []) {
        west = Math.min(west, lon);
        east = Math.max(east, lon);
        south = Math.min(south, lat);
        north = Math.max(north, lat);
      }
    }
    if (!(west < east && south < north)) continue;
    areas.set(shape.code, {
      bbox: [west, south, east, north],
      contains: (lon, lat) => pointInGeometry([lon, lat], geometry),
    });
  }
  return areas;
}

/**
 * What the live simulator and the backfill share, so the history and the live feed come from one
 * process: the region, the rate table, the rate (the table's real volume unless SIMULATOR_RATE is set)
 * and the district outlines. Each caller adds its own seed and source.
 */
export function sharedSimulatorOptions(
  config: AppConfig,
  region: Region,
  map: RegionMap,
): Omit<SimulatorOptions, 'seed' | 'source'> & { readonly calibrated: boolean } {
  const rates = readRateTable(config.simulator.ratesFile, region);
  const { ratePerSecond } = config.simulator;
  return {
    region,
    ...(rates === undefined ? {} : { rates }),
    ...(ratePerSecond === undefined ? { multiplier: 1 } : { ratePerSecond }),
    areas: districtAreas(map),
    calibrated: rates !== undefined,
  };
}
