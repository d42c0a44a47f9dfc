import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEventValidator, parseRegion } from './index.js';
import { createSimulator, mulberry32, poisson, SIMULATED_CATEGORY_MIX } from './simulator.js';

const region = parseRegion(
  JSON.parse(readFileSync(new URL('../../data/regions/tamil-nadu.json', import.meta.url), 'utf8')),
  'tamil-nadu.json',
);
const T0 = Date.parse('2024-05-01T00:00:00Z');

describe('simulator', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const run = (seed: number) => createSimulator({ region, ratePerSecond: 20, seed }).burst(50, T0);
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
  });

  it('produces only events the contract accepts, with unique ids, for every district', () => {
    const validator = createEventValidator({ region, now: () => T0 });
    const events = createSimulator({ region, ratePerSecond: 1, seed: 9 }).burst(5000, T0);
    const rejected = events.map((e) => validator.check(e)).filter((r) => !r.ok);
    expect(rejected).toEqual([]);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(5000);
    expect(new Set(events.map((e) => e.district)).size).toBe(38);
  });

  it('follows its category mix within sampling error', () => {
    const events = createSimulator({ region, ratePerSecond: 1, seed: 5 }).burst(20_000, T0);
    const accidents = events.filter((e) => e.category === 'road_accident').length / events.length;
    // Binomial standard error at n = 20000, p = 0.2 is 0.0028; allow four of them.
    expect(Math.abs(accidents - SIMULATED_CATEGORY_MIX.road_accident)).toBeLessThan(0.012);
  });

  it('emits events at the configured rate from the first tick, each reported after it happened', () => {
    const simulator = createSimulator({ region, ratePerSecond: 5, seed: 11 });
    simulator.tick(T0);
    const events = [];
    for (let second = 1; second <= 3600; second++) events.push(...simulator.tick(T0 + second * 1000));
    expect(Math.abs(events.length - 18_000)).toBeLessThan(4 * Math.sqrt(18_000));
    expect(simulator.tick(T0 + 3_600_000)).toEqual([]);
    for (const e of events) {
      const lag = Date.parse(e.reportedAt) - Date.parse(e.occurredAt ?? '');
      expect(lag).toBeGreaterThanOrEqual(0);
      expect(lag).toBeLessThanOrEqual(30 * 60_000);
    }
  });

  it('rejects a negative or infinite rate', () => {
    expect(() => createSimulator({ region, ratePerSecond: -1 })).toThrow(RangeError);
    expect(() => createSimulator({ region, multiplier: Infinity })).toThrow(RangeError);
  });
});

describe('poisson', () => {
  it('has the requested mean for small and large means', () => {
    const random = mulberry32(1);
    for (const mean of [0.5, 4, 80]) {
      let sum = 0;
      for (let i = 0; i < 20_000; i++) sum += poisson(mean, random);
      expect(sum / 20_000).toBeCloseTo(mean, mean > 10 ? 0 : 1);
    }
  });
});
