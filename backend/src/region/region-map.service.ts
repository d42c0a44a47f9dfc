import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Region, RegionMap } from '@district-monitor/streams';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG, REGION } from '../config/tokens.js';
import { geojsonMap, MapSourceError, parseFeatureCollection, schematicMap } from './map-geometry.js';

/**
 * The board's map, drawn once at start: the GeoJSON of `REGION_GEOJSON` when set (a file that cannot be
 * read or is no FeatureCollection stops the start, naming the file), else the schematic cells.
 */
@Injectable()
export class RegionMapService {
  private readonly logger = new Logger(RegionMapService.name);
  readonly map: RegionMap;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(REGION) region: Region) {
    const file = config.board.geojsonFile;
    const started = performance.now();
    this.map =
      file === undefined ? schematicMap(region) : this.fromFile(region, file, config.board.geojsonKey);
    this.logger.log(
      `map of ${region.code}: ${this.map.source}, ${this.map.districts.length} districts, ` +
        `${Math.round(JSON.stringify(this.map).length / 1024)} KB, drawn in ${Math.round(performance.now() - started)} ms`,
    );
  }

  private fromFile(region: Region, file: string, key: string): RegionMap {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new MapSourceError(`REGION_GEOJSON: cannot read ${file} as JSON`, { cause: error });
    }
    try {
      const { features, skipped } = parseFeatureCollection(json, key);
      if (skipped > 0)
        this.logger.warn(`${file}: ${skipped} features are neither Polygon nor MultiPolygon; left out`);
      return geojsonMap(region, features, {
        fileName: basename(file),
        key,
        warn: (message) => {
          this.logger.warn(message);
        },
      });
    } catch (error) {
      if (error instanceof MapSourceError) {
        throw new MapSourceError(`REGION_GEOJSON: ${file}: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }
}
