import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Region, RegionMap } from '@district-monitor/streams';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG, REGION } from '../config/tokens.js';
import { geojsonMap, MapSourceError, parseFeatureCollection, schematicMap } from './map-geometry.js';

/** Where a map comes from: the `REGION_GEOJSON` override, or the region file's own `map`. */
interface MapFile {
  readonly path: string;
  readonly key: string;
  /** Names the source in error messages. */
  readonly origin: string;
}

/**
 * The board's map, drawn once at start: the GeoJSON of `REGION_GEOJSON` when set, else the region file's
 * own map (its `map` field, e.g. data/regions/tamil-nadu.map.json built by data/scripts/build-map.mjs),
 * else, for a region without one, the schematic cells. A file that cannot be read or is no
 * FeatureCollection stops the start, naming the file.
 */
@Injectable()
export class RegionMapService {
  private readonly logger = new Logger(RegionMapService.name);
  readonly map: RegionMap;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(REGION) region: Region) {
    const file = mapFileOf(config, region);
    const started = performance.now();
    this.map = file === undefined ? schematicMap(region) : this.fromFile(region, file);
    this.logger.log(
      `map of ${region.code}: ${this.map.source}, ${this.map.districts.length} districts, ` +
        `${Math.round(JSON.stringify(this.map).length / 1024)} KB, drawn in ${Math.round(performance.now() - started)} ms`,
    );
  }

  private fromFile(region: Region, { path, key, origin }: MapFile): RegionMap {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new MapSourceError(`${origin}: cannot read ${path} as JSON`, { cause: error });
    }
    try {
      const { features, skipped } = parseFeatureCollection(json, key);
      if (skipped > 0)
        this.logger.warn(`${path}: ${skipped} features are neither Polygon nor MultiPolygon; left out`);
      const map = geojsonMap(region, features, {
        fileName: basename(path),
        key,
        warn: (message) => {
          this.logger.warn(message);
        },
      });
      const credit = creditOf(json);
      return credit === undefined ? map : { ...map, attribution: `${map.attribution}. ${credit}` };
    } catch (error) {
      if (error instanceof MapSourceError) {
        throw new MapSourceError(`${origin}: ${path}: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }
}

function mapFileOf(config: AppConfig, region: Region): MapFile | undefined {
  const override = config.board.geojsonFile;
  if (override !== undefined)
    return { path: override, key: config.board.geojsonKey, origin: 'REGION_GEOJSON' };
  if (region.map === undefined) return undefined;
  const path = resolve(dirname(config.regionFile), region.map);
  let key = 'censuscode';
  try {
    const declared = (JSON.parse(readFileSync(path, 'utf8')) as { key?: unknown }).key;
    if (typeof declared === 'string' && declared !== '') key = declared;
  } catch (error) {
    throw new MapSourceError(`region ${region.code} map: cannot read ${path} as JSON`, { cause: error });
  }
  return { path, key, origin: `region ${region.code} map` };
}

/** A map file's own `source` and `licence` members (foreign members of the FeatureCollection), said plainly. */
function creditOf(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { source, licence } = json as { source?: unknown; licence?: unknown };
  if (typeof source !== 'string') return undefined;
  return `Source: ${source}${typeof licence === 'string' ? `, licence ${licence}` : ''}`;
}
