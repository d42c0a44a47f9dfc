import { describe, expect, it } from 'vitest';
import { HourlyCube } from '../features/counts.js';
import { HourClock } from '../features/hour-clock.js';
import {
  MOMENTUM_MIN_PAIRS,
  momentumFactor,
  momentumWeight,
  regionError,
  regionWeek,
} from './region-momentum.js';

describe('region momentum', () => {
  it('weighs the week before by least squares through the origin, clamped to [0, 1]', () => {
    const errors = [0.1, -0.05, 0.2, 0.08, -0.12, 0.03, 0.15, -0.02, 0.06, 0.11];
    const pairs = errors.map((before) => ({ before, after: 0.6 * before }));
    expect(momentumWeight(pairs)).toBeCloseTo(0.6, 12);
    // Reversal and amplification are clamped; too few pairs, or no spread, give none.
    expect(momentumWeight(errors.map((before) => ({ before, after: -0.6 * before })))).toBe(0);
    expect(momentumWeight(errors.map((before) => ({ before, after: 1.8 * before })))).toBe(1);
    expect(momentumWeight(pairs.slice(0, MOMENTUM_MIN_PAIRS - 1))).toBe(0);
    expect(momentumWeight(errors.map(() => ({ before: 0, after: 0.1 })))).toBe(0);
    expect(() => momentumWeight([...pairs, { before: NaN, after: 0 }])).toThrow(/must be finite/);
  });

  it("multiplies the baseline by exp(weight × the region's log error), 1 without a week or a weight", () => {
    const week = { incidents: 119.5, baseline: 99.5 };
    expect(regionError(week)).toBeCloseTo(Math.log(120 / 100), 12);
    expect(momentumFactor(0.5, week)).toBeCloseTo(Math.sqrt(1.2), 12);
    expect(momentumFactor(0.5, undefined)).toBe(1);
    expect(momentumFactor(0, week)).toBe(1);
    expect(() => regionError({ incidents: -1, baseline: 3 })).toThrow(/incidents and a baseline >= 0/);
  });

  it("reads the region's last 7 days and the 28 days before them, as the features at asOf do", () => {
    const clock = new HourClock('Asia/Kolkata');
    const asOf = Date.parse('2025-06-02T10:20:00Z');
    const now = clock.hourOf(asOf);
    const cube = () => new HourlyCube({ endHour: now + 1, capacityHours: 2000 });
    const a = cube();
    const b = cube();
    a.add('crime_body', now, 2, 0, 0); // the hour of asOf is in the week
    a.add('crime_property', now - 167, 1, 0, 0); // the week's first hour
    a.add('crime_body', now - 168, 8, 0, 0); // the 28 days before it: 8 / 4 = 2 a week
    b.add('crime_body', now - 839, 3, 0, 0); // the first hour of those 28 days: 0.75 a week
    b.add('crime_body', now - 840, 50, 0, 0); // before them: not read
    b.add('road_accident', now - 10, 4, 1, 0); // accidents are not incidents
    expect(regionWeek([a, b], clock, asOf)).toEqual({ incidents: 3, baseline: 2 + 0.75 });
    // A district without events has the floor of the baseline.
    expect(regionWeek([cube()], clock, asOf)).toEqual({ incidents: 0, baseline: 0.25 });
  });
});
