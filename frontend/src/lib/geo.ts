import type { LonLat, RegionMap } from '@district-monitor/streams';

/** Where the map is drawn: an SVG viewBox of `width` × `height`, `padding` kept free on every side. */
export interface Frame {
  readonly width: number;
  readonly height: number;
  readonly padding: number;
}

/** Lon/lat to viewBox x/y. */
export type Project = (lon: number, lat: number) => readonly [number, number];

/** One district ready to draw: its path (all polygons and holes, for `fill-rule: evenodd`). */
export interface ProjectedDistrict {
  readonly code: string;
  readonly name: string;
  readonly path: string;
  /** Headquarters in viewBox coordinates. */
  readonly hq: readonly [number, number];
  readonly approximate: boolean;
}

export interface ProjectedMap {
  readonly frame: Frame;
  readonly project: Project;
  readonly districts: readonly ProjectedDistrict[];
}

/** Decimals of path coordinates: 0.1 viewBox unit is far below a pixel at wall-screen size. */
export const PATH_DECIMALS = 1;

const DEGREES = Math.PI / 180;

/**
 * Equirectangular projection of `bbox` ([west, south, east, north]) scaled by cos(mid-latitude), so
 * a degree of longitude is as wide as it is on the ground there, fitted (aspect kept, centred) into
 * `frame` inside its padding, y flipped (north up).
 */
export function projection(bbox: RegionMap['bbox'], frame: Frame): Project {
  const [west, south, east, north] = bbox;
  if (!(east > west) || !(north > south))
    throw new RangeError(`bbox: expected west < east and south < north`);
  const kx = Math.cos(((south + north) / 2) * DEGREES);
  const spanX = (east - west) * kx;
  const spanY = north - south;
  const innerWidth = frame.width - 2 * frame.padding;
  const innerHeight = frame.height - 2 * frame.padding;
  if (!(innerWidth > 0) || !(innerHeight > 0)) throw new RangeError('frame: no room inside the padding');
  const scale = Math.min(innerWidth / spanX, innerHeight / spanY);
  const offsetX = frame.padding + (innerWidth - spanX * scale) / 2;
  const offsetY = frame.padding + (innerHeight - spanY * scale) / 2;
  return (lon, lat) => [offsetX + (lon - west) * kx * scale, offsetY + (north - lat) * scale];
}

/** The height that fits `bbox` at `width` with no empty band (the map's natural aspect). */
export function naturalHeight(bbox: RegionMap['bbox'], width: number, padding: number): number {
  const [west, south, east, north] = bbox;
  const kx = Math.cos(((south + north) / 2) * DEGREES);
  const inner = width - 2 * padding;
  return Math.round((inner * (north - south)) / ((east - west) * kx) + 2 * padding);
}

function fixed(value: number, decimals: number): string {
  // `toFixed` prints "-0.0" for tiny negatives; normalise so equal points compare equal.
  const text = value.toFixed(decimals);
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

/**
 * One ring as `M x,y L x,y … Z` with `decimals` fixed decimals; points that round onto the previous
 * one are dropped (dense surveyed outlines shrink a lot at board scale). Empty for fewer than 3 points.
 */
export function ringPath(ring: readonly LonLat[], project: Project, decimals = PATH_DECIMALS): string {
  const points: string[] = [];
  for (const [lon, lat] of ring) {
    const [x, y] = project(lon, lat);
    const point = `${fixed(x, decimals)},${fixed(y, decimals)}`;
    if (point !== points.at(-1)) points.push(point);
  }
  // GeoJSON closes rings by repeating the first point; `Z` does that.
  if (points.length > 1 && points[0] === points.at(-1)) points.pop();
  if (points.length < 3) return '';
  return `M${points.join('L')}Z`;
}

/** Every ring of every polygon as one path (holes cut out with `fill-rule: evenodd`). */
export function shapePath(
  polygons: readonly (readonly (readonly LonLat[])[])[],
  project: Project,
  decimals = PATH_DECIMALS,
): string {
  return polygons
    .flatMap((rings) => rings.map((ring) => ringPath(ring, project, decimals)))
    .filter((path) => path !== '')
    .join('');
}

/** Projects a whole region map once; the board then only changes fill colours. */
export function projectMap(map: RegionMap, frame: Frame): ProjectedMap {
  const project = projection(map.bbox, frame);
  return {
    frame,
    project,
    districts: map.districts.map((district) => ({
      code: district.code,
      name: district.name,
      path: shapePath(district.polygons, project),
      hq: project(district.hq[0], district.hq[1]),
      approximate: district.approximate,
    })),
  };
}
