import { describe, expect, it } from 'vitest';
import { ModelInputError } from '../errors.js';
import { Random } from '../forecast/random.js';
import { EarsDetector, NbCusumDetector, SeasonalBaseline, SurgeScanDetector } from './count-detectors.js';

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
});
