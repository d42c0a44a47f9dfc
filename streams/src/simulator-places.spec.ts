import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { districtsOf, parseRegion } from './index.js';
import { createSimulator, type DistrictArea } from './simulator.js';

const region = parseRegion(
  JSON.parse(readFileSync(new URL('../../data/regions/tamil-nadu.json', import.meta.url), 'utf8')),
  'tamil-nadu.json',
);
const T0 = Date.parse('2024-05-01T00:00:00Z');
const DAY = 86_400_000;
const KM_PER_DEGREE = 111.2;

/** A triangle per district with the headquarters near one corner: a box would not catch a point outside it. */
function triangles(): Map<string, DistrictArea> {
  const areas = new Map<string, DistrictArea>();
  for (const unit of districtsOf(region)) {
    const [x0, y0] = [unit.lon - 0.05, unit.lat - 0.05];
    const size = 0.3;
    areas.set(unit.code, {
      bbox: [x0, y0, x0 + size, y0 + size],
      // Below the diagonal from (x0, y0 + size) to (x0 + size, y0).
      contains: (lon, lat) => lon >= x0 && lat >= y0 && lon - x0 + (lat - y0) <= size,
    });
  }
  return areas;
}

const kmBetween = (a: { lat: number; lon: number }, b: { lat: number; lon: number }): number => {
  const dy = (a.lat - b.lat) * KM_PER_DEGREE;
  const dx = (a.lon - b.lon) * KM_PER_DEGREE * Math.cos((a.lat * Math.PI) / 180);
  return Math.hypot(dx, dy);
};

describe('simulated places', () => {
  const areas = triangles();
  const run = (seed: number, withAreas = true) => {
    const simulator = createSimulator({ region, ratePerSecond: 1, seed, ...(withAreas ? { areas } : {}) });
    simulator.tick(T0);
    return { simulator, events: simulator.tick(T0 + DAY) };
  };

  it('puts every event inside its own district area', () => {
    const { events } = run(4);
    expect(events.length).toBeGreaterThan(50_000);
    const outside = events.filter((event) => {
      const area = areas.get(event.district);
      return (
        event.location === undefined ||
        area === undefined ||
        !area.contains(event.location.lon, event.location.lat)
      );
    });
    expect(outside).toEqual([]);
  });

  it('keeps the hot points of a district whatever the seed, and inside the district', () => {
    const a = run(1).simulator.hotPoints;
    const b = run(2).simulator.hotPoints;
    expect([...a.keys()]).toHaveLength(districtsOf(region).length);
    expect(b).toEqual(a);
    for (const [code, points] of a) {
      expect(points).toHaveLength(3);
      expect(points.reduce((sum, p) => sum + p.weight, 0)).toBeCloseTo(1, 9);
      for (const p of points) expect(areas.get(code)?.contains(p.lon, p.lat)).toBe(true);
    }
  });

  it('places about 40% of accidents within 1 km of a hot point, and few other events', () => {
    const { simulator, events } = run(7);
    const nearHot = (event: (typeof events)[number]): boolean =>
      event.location !== undefined &&
      (simulator.hotPoints.get(event.district) ?? []).some(
        (p) => kmBetween(p, event.location as typeof p) <= 1,
      );
    const accidents = events.filter((event) => event.kind === 'accident');
    const incidents = events.filter((event) => event.kind === 'incident');
    const accidentShare = accidents.filter(nearHot).length / accidents.length;
    const incidentShare = incidents.filter(nearHot).length / incidents.length;
    // 40% by design, plus the few uniform accidents that fall near a hot point by chance.
    expect(accidentShare).toBeGreaterThan(0.38);
    expect(accidentShare).toBeLessThan(0.45);
    expect(incidentShare).toBeLessThan(0.05);
  });

  it('gives the same events (ids, districts, times) with or without areas: places draw their own stream', () => {
    const strip = (events: ReturnType<typeof run>['events']) =>
      events.map(({ location: _location, ...rest }) => rest);
    expect(strip(run(9, true).events)).toEqual(strip(run(9, false).events));
  });
});
