import {
  districtsOf,
  type DistrictShape,
  type LonLat,
  type Region,
  type RegionMap,
  type RegionUnit,
} from '@district-monitor/streams';

/**
 * The board's district outlines, pure: Voronoi cells around the headquarters (schematic), or the
 * polygons of a GeoJSON FeatureCollection matched on the census code, with the districts formed after
 * the census cut out of their parents. All geometry runs on a local plane (equirectangular, x scaled by
 * cos(mean latitude) of the headquarters), whose unit is a degree of latitude.
 */

/** A point of the local plane: x east, y north, in degrees of latitude. */
export type Vec = readonly [number, number];
/** A ring of the plane, open (the first point is not repeated at the end). */
export type Ring = readonly Vec[];
/** A polygon: its outer ring, then its holes. */
export type Polygon = readonly Ring[];

/** How far the schematic clip region reaches beyond the outermost headquarters, in degrees. */
export const SCHEMATIC_MARGIN_DEG = 0.25;
/**
 * Douglas–Peucker tolerance of surveyed outlines, in degrees (about 330 m): half a pixel when the whole
 * of Tamil Nadu is 1,000 pixels tall, and it keeps that map near 140 KB of JSON (0.002 gives 184 KB).
 */
export const SIMPLIFY_TOLERANCE_DEG = 0.003;
/** Decimals of the output coordinates (1e-4 degrees is about 11 m). */
export const OUTPUT_DECIMALS = 4;

export const SCHEMATIC_ATTRIBUTION =
  'schematic: cells around each district headquarters (registry coordinates), not surveyed boundaries';

/** A map source that cannot be used: not a FeatureCollection, a malformed geometry, no districts. */
export class MapSourceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MapSourceError';
  }
}

// ---------------------------------------------------------------------------------------------------
// The local plane

export interface PlaneProjection {
  forward(point: LonLat): Vec;
  inverse(point: Vec): LonLat;
}

/** Equirectangular projection centred on (`lon0`, `lat0`), x scaled by cos(`lat0`). */
export function planeProjection(lon0: number, lat0: number): PlaneProjection {
  const k = Math.cos((lat0 * Math.PI) / 180);
  return {
    forward: ([lon, lat]) => [(lon - lon0) * k, lat - lat0],
    inverse: ([x, y]) => [x / k + lon0, y + lat0],
  };
}

/** The projection centred on the mean headquarters of the districts. */
export function projectionOf(districts: readonly RegionUnit[]): PlaneProjection {
  const n = districts.length;
  const lon0 = districts.reduce((sum, d) => sum + d.lon, 0) / n;
  const lat0 = districts.reduce((sum, d) => sum + d.lat, 0) / n;
  return planeProjection(lon0, lat0);
}

// ---------------------------------------------------------------------------------------------------
// Plane geometry

const cross = (o: Vec, a: Vec, b: Vec): number =>
  (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

/** Signed area (shoelace): positive for a counter-clockwise ring. */
export function ringArea(ring: Ring): number {
  let twice = 0;
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i] as Vec;
    const b = ring[(i + 1) % ring.length] as Vec;
    twice += a[0] * b[1] - b[0] * a[1];
  }
  return twice / 2;
}

/** Whether `point` lies inside `ring` (even-odd ray casting; a point on an edge may go either way). */
export function insideRing(point: Vec, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as Vec;
    const [xj, yj] = ring[j] as Vec;
    if (yi > point[1] !== yj > point[1] && point[0] < ((xj - xi) * (point[1] - yi)) / (yj - yi) + xi) {
      inside = !inside;
    }
  }
  return inside;
}

/** Convex hull, counter-clockwise, without collinear points (Andrew's monotone chain). */
export function convexHull(points: readonly Vec[]): Vec[] {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (sorted.length < 3) return sorted;
  const half = (list: readonly Vec[]): Vec[] => {
    const chain: Vec[] = [];
    for (const p of list) {
      while (
        chain.length >= 2 &&
        cross(chain[chain.length - 2] as Vec, chain[chain.length - 1] as Vec, p) <= 0
      ) {
        chain.pop();
      }
      chain.push(p);
    }
    chain.pop();
    return chain;
  };
  return [...half(sorted), ...half([...sorted].reverse())];
}

/**
 * The convex hull of `points` grown outward by `margin`: the hull of a 16-gon of radius `margin` around
 * each point, so one or two points (or a line of them) still give a region with an area.
 */
export function expandedHull(points: readonly Vec[], margin: number): Vec[] {
  const sides = 16;
  const around = points.flatMap(([x, y]) =>
    Array.from({ length: sides }, (_, i): Vec => {
      const angle = (2 * Math.PI * i) / sides;
      return [x + margin * Math.cos(angle), y + margin * Math.sin(angle)];
    }),
  );
  return convexHull(around);
}

/**
 * Sutherland–Hodgman against one half-plane: keeps the part of `ring` where `n·p <= c`. Works for a
 * concave ring too, where a cut may leave zero-width bridges between the pieces.
 */
export function clipHalfPlane(ring: Ring, n: Vec, c: number): Vec[] {
  const out: Vec[] = [];
  const f = (p: Vec) => n[0] * p[0] + n[1] * p[1] - c;
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i] as Vec;
    const b = ring[(i + 1) % ring.length] as Vec;
    const fa = f(a);
    const fb = f(b);
    if (fa <= 0) out.push(a);
    if ((fa < 0 && fb > 0) || (fa > 0 && fb < 0)) {
      const t = fa / (fa - fb);
      out.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
    }
  }
  return out;
}

/** `ring` clipped by a convex, counter-clockwise `clip` (Sutherland–Hodgman). */
export function clipToConvex(ring: Ring, clip: Ring): Vec[] {
  let out: Vec[] = [...ring];
  for (let i = 0; i < clip.length && out.length > 0; i++) {
    const a = clip[i] as Vec;
    const b = clip[(i + 1) % clip.length] as Vec;
    // Left of a→b: cross(b - a, p - a) >= 0, i.e. n·p <= c with n = (dy, -dx).
    const n: Vec = [b[1] - a[1], a[0] - b[0]];
    out = clipHalfPlane(out, n, n[0] * a[0] + n[1] * a[1]);
  }
  return out;
}

/** The Voronoi cell of `sites[index]` within the convex region `clip`: the points closer to it than to any other site. */
export function voronoiCell(sites: readonly Vec[], index: number, clip: Ring): Vec[] {
  const site = sites[index];
  if (site === undefined) throw new RangeError(`index: no site ${index} of ${sites.length}`);
  let cell: Vec[] = [...clip];
  for (let j = 0; j < sites.length && cell.length > 0; j++) {
    const other = sites[j] as Vec;
    const n: Vec = [other[0] - site[0], other[1] - site[1]];
    // Same place (or itself): no bisector; both keep the cell.
    if (n[0] === 0 && n[1] === 0) continue;
    const mid: Vec = [(site[0] + other[0]) / 2, (site[1] + other[1]) / 2];
    cell = clipHalfPlane(cell, n, n[0] * mid[0] + n[1] * mid[1]);
  }
  return cell;
}

function segmentDistance(p: Vec, a: Vec, b: Vec): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2));
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

/** Douglas–Peucker of an open polyline, both ends kept. */
function simplifyLine(line: readonly Vec[], tolerance: number): Vec[] {
  const keep = new Uint8Array(line.length);
  keep[0] = 1;
  keep[line.length - 1] = 1;
  const stack: [number, number][] = [[0, line.length - 1]];
  for (let span = stack.pop(); span !== undefined; span = stack.pop()) {
    const [first, last] = span;
    let farthest = -1;
    let distance = tolerance;
    for (let i = first + 1; i < last; i++) {
      const d = segmentDistance(line[i] as Vec, line[first] as Vec, line[last] as Vec);
      if (d > distance) {
        distance = d;
        farthest = i;
      }
    }
    if (farthest >= 0) {
      keep[farthest] = 1;
      stack.push([first, farthest], [farthest, last]);
    }
  }
  return line.filter((_, i) => keep[i] === 1);
}

/**
 * Douglas–Peucker of a ring: split at its first point and the point farthest from it, each half
 * simplified. Empty when fewer than 3 points are left.
 */
export function simplifyRing(ring: Ring, tolerance: number): Vec[] {
  if (ring.length <= 3) return ring.length === 3 ? [...ring] : [];
  const start = ring[0] as Vec;
  let far = 1;
  for (let i = 2; i < ring.length; i++) {
    const p = ring[i] as Vec;
    const q = ring[far] as Vec;
    if (Math.hypot(p[0] - start[0], p[1] - start[1]) > Math.hypot(q[0] - start[0], q[1] - start[1])) far = i;
  }
  const first = simplifyLine(ring.slice(0, far + 1), tolerance);
  const second = simplifyLine([...ring.slice(far), start], tolerance);
  const out = [...first, ...second.slice(1, -1)];
  return out.length >= 3 ? out : [];
}

/** Consecutive duplicates removed (clipping and rounding leave them); empty below 3 points or no area. */
function cleanRing(ring: Ring, minArea: number): Vec[] {
  const out: Vec[] = [];
  for (const p of ring) {
    const last = out[out.length - 1];
    if (last === undefined || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  while (
    out.length > 1 &&
    (out[0] as Vec)[0] === (out[out.length - 1] as Vec)[0] &&
    (out[0] as Vec)[1] === (out[out.length - 1] as Vec)[1]
  ) {
    out.pop();
  }
  return out.length >= 3 && Math.abs(ringArea(out)) > minArea ? out : [];
}

/** Polygons clipped by a convex region; rings left empty (or without area) are dropped, and a polygon with its outer ring. */
export function clipPolygons(polygons: readonly Polygon[], clip: Ring, minArea = 0): Polygon[] {
  const out: Polygon[] = [];
  for (const [outer, ...holes] of polygons) {
    if (outer === undefined) continue;
    const clipped = cleanRing(clipToConvex(outer, clip), minArea);
    if (clipped.length === 0) continue;
    const keptHoles = holes
      .map((hole) => cleanRing(clipToConvex(hole, clip), minArea))
      .filter((hole) => hole.length > 0);
    out.push([clipped, ...keptHoles]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Output

const round = (value: number): number => {
  const factor = 10 ** OUTPUT_DECIMALS;
  const rounded = Math.round(value * factor) / factor;
  return rounded === 0 ? 0 : rounded; // no -0 in JSON
};

const toLonLat = (projection: PlaneProjection, point: Vec): LonLat => {
  const [lon, lat] = projection.inverse(point);
  return [round(lon), round(lat)];
};

/**
 * A ring as the wire carries it: lon/lat rounded, closed (the first point repeated, as GeoJSON), outer
 * rings counter-clockwise and holes clockwise (RFC 7946). Null when rounding leaves no area.
 */
function wireRing(projection: PlaneProjection, ring: Ring, outer: boolean): LonLat[] | null {
  const points: LonLat[] = [];
  for (const p of ring) {
    const q = toLonLat(projection, p);
    const last = points[points.length - 1];
    if (last === undefined || last[0] !== q[0] || last[1] !== q[1]) points.push(q);
  }
  const cleaned = cleanRing(points, 0);
  if (cleaned.length === 0) return null;
  if (ringArea(cleaned) > 0 !== outer) cleaned.reverse();
  return [...cleaned, cleaned[0] as LonLat];
}

function wirePolygons(projection: PlaneProjection, polygons: readonly Polygon[]): LonLat[][][] {
  const out: LonLat[][][] = [];
  for (const [outer, ...holes] of polygons) {
    const ring = outer === undefined ? null : wireRing(projection, outer, true);
    if (ring === null) continue;
    const keptHoles = holes.map((hole) => wireRing(projection, hole, false)).filter((hole) => hole !== null);
    out.push([ring, ...keptHoles]);
  }
  return out;
}

function bboxOf(districts: readonly DistrictShape[]): [number, number, number, number] {
  let [west, south, east, north] = [Infinity, Infinity, -Infinity, -Infinity];
  const add = ([lon, lat]: LonLat) => {
    west = Math.min(west, lon);
    east = Math.max(east, lon);
    south = Math.min(south, lat);
    north = Math.max(north, lat);
  };
  for (const district of districts) {
    add(district.hq);
    for (const polygon of district.polygons) for (const ring of polygon) ring.forEach(add);
  }
  return [west, south, east, north];
}

// ---------------------------------------------------------------------------------------------------
// Schematic map

function districtsOrThrow(region: Region): RegionUnit[] {
  const districts = districtsOf(region);
  if (districts.length === 0) throw new MapSourceError(`region ${region.code} has no districts to draw`);
  return districts;
}

/** Each district's schematic cell: its Voronoi cell within the headquarters' hull grown by the margin. */
function schematicCells(districts: readonly RegionUnit[], projection: PlaneProjection): Map<string, Vec[]> {
  const sites = districts.map((d) => projection.forward([d.lon, d.lat]));
  const clip = expandedHull(sites, SCHEMATIC_MARGIN_DEG);
  return new Map(districts.map((d, i) => [d.code, voronoiCell(sites, i, clip)]));
}

const hqOf = (unit: RegionUnit): LonLat => [round(unit.lon), round(unit.lat)];

/** The schematic map: a Voronoi cell around each district's headquarters, all approximate. */
export function schematicMap(region: Region): RegionMap {
  const districts = districtsOrThrow(region);
  const projection = projectionOf(districts);
  const cells = schematicCells(districts, projection);
  const shapes = districts.map((d): DistrictShape => ({
    code: d.code,
    name: d.name,
    hq: hqOf(d),
    polygons: wirePolygons(projection, [[cells.get(d.code) ?? []]]),
    approximate: true,
  }));
  return {
    region: region.code,
    source: 'schematic',
    attribution: SCHEMATIC_ATTRIBUTION,
    bbox: bboxOf(shapes),
    districts: shapes,
  };
}

// ---------------------------------------------------------------------------------------------------
// GeoJSON map

/** One feature of the collection: its key value and its polygons (lon/lat rings as in the file). */
export interface SourceFeature {
  readonly key: number | null;
  readonly polygons: readonly (readonly (readonly LonLat[])[])[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parseRing(value: unknown, where: string): LonLat[] {
  if (!Array.isArray(value)) throw new MapSourceError(`${where}: expected a ring (an array of positions)`);
  return value.map((position: unknown, i) => {
    if (!Array.isArray(position) || position.length < 2) {
      throw new MapSourceError(`${where}[${i}]: expected a position [lon, lat]`);
    }
    const [lon, lat] = position as unknown[];
    if (
      typeof lon !== 'number' ||
      typeof lat !== 'number' ||
      !Number.isFinite(lon) ||
      !Number.isFinite(lat)
    ) {
      throw new MapSourceError(`${where}[${i}]: expected finite numbers [lon, lat]`);
    }
    return [lon, lat];
  });
}

function parsePolygon(value: unknown, where: string): LonLat[][] {
  if (!Array.isArray(value)) throw new MapSourceError(`${where}: expected a polygon (an array of rings)`);
  return value.map((ring: unknown, i) => parseRing(ring, `${where}[${i}]`));
}

/**
 * The Polygon and MultiPolygon features of a GeoJSON FeatureCollection with their `key` property as a
 * number (a string such as "603" counts; null when missing or not a number). Other geometries are left
 * out (`skipped` counts them); anything that is not a FeatureCollection, or a malformed geometry, throws.
 */
export function parseFeatureCollection(
  value: unknown,
  key: string,
): { features: SourceFeature[]; skipped: number } {
  if (!isObject(value) || value.type !== 'FeatureCollection' || !Array.isArray(value.features)) {
    throw new MapSourceError(
      'expected a GeoJSON FeatureCollection ({"type": "FeatureCollection", "features": [...]})',
    );
  }
  const features: SourceFeature[] = [];
  let skipped = 0;
  value.features.forEach((feature: unknown, i) => {
    const where = `features[${i}]`;
    if (!isObject(feature)) throw new MapSourceError(`${where}: expected a Feature object`);
    const geometry = feature.geometry;
    if (!isObject(geometry) || (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon')) {
      skipped++;
      return;
    }
    const coordinates = geometry.coordinates;
    const polygons =
      geometry.type === 'Polygon'
        ? [parsePolygon(coordinates, `${where}.geometry.coordinates`)]
        : Array.isArray(coordinates)
          ? coordinates.map((polygon: unknown, p) =>
              parsePolygon(polygon, `${where}.geometry.coordinates[${p}]`),
            )
          : [parsePolygon(coordinates, `${where}.geometry.coordinates`)];
    const raw = isObject(feature.properties) ? feature.properties[key] : undefined;
    const number =
      typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    features.push({ key: Number.isFinite(number) ? number : null, polygons });
  });
  return { features, skipped };
}

export interface GeoJsonMapOptions {
  /** The file's base name, for the attribution. */
  readonly fileName: string;
  /** The property matched against the registry's `censusCode`. */
  readonly key: string;
  readonly tolerance?: number;
  /** Told once per thing worth a warning (a district drawn schematically, features matching no district). */
  readonly warn?: (message: string) => void;
}

/**
 * The map from surveyed polygons. Districts formed after the census (`carvedFrom`, no polygon of their
 * own) get a share of each parent's polygon: the parent and the children carved from it split it by the
 * Voronoi cells of their headquarters. A district with neither falls back to its schematic cell.
 */
export function geojsonMap(
  region: Region,
  features: readonly SourceFeature[],
  options: GeoJsonMapOptions,
): RegionMap {
  const { fileName, key, tolerance = SIMPLIFY_TOLERANCE_DEG, warn = () => undefined } = options;
  const districts = districtsOrThrow(region);
  const projection = projectionOf(districts);
  const minArea = tolerance * tolerance;

  const byKey = new Map<number, Polygon[]>();
  for (const feature of features) {
    if (feature.key === null) continue;
    const polygons = byKey.get(feature.key) ?? [];
    for (const polygon of feature.polygons) {
      const [outer, ...holes] = polygon.map((ring) =>
        cleanRing(simplifyRing(openRing(ring.map((p) => projection.forward(p))), tolerance), minArea),
      );
      // A polygon whose outer ring vanishes at this tolerance is an islet too small to draw.
      if (outer === undefined || outer.length === 0) continue;
      polygons.push([outer, ...holes.filter((hole) => hole.length > 0)]);
    }
    byKey.set(feature.key, polygons);
  }

  const own = new Map<string, Polygon[]>();
  for (const d of districts) {
    const polygons = d.censusCode === undefined ? undefined : byKey.get(d.censusCode);
    if (polygons !== undefined && polygons.length > 0) own.set(d.code, polygons);
  }
  const unmatched = [...byKey.keys()].filter((k) => !districts.some((d) => d.censusCode === k));
  if (unmatched.length > 0)
    warn(`${fileName}: features with ${key} ${unmatched.join(', ')} match no district of ${region.code}`);
  const unkeyed = features.filter((f) => f.key === null).length;
  if (unkeyed > 0) warn(`${fileName}: ${unkeyed} features have no numeric "${key}" property`);

  // Parent -> the districts carved from it that have no polygon of their own.
  const carved = new Map<string, RegionUnit[]>();
  for (const d of districts) {
    if (own.has(d.code)) continue;
    for (const parent of d.carvedFrom ?? []) {
      if (!own.has(parent)) continue;
      carved.set(parent, [...(carved.get(parent) ?? []), d]);
    }
  }

  const drawn = new Map<string, Polygon[]>(own);
  const approximate = new Set<string>();
  for (const [parentCode, children] of carved) {
    const parent = districts.find((d) => d.code === parentCode) as RegionUnit;
    const polygons = own.get(parentCode) ?? [];
    const group = [parent, ...children];
    const sites = group.map((d) => projection.forward([d.lon, d.lat]));
    const clip = boxAround(polygons, sites);
    drawn.set(parentCode, []);
    group.forEach((member, i) => {
      const share = clipPolygons(polygons, voronoiCell(sites, i, clip), minArea);
      drawn.set(member.code, [...(drawn.get(member.code) ?? []), ...share]);
      approximate.add(member.code);
    });
  }

  let cells: Map<string, Vec[]> | undefined;
  const shapes = districts.map((d): DistrictShape => {
    let polygons = drawn.get(d.code) ?? [];
    let rough = approximate.has(d.code);
    if (polygons.length === 0) {
      cells ??= schematicCells(districts, projection);
      warn(
        `${fileName}: no polygon for district ${d.code} (${d.name}) nor for a district it was carved from; drawn as its schematic cell`,
      );
      polygons = [[cells.get(d.code) ?? []]];
      rough = true;
    }
    return {
      code: d.code,
      name: d.name,
      hq: hqOf(d),
      polygons: wirePolygons(projection, polygons),
      approximate: rough,
    };
  });
  return {
    region: region.code,
    source: 'geojson',
    attribution:
      `${fileName}: district polygons matched on "${key}" to the registry's census codes, simplified to about ` +
      `${Math.round(tolerance * 111_000)} m; districts formed after the census are their parent's polygon split around the headquarters (approximate)`,
    bbox: bboxOf(shapes),
    districts: shapes,
  };
}

/** GeoJSON closes rings by repeating the first point; the plane's rings are open. */
function openRing(ring: readonly Vec[]): Vec[] {
  const first = ring[0];
  const last = ring[ring.length - 1];
  return first !== undefined &&
    last !== undefined &&
    ring.length > 1 &&
    first[0] === last[0] &&
    first[1] === last[1]
    ? ring.slice(0, -1)
    : [...ring];
}

/** A rectangle holding the polygons and the sites with room to spare: the clip region of a split parent. */
function boxAround(polygons: readonly Polygon[], sites: readonly Vec[]): Vec[] {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of [...sites, ...polygons.flatMap((polygon) => polygon.flat())]) {
    [x0, y0, x1, y1] = [Math.min(x0, x - 1), Math.min(y0, y - 1), Math.max(x1, x + 1), Math.max(y1, y + 1)];
  }
  return [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ];
}
