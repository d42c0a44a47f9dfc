import type { BlackSpot } from '@district-monitor/streams';
import { distanceKm } from '../alerts/engine/black-spot.js';

/** A located road accident as the clustering reads it. */
export interface SpotAccident {
  readonly district: string;
  readonly lat: number;
  readonly lon: number;
  readonly occurredAt: Date;
  readonly killed: number;
  readonly injured: number;
}

export interface SpotParameters {
  /** Accidents (the centre included) a spot needs. */
  readonly minAccidents: number;
  /** Reach of a spot around the accident it grows from. */
  readonly radiusKm: number;
}

/** Used when the region has no enabled `black_spot` alert rule. */
export const DEFAULT_SPOT_PARAMETERS: SpotParameters = { minAccidents: 3, radiusKm: 1 };

/** Less than a degree of latitude (111.2 km): grid cells a tenth larger than the radius. */
const KM_PER_CELL_DEGREE = 100;

/** Bad input to the clustering: thrown before any computation. */
export class SpotParameterError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'SpotParameterError';
  }
}

/**
 * Black spots, greedy and per district: the accident with the most accidents within `radiusKm` (itself
 * included) grows a spot of those neighbours when they number at least `minAccidents`; they are taken
 * out, and the next densest accident is looked for among the rest. A spot's centre is the mean position
 * of its accidents. Spots come out largest first (then deadliest, then by district and first accident).
 * Ties between equally dense accidents go to the earlier one in `accidents`.
 */
export function clusterBlackSpots(
  accidents: readonly SpotAccident[],
  parameters: SpotParameters,
): BlackSpot[] {
  const { minAccidents, radiusKm } = parameters;
  if (!Number.isInteger(minAccidents) || minAccidents < 1) {
    throw new SpotParameterError(`minAccidents: expected a whole number of at least 1, got ${minAccidents}`);
  }
  if (!Number.isFinite(radiusKm) || radiusKm <= 0) {
    throw new SpotParameterError(`radiusKm: expected a positive number of km, got ${radiusKm}`);
  }
  const byDistrict = new Map<string, SpotAccident[]>();
  for (const accident of accidents) {
    const list = byDistrict.get(accident.district);
    if (list === undefined) byDistrict.set(accident.district, [accident]);
    else list.push(accident);
  }
  const spots = [...byDistrict.values()].flatMap((list) => districtSpots(list, minAccidents, radiusKm));
  return spots.sort(
    (a, b) =>
      b.accidents - a.accidents ||
      b.killed - a.killed ||
      a.district.localeCompare(b.district) ||
      a.first.localeCompare(b.first),
  );
}

/** Spots of one district's accidents; quadratic in them at worst (all within one radius), near linear when spread. */
function districtSpots(points: readonly SpotAccident[], minAccidents: number, radiusKm: number): BlackSpot[] {
  const neighbours = neighbourLists(points, radiusKm);
  const alive = new Uint8Array(points.length).fill(1);
  const counts = neighbours.map((list) => list.length);
  const spots: BlackSpot[] = [];
  for (;;) {
    let best = -1;
    for (let i = 0; i < points.length; i++) {
      if (alive[i] === 1 && (best < 0 || (counts[i] ?? 0) > (counts[best] ?? 0))) best = i;
    }
    if (best < 0 || (counts[best] ?? 0) < minAccidents) return spots;
    const members = (neighbours[best] ?? []).filter((j) => alive[j] === 1);
    for (const j of members) {
      alive[j] = 0;
      for (const k of neighbours[j] ?? []) counts[k] = (counts[k] ?? 0) - 1;
    }
    spots.push(spotOf(members.map((j) => points[j] as SpotAccident)));
  }
}

/** For each accident, the indexes of the accidents within `radiusKm` (itself included), found through a grid of radius-sized cells. */
function neighbourLists(points: readonly SpotAccident[], radiusKm: number): number[][] {
  const cellLat = radiusKm / KM_PER_CELL_DEGREE;
  // Longitude degrees shrink towards the poles: size the cells for the highest latitude present.
  const maxLat = Math.min(
    89,
    points.reduce((max, p) => Math.max(max, Math.abs(p.lat)), 0),
  );
  const cellLon = cellLat / Math.cos((maxLat * Math.PI) / 180);
  const key = (x: number, y: number) => `${x}:${y}`;
  const grid = new Map<string, number[]>();
  const cellOf = (p: SpotAccident): [number, number] => [
    Math.floor(p.lon / cellLon),
    Math.floor(p.lat / cellLat),
  ];
  points.forEach((p, i) => {
    const k = key(...cellOf(p));
    const list = grid.get(k);
    if (list === undefined) grid.set(k, [i]);
    else list.push(i);
  });
  return points.map((p) => {
    const [x, y] = cellOf(p);
    const near: number[] = [];
    // The cells are larger than the radius, so the 3 × 3 block around a point holds every accident within it.
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const j of grid.get(key(x + dx, y + dy)) ?? []) {
          if (distanceKm(p, points[j] as SpotAccident) <= radiusKm) near.push(j);
        }
      }
    }
    return near.sort((a, b) => a - b);
  });
}

function spotOf(members: readonly SpotAccident[]): BlackSpot {
  const n = members.length;
  const times = members.map((m) => m.occurredAt.getTime());
  return {
    district: (members[0] as SpotAccident).district,
    lat: members.reduce((sum, m) => sum + m.lat, 0) / n,
    lon: members.reduce((sum, m) => sum + m.lon, 0) / n,
    accidents: n,
    killed: members.reduce((sum, m) => sum + m.killed, 0),
    injured: members.reduce((sum, m) => sum + m.injured, 0),
    first: new Date(Math.min(...times)).toISOString(),
    last: new Date(Math.max(...times)).toISOString(),
  };
}
