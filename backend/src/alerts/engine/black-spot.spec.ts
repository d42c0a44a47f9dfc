import { describe, expect, it } from 'vitest';
import { densestSpot, distanceKm, type Point } from './black-spot.js';

/** The IUGG mean Earth radius the module uses. */
const R = 6371.0088;
const DEGREE_KM = (R * Math.PI) / 180; // 111.195 km

describe('distanceKm (haversine)', () => {
  it.each([
    ['one degree along a meridian', { lat: 10, lon: 77 }, { lat: 11, lon: 77 }, DEGREE_KM],
    ['one degree along the equator', { lat: 0, lon: 0 }, { lat: 0, lon: 1 }, DEGREE_KM],
    ['one degree across the antimeridian', { lat: 0, lon: 179.5 }, { lat: 0, lon: -179.5 }, DEGREE_KM],
    ['equator to pole', { lat: 0, lon: 80 }, { lat: 90, lon: 0 }, (R * Math.PI) / 2],
    ['antipodes', { lat: 20, lon: 80 }, { lat: -20, lon: -100 }, R * Math.PI],
    // On the 60th parallel the great circle is a little shorter than the parallel (55.5975 km).
    ['one degree of longitude at 60 N', { lat: 60, lon: 0 }, { lat: 60, lon: 1 }, 55.597010864896916],
    ['the same point', { lat: 13.0827, lon: 80.2707 }, { lat: 13.0827, lon: 80.2707 }, 0],
  ])('%s', (_, a: Point, b: Point, km) => {
    expect(distanceKm(a, b)).toBeCloseTo(km, 6);
    expect(distanceKm(b, a)).toBeCloseTo(km, 6);
  });

  it('matches the published Nashville to Los Angeles figure (Rosetta Code, R = 6372.8 km)', () => {
    const bna = { lat: 36.12, lon: -86.67 };
    const lax = { lat: 33.94, lon: -118.4 };
    expect((distanceKm(bna, lax) / R) * 6372.8).toBeCloseTo(2887.2599506071106, 6);
  });
});

describe('densestSpot', () => {
  // 0.001 degrees of latitude is 111.2 m.
  const at = (dLat: number, dLon = 0): Point => ({ lat: 13 + dLat, lon: 80.25 + dLon });

  it('finds the accident with the most accidents around it, itself included', () => {
    const cluster = [at(0.02), at(0.021), at(0.0215), at(0.022)];
    const [c1, c2, c3, c4] = cluster;
    const spot = densestSpot(
      [at(0), c1, at(0.1), c2, c3, at(-0.1, 0.05), c4].filter((p) => p !== undefined),
      0.5,
    );
    expect(spot?.accidents).toBe(4);
    expect(cluster).toContain(spot?.centre);
  });

  it('counts within the radius inclusively around the centre, not across the group', () => {
    // a - b - c in a line 1.112 km apart: b has both neighbours, a and c only b.
    const a = at(0);
    const b = at(0.01);
    const c = at(0.02);
    expect(densestSpot([a, b, c], 1.12)).toEqual({ centre: b, accidents: 3 });
    expect(densestSpot([a, b, c], 1.11)).toEqual({ centre: a, accidents: 1 });
  });

  it('keeps the first of equally dense spots', () => {
    const a = at(0);
    const b = at(0.5);
    expect(densestSpot([a, b], 1)).toEqual({ centre: a, accidents: 1 });
    expect(densestSpot([b, a], 1)).toEqual({ centre: b, accidents: 1 });
  });

  it('is null without accidents', () => {
    expect(densestSpot([], 1)).toBeNull();
  });
});
