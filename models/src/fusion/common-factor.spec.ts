import { describe, expect, it } from 'vitest';
import { ModelInputError } from '../errors.js';
import {
  CommonFactorDispersion,
  mixtureCoverage80,
  mixtureQuantiles,
  type GroupedOutOfSampleCount,
} from './common-factor.js';
import { countQuantiles } from './count-distribution.js';
import { createRng } from './rng.js';
import { negativeBinomialDraw, normalDraw } from './synthetic.js';

/** 22 districts a week; every week's counts share one log-normal factor of sd `shock` (0: none). */
function city(weeks: number, shock: number, seed: number): GroupedOutOfSampleCount[] {
  const random = createRng(seed);
  const records: GroupedOutOfSampleCount[] = [];
  for (let time = 0; time < weeks; time++) {
    const factor = Math.exp(shock * normalDraw(random));
    for (let group = 0; group < 22; group++) {
      const mean = 40 + 5 * group;
      records.push({ time, group, mean, count: negativeBinomialDraw(random, mean * factor, 60) });
    }
  }
  return records;
}

describe('mixtureQuantiles', () => {
  it('equals the negative binomial quantiles when the factor has no spread', () => {
    for (const [mean, size] of [
      [3.5, 2],
      [80, 40],
      [230, null],
    ] as const)
      expect(mixtureQuantiles(mean, size, 0, 0, [0.1, 0.5, 0.9])).toEqual(
        countQuantiles(mean, size, [0.1, 0.5, 0.9]),
      );
  });

  it('matches a Monte-Carlo draw of NB(mean · C, size), ln C ~ N(m, s²)', () => {
    const random = createRng(11);
    for (const [mean, size, m, s] of [
      [120, 50, 0, 0.15],
      [30, 8, -0.1, 0.3],
    ] as const) {
      const draws: number[] = [];
      for (let i = 0; i < 40_000; i++)
        draws.push(negativeBinomialDraw(random, mean * Math.exp(m + s * normalDraw(random)), size));
      draws.sort((a, b) => a - b);
      const [lo = 0, hi = 0] = mixtureQuantiles(mean, size, m, s, [0.1, 0.9]);
      const below = (y: number) => draws.filter((d) => d <= y).length / draws.length;
      // The quantile's defining property, within Monte-Carlo error (sd of a share near 0.1: 0.0015).
      expect(below(lo)).toBeGreaterThanOrEqual(0.1 - 0.006);
      expect(below(lo - 1)).toBeLessThan(0.1 + 0.006);
      expect(below(hi)).toBeGreaterThanOrEqual(0.9 - 0.006);
      expect(below(hi - 1)).toBeLessThan(0.9 + 0.006);
      // And it is wider than the negative binomial alone.
      const [nbLo = 0, nbHi = 0] = countQuantiles(mean, size, [0.1, 0.9]);
      expect(hi - lo).toBeGreaterThan(nbHi - nbLo);
    }
  });

  it('rejects a negative spread', () => {
    expect(() => mixtureQuantiles(10, 5, 0, -0.1, [0.5])).toThrow(ModelInputError);
  });
});

describe('CommonFactorDispersion', () => {
  it('finds no common factor when the districts miss independently, and a spread near the true one when they share a shock', () => {
    const independent = new CommonFactorDispersion(city(40, 0, 3), { window: 4, minRows: 20 });
    const shared = new CommonFactorDispersion(city(40, 0.12, 3), { window: 4, minRows: 20 });
    expect(independent.at(40).logSd).toBeLessThan(0.03);
    const s = shared.at(40).logSd;
    expect(s).toBeGreaterThan(0.08);
    expect(s).toBeLessThan(0.17);
    // Given the realised factors, the district size is that of the draws (60) in both.
    for (const d of [independent, shared]) {
      const size = d.at(40).size ?? Infinity;
      expect(size).toBeGreaterThan(35);
      expect(size).toBeLessThan(110);
    }
  });

  it('a common shock widens the intervals, and they then cover about 80% of new weeks (a negative binomial alone does not)', () => {
    const history = city(40, 0.12, 5);
    const future = city(80, 0.12, 9).map((r) => ({ ...r, time: r.time + 40 }));
    const dispersion = new CommonFactorDispersion([...history, ...future], { window: 8, minRows: 20 });
    const plain = new CommonFactorDispersion(city(40, 0, 5), { window: 8, minRows: 20 });
    const f = dispersion.at(40);
    const [lo = 0, hi = 0] = mixtureQuantiles(100, f.size, f.logMean, f.logSd, [0.1, 0.9]);
    const p = plain.at(40);
    const [plo = 0, phi = 0] = mixtureQuantiles(100, p.size, p.logMean, p.logSd, [0.1, 0.9]);
    expect(hi - lo).toBeGreaterThan(1.15 * (phi - plo));
    const counts = future.map((r) => r.count);
    const means = future.map((r) => r.mean);
    expect(mixtureCoverage80(counts, means, f)).toBeGreaterThan(0.74);
    expect(mixtureCoverage80(counts, means, f)).toBeLessThan(0.86);
    // The same size without the factor under-covers the shocked weeks.
    const alone = mixtureCoverage80(counts, means, { ...f, logSd: 0 });
    expect(alone).toBeLessThan(0.72);
    expect(mixtureCoverage80(counts, means, f) - alone).toBeGreaterThan(0.05);
  });

  it('reads only periods before t: changing period t or later never moves the distribution at t', () => {
    const records = city(20, 0.1, 2);
    const altered = records.map((r) => (r.time >= 12 ? { ...r, count: r.count * 5 } : r));
    const a = new CommonFactorDispersion(records, { window: 4, minRows: 20 });
    const b = new CommonFactorDispersion(altered, { window: 4, minRows: 20 });
    expect(b.at(12)).toEqual(a.at(12));
    expect(b.at(13)).not.toEqual(a.at(13));
  });

  it("with a centre, the last weeks' city-wide bias moves the interval: recent over-forecasts lower it", () => {
    // Weeks 16-19: every district 15% below its forecast.
    const records = city(20, 0.05, 6).map((r) =>
      r.time >= 16 ? { ...r, count: Math.round(r.count * 0.85) } : r,
    );
    const centred = new CommonFactorDispersion(records, {
      window: 4,
      minRows: 20,
      center: true,
      centerWindow: 4,
    });
    const plain = new CommonFactorDispersion(records, { window: 4, minRows: 20 });
    const f = centred.at(20);
    expect(f.logMean).toBeLessThan(-0.1);
    expect(plain.at(20).logMean).toBe(0);
    const [lo = 0] = mixtureQuantiles(100, f.size, f.logMean, f.logSd, [0.1]);
    const p = plain.at(20);
    const [plo = 0] = mixtureQuantiles(100, p.size, p.logMean, p.logSd, [0.1]);
    expect(lo).toBeLessThan(plo);
    expect(() => new CommonFactorDispersion([], { centerWindow: 0 })).toThrow(ModelInputError);
  });

  it('adds an extra log variance (a holiday week) to the spread, and rejects bad input', () => {
    const d = new CommonFactorDispersion(city(20, 0.1, 4), { window: 4, minRows: 20 });
    const base = d.at(20);
    const holiday = d.at(20, 0.01);
    expect(holiday.logSd).toBeCloseTo(Math.sqrt(base.logSd ** 2 + 0.01), 12);
    expect(holiday.size).toBe(base.size);
    expect(() => d.at(20, -1)).toThrow(ModelInputError);
    expect(() => new CommonFactorDispersion([{ time: 0, group: 0.5, count: 1, mean: 1 }])).toThrow(
      ModelInputError,
    );
    expect(() => new CommonFactorDispersion([], { window: 0 })).toThrow(ModelInputError);
  });
});
