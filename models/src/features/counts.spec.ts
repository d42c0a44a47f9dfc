import { describe, expect, it } from 'vitest';
import { CUBE_HOURS, HourlyCube } from './counts.js';
import { FeatureInputError } from './errors.js';

describe('HourlyCube', () => {
  it('keeps 740 days by default', () => {
    const cube = new HourlyCube({ endHour: 1_000_000 });
    expect(CUBE_HOURS).toBe(17_760);
    expect(cube.capacityHours).toBe(CUBE_HOURS);
    expect(cube.startHour).toBe(1_000_000 - 17_760);
    expect(cube.endHour).toBe(1_000_000);
  });

  it('adds and sums events and road accident casualties', () => {
    const cube = new HourlyCube({ capacityHours: 48, endHour: 100 });
    expect(cube.add('crime_body', 60, 3, 0, 0)).toBe(true);
    expect(cube.add('crime_body', 61, 1, 0, 0)).toBe(true);
    expect(cube.add('road_accident', 61, 2, 1, 4)).toBe(true);
    expect(cube.sum('crime_body', 'events', 52, 100)).toBe(4);
    expect(cube.sum('crime_body', 'events', 61, 62)).toBe(1);
    expect(cube.sum('crime_body', 'events', 60, 60)).toBe(0);
    expect(cube.sum('crime_women', 'events', 52, 100)).toBe(0);
    expect(cube.sum('road_accident', 'events', 52, 100)).toBe(2);
    expect(cube.sum('road_accident', 'killed', 52, 100)).toBe(1);
    expect(cube.sum('road_accident', 'injured', 61, 62)).toBe(4);
    expect(cube.sum('crime_body', 'killed', 52, 100)).toBe(0);
  });

  it('moves a count on an amendment: -1 at the old bucket and category, +1 at the new', () => {
    const cube = new HourlyCube({ capacityHours: 48, endHour: 100 });
    cube.add('crime_property', 70, 1, 0, 0);
    cube.add('crime_property', 70, -1, 0, 0);
    cube.add('crime_women', 71, 1, 0, 0);
    expect(cube.sum('crime_property', 'events', 52, 100)).toBe(0);
    expect(cube.sum('crime_women', 'events', 52, 100)).toBe(1);
    expect(cube.lastEventHour(99, 52)).toBe(71);
  });

  it('ignores a bucket outside the span and changes nothing', () => {
    const cube = new HourlyCube({ capacityHours: 48, endHour: 100 });
    expect(cube.add('crime_body', 51, 5, 0, 0)).toBe(false);
    expect(cube.add('crime_body', 100, 5, 0, 0)).toBe(false);
    expect(cube.add('crime_body', 52, 1, 0, 0)).toBe(true);
    expect(cube.add('crime_body', 99, 1, 0, 0)).toBe(true);
    expect(cube.sum('crime_body', 'events', 52, 100)).toBe(2);
  });

  it('throws when a sum reaches outside the span', () => {
    const cube = new HourlyCube({ capacityHours: 48, endHour: 100 });
    expect(() => cube.sum('crime_body', 'events', 51, 60)).toThrow(FeatureInputError);
    expect(() => cube.sum('crime_body', 'events', 90, 101)).toThrow(FeatureInputError);
    expect(() => cube.sum('crime_body', 'events', 60, 59)).toThrow(FeatureInputError);
    expect(() => cube.lastEventHour(100, 90)).toThrow(FeatureInputError);
  });

  it('zeroes the slots that re-enter the span when it advances', () => {
    const cube = new HourlyCube({ capacityHours: 4, endHour: 4 });
    for (let hour = 0; hour < 4; hour++) cube.add('suicide', hour, hour + 1, 0, 0);
    expect(cube.sum('suicide', 'events', 0, 4)).toBe(1 + 2 + 3 + 4);
    cube.advanceTo(6);
    // Hours 0 and 1 left; their slots now hold hours 4 and 5, empty.
    expect(cube.sum('suicide', 'events', 2, 6)).toBe(3 + 4);
    expect(cube.sum('suicide', 'events', 4, 6)).toBe(0);
    cube.add('suicide', 5, 10, 0, 0);
    // A range crossing the end of the ring.
    expect(cube.sum('suicide', 'events', 3, 6)).toBe(4 + 10);
    cube.advanceTo(1000);
    expect(cube.sum('suicide', 'events', 996, 1000)).toBe(0);
    expect(cube.lastEventHour(999, 996)).toBeNull();
    expect(() => {
      cube.advanceTo(999);
    }).toThrow(FeatureInputError);
  });

  it('finds the latest non-empty bucket of any category', () => {
    const cube = new HourlyCube({ capacityHours: 48, endHour: 100 });
    cube.add('harassment', 60, 1, 0, 0);
    cube.add('road_accident', 80, 1, 0, 0);
    expect(cube.lastEventHour(99, 52)).toBe(80);
    expect(cube.lastEventHour(80, 52)).toBe(80);
    expect(cube.lastEventHour(79, 52)).toBe(60);
    expect(cube.lastEventHour(79, 61)).toBeNull();
    expect(cube.lastEventHour(50, 60)).toBeNull();
  });

  it('agrees with a plain array on every range, across block edges and the end of the ring', () => {
    // 100 slots: four blocks of 24 and a short one of 4; the span slides by uneven steps.
    const cube = new HourlyCube({ capacityHours: 100, endHour: 1000 });
    const plain = new Map<number, number>();
    let state = 7;
    const next = (n: number): number => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return state % n;
    };
    for (const step of [0, 7, 31, 24, 99, 150]) {
      cube.advanceTo(cube.endHour + step);
      for (const hour of plain.keys()) if (!cube.covers(hour)) plain.delete(hour);
      for (let i = 0; i < 40; i++) {
        const hour = cube.startHour + next(100);
        const events = next(3) === 0 ? 0 : 1 + next(4);
        cube.add('crime_body', hour, events, 0, 0);
        plain.set(hour, (plain.get(hour) ?? 0) + events);
      }
      const { startHour, endHour } = cube;
      for (let from = startHour; from <= endHour; from++) {
        let total = 0;
        let last: number | null = null;
        for (let to = from; to <= endHour; to++) {
          expect(cube.sum('crime_body', 'events', from, to), `[${from}, ${to})`).toBe(total);
          if (to > from) expect(cube.lastEventHour(to - 1, from), `${to - 1} back to ${from}`).toBe(last);
          const value = plain.get(to) ?? 0;
          total += value;
          if (value > 0) last = to;
        }
      }
    }
  });

  it('throws, changing nothing, when a count would become negative', () => {
    const cube = new HourlyCube({ capacityHours: 48, endHour: 100 });
    expect(() => cube.add('other', 60, -1, 0, 0)).toThrow(FeatureInputError);
    cube.add('road_accident', 60, 2, 1, 1);
    expect(() => cube.add('road_accident', 60, -1, -2, 0)).toThrow(/would become -1/);
    expect(cube.sum('road_accident', 'events', 60, 61)).toBe(2);
    expect(cube.sum('road_accident', 'killed', 60, 61)).toBe(1);
  });

  it('refuses casualties outside road accidents and counts that are not integers', () => {
    const cube = new HourlyCube({ capacityHours: 48, endHour: 100 });
    expect(() => cube.add('crime_body', 60, 1, 1, 0)).toThrow(FeatureInputError);
    expect(() => cube.add('crime_body', 60, 0.5, 0, 0)).toThrow(FeatureInputError);
    expect(() => cube.add('crime_body', 60.5, 1, 0, 0)).toThrow(FeatureInputError);
    expect(() => new HourlyCube({ capacityHours: 0, endHour: 0 })).toThrow(FeatureInputError);
    expect(cube.sum('crime_body', 'events', 52, 100)).toBe(0);
  });
});
