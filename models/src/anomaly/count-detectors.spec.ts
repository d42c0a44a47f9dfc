import { describe, expect, it } from 'vitest';
import { ModelInputError } from '../errors.js';
import { Random } from '../forecast/random.js';
import {
  EarsDetector,
  NbCusumDetector,
  SeasonalBaseline,
  SurgeScanDetector,
  scanThreshold,
} from './count-detectors.js';

/** Hourly Poisson counts with a daily cycle, mean 1.5 to 4.5. */
function counts(hours: number, seed: number): number[] {
  const random = new Random(seed);
  return Array.from({ length: hours }, (_, h) => random.poisson(3 + 1.5 * Math.sin((2 * Math.PI * h) / 24)));
}

describe('count surge detectors', () => {
  it('refuse negative or non-finite counts', () => {
    for (const d of [new EarsDetector('C1'), new NbCusumDetector(), new SurgeScanDetector()]) {
      expect(() => d.update(-1)).toThrow(ModelInputError);
      expect(() => d.update(Number.NaN)).toThrow(ModelInputError);
    }
  });

  it('EARS C1 is the z of the same hour over the previous 7 days', () => {
    const d = new EarsDetector('C1', 1);
    for (const v of [1, 2, 3, 4, 5, 6, 7]) d.update(v);
    const step = d.update(10);
    // mean 4, sd sqrt(28 / 6)
    expect(step.expected).toBe(4);
    expect(step.statistic).toBeCloseTo(6 / Math.sqrt(28 / 6), 9);
  });

  it('the seasonal baseline learns the daily cycle and finds Poisson counts not overdispersed', () => {
    const b = new SeasonalBaseline({ weeks: 4 });
    const series = counts(24 * 7 * 9, 5);
    const expected: number[] = [];
    for (const v of series) {
      expected.push(b.expected());
      b.push(v, expected.at(-1) as number);
    }
    // Over the last week: the expectation at the cycle's peak hours (mean 4.5) against its trough (1.5).
    const last = expected.slice(-24 * 7);
    const at = (hour: number) => last.filter((_, i) => i % 24 === hour).reduce((s, v) => s + v, 0) / 7;
    expect(at(6)).toBeGreaterThan(3.8);
    expect(at(18)).toBeLessThan(2.2);
    expect(b.dispersion).toBeGreaterThan(20);
  });

  it('the surge scan and the NB-CUSUM rise on a tripled rate and not before', () => {
    const base = counts(24 * 7 * 6, 9);
    for (const d of [new SurgeScanDetector(), new NbCusumDetector()]) {
      const quiet = base.map((v) => d.update(v).statistic);
      const random = new Random(10);
      const surge = Array.from(
        { length: 6 },
        (_, i) => d.update((base[i] as number) + random.poisson(6)).statistic,
      );
      expect(Math.max(...surge)).toBeGreaterThan(Math.max(...quiet.slice(24 * 7 * 4)));
    }
  });

  it('falls back to the hour of the days there are, then to a level, on a short history', () => {
    const b = new SeasonalBaseline({ period: 24, weeks: 4, minSteps: 10 });
    expect(b.expected()).toBeNaN();
    // 12 steps of 2: a level.
    for (let i = 0; i < 12; i++) b.push(2, b.expected());
    expect(b.expected()).toBe(2);
    // Two whole days where hour 0 (the next step's hour) had 8 and every other hour 2: the same hour's mean.
    const c = new SeasonalBaseline({ period: 24, weeks: 4, minSteps: 10 });
    for (let i = 0; i < 48; i++) c.push(i % 24 === 0 ? 8 : 2, Number.NaN);
    expect(c.expected()).toBe(8);
  });

  it('clips a surge before it enters the history', () => {
    const b = new SeasonalBaseline({ period: 1, weeks: 1, capacity: 20, minSteps: 5, clip: 3 });
    for (let i = 0; i < 20; i++) b.push(10, b.expected());
    b.push(1000, b.expected());
    // 1000 enters as at most 10 + 3 sqrt(phi 10) + 1 (phi stays near 1 on a constant series).
    expect(b.expected()).toBeLessThan(10.2);
  });

  it('peek scores a step in progress without changing the history, and names the best window', () => {
    const d = new SurgeScanDetector({ period: 1, weeks: 1, capacity: 30, minSteps: 5, maxWindow: 6 });
    for (let i = 0; i < 30; i++) d.update(20);
    const before = d.expected();
    const quiet = d.peek(20);
    expect(quiet.statistic).toBe(0);
    const surge = d.peek(60);
    expect(surge.window).toBe(1);
    expect(surge.observed).toBe(60);
    expect(surge.expectedSum).toBe(20);
    // Poisson log ratio of 60 against 20 at k = 3: 60 ln 3 - 40.
    expect(surge.statistic).toBeCloseTo(60 * Math.log(3) - 40, 6);
    expect(surge.last).toBeCloseTo(surge.statistic, 9);
    expect(d.expected()).toBe(before);
    // Three steps at 40 then one back at 20: the best window spans the three, the last step alone is quiet.
    for (let i = 0; i < 3; i++) d.update(40);
    const after = d.update(20);
    expect(after.window).toBe(4);
    expect(after.last).toBe(0);
  });

  it('sets the alarm level from a false-alarm rate shared over the windows', () => {
    // One window at 0.001: z = 3.0902.
    expect(scanThreshold(0.001, 1)).toBeCloseTo(3.0902 ** 2 / 2, 3);
    expect(scanThreshold(0.001, 24)).toBeGreaterThan(scanThreshold(0.001, 1));
    expect(() => scanThreshold(0, 1)).toThrow(ModelInputError);
  });
});
