/** A road accident's position. */
export interface Point {
  readonly lat: number;
  readonly lon: number;
}

const EARTH_RADIUS_KM = 6371.0088;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in km (haversine). */
export function distanceKm(a: Point, b: Point): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export interface BlackSpot {
  /** The accident whose neighbourhood holds the most accidents. */
  readonly centre: Point;
  /** Accidents within the radius of the centre, the centre included. */
  readonly accidents: number;
}

/**
 * The densest spot: the accident with the most accidents within `radiusKm` of it (itself included).
 * Quadratic in the accidents of one district's window, a few hundred at most.
 */
export function densestSpot(points: readonly Point[], radiusKm: number): BlackSpot | null {
  let best: BlackSpot | null = null;
  for (const centre of points) {
    let accidents = 0;
    for (const other of points) if (distanceKm(centre, other) <= radiusKm) accidents++;
    if (best === null || accidents > best.accidents) best = { centre, accidents };
  }
  return best;
}
