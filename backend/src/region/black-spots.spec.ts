import { describe, expect, it } from 'vitest';
import { clusterBlackSpots, SpotParameterError, type SpotAccident } from './black-spots.js';

/** Degrees of latitude per km along a meridian (the haversine's earth radius, 6371.0088 km). */
const DEG_PER_KM = 180 / (Math.PI * 6371.0088);

/** An accident `northKm` north of 10° N 78° E, at minute `minute` of 2025-06-01. */
function accident(district: string, northKm: number, minute: number, killed = 0, injured = 1): SpotAccident {
  return {
    district,
    lat: 10 + northKm * DEG_PER_KM,
    lon: 78,
    occurredAt: new Date(Date.UTC(2025, 5, 1, 0, minute)),
    killed,
    injured,
  };
}

describe('clusterBlackSpots', () => {
  it('grows a spot from the accident with the most neighbours, centred on their mean', () => {
    // 0, 0.8 and 1.6 km along a meridian, radius 1 km: only the middle one reaches both others.
    const spots = clusterBlackSpots(
      [accident('TN-CHN', 0, 10, 1, 0), accident('TN-CHN', 0.8, 20, 0, 2), accident('TN-CHN', 1.6, 5, 0, 3)],
      { minAccidents: 3, radiusKm: 1 },
    );
    expect(spots).toHaveLength(1);
    const [spot] = spots;
    expect(spot).toMatchObject({
      district: 'TN-CHN',
      accidents: 3,
      killed: 1,
      injured: 5,
      first: '2025-06-01T00:05:00.000Z',
      last: '2025-06-01T00:20:00.000Z',
    });
    // Mean of 0, 0.8 and 1.6 km north: 0.8 km north.
    expect(spot?.lat).toBeCloseTo(10 + 0.8 * DEG_PER_KM, 12);
    expect(spot?.lon).toBe(78);
  });

  it("takes a spot's accidents out before looking for the next one", () => {
    // A chain at 0, 0.8, 1.6 and 2.4 km: the accidents at 0.8 and 1.6 km both reach three; the earlier
    // wins with 0, 0.8 and 1.6, and the one at 2.4 km is left alone (one accident, below 2).
    const chain = [0, 0.8, 1.6, 2.4].map((km, i) => accident('TN-CHN', km, i));
    const spots = clusterBlackSpots(chain, { minAccidents: 2, radiusKm: 1 });
    expect(spots.map((s) => s.accidents)).toEqual([3]);
    expect(spots[0]?.lat).toBeCloseTo(10 + 0.8 * DEG_PER_KM, 12);
    // With a 0.5 km radius nobody reaches anybody: no spot of 2.
    expect(clusterBlackSpots(chain, { minAccidents: 2, radiusKm: 0.5 })).toEqual([]);
    // ... and every accident is a spot of 1 when one accident is enough.
    expect(clusterBlackSpots(chain, { minAccidents: 1, radiusKm: 0.5 })).toHaveLength(4);
  });

  it('finds two spots in one district, the larger first', () => {
    const near = [0, 0.1, 0.2].map((km, i) => accident('TN-MDU', km, i));
    const far = [10, 10.1, 10.2, 10.3].map((km, i) => accident('TN-MDU', km, 10 + i));
    const spots = clusterBlackSpots([...near, ...far], { minAccidents: 3, radiusKm: 1 });
    expect(spots.map((s) => s.accidents)).toEqual([4, 3]);
    expect(spots[0]?.lat).toBeCloseTo(10 + 10.15 * DEG_PER_KM, 12);
  });

  it('clusters accidents only within their own district', () => {
    // Two accidents of each district at one place: four together, but two per district, below 3.
    const spots = clusterBlackSpots(
      [
        accident('TN-CHN', 0, 0),
        accident('TN-CHN', 0, 1),
        accident('TN-TVL', 0, 2),
        accident('TN-TVL', 0, 3),
      ],
      { minAccidents: 3, radiusKm: 1 },
    );
    expect(spots).toEqual([]);
  });

  it('refuses parameters that cannot make a spot, before any computation', () => {
    expect(() => clusterBlackSpots([], { minAccidents: 0, radiusKm: 1 })).toThrow(SpotParameterError);
    expect(() => clusterBlackSpots([], { minAccidents: 2.5, radiusKm: 1 })).toThrow('minAccidents');
    expect(() => clusterBlackSpots([], { minAccidents: 3, radiusKm: 0 })).toThrow('radiusKm');
    expect(() => clusterBlackSpots([], { minAccidents: 3, radiusKm: Number.NaN })).toThrow('radiusKm');
  });
});
