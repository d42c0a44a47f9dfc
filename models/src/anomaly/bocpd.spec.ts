import { describe, expect, it } from 'vitest';
import { ModelInputError } from '../errors.js';
import { Random } from '../forecast/random.js';
import { BocpdDetector } from './bocpd.js';

describe('BocpdDetector', () => {
  const noise = (n: number, seed: number, mean = 10, sd = 1) => {
    const random = new Random(seed);
    return Array.from({ length: n }, () => mean + sd * random.normal());
  };

  it('refuses bad options and values', () => {
    expect(() => new BocpdDetector({ expectedRunLength: 0 })).toThrow(ModelInputError);
    expect(() => new BocpdDetector({ maxRunLength: 1 })).toThrow(ModelInputError);
    expect(() => new BocpdDetector({ shortRun: 500 })).toThrow(ModelInputError);
    expect(() => new BocpdDetector().update(Number.POSITIVE_INFINITY)).toThrow(ModelInputError);
  });

  it('learns its prior in the warm-up, then keeps a bounded posterior over run lengths that sums to 1', () => {
    const detector = new BocpdDetector({ warmup: 50, maxRunLength: 100 });
    const scores = noise(600, 3).map((v) => detector.update(v));
    expect(scores.slice(0, 50).every((s) => s.runLength === null && s.changeProbability === 0)).toBe(true);
    const posterior = detector.runLengthPosterior;
    expect(posterior.length).toBe(100);
    expect(posterior.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    // On stationary noise the run keeps growing: the most probable run length reaches the cap.
    expect((scores[scores.length - 1] as { runLength: number }).runLength).toBe(99);
    expect(detector.count).toBe(600);
  });

  it('sees a shift of the mean within a few values, and is quiet on stationary noise', () => {
    const detector = new BocpdDetector();
    const before = noise(800, 5).map((v) => detector.update(v));
    // Stationary: the change probability stays low after the first runs have grown.
    const quiet = before.slice(300).map((s) => s.changeProbability);
    expect(quiet.reduce((a, b) => a + b, 0) / quiet.length).toBeLessThan(0.1);
    const after = noise(50, 6, 15).map((v) => detector.update(v));
    const found = after.findIndex((s) => s.changeProbability > 0.5);
    expect(found).toBeGreaterThanOrEqual(0);
    expect(found).toBeLessThan(5);
    // The value right after the shift is far out in every run's predictive: its surprise is high.
    expect((after[0] as { surprise: number }).surprise).toBeGreaterThan(3);
    // A while later the new regime is a run of its own.
    expect((after[49] as { runLength: number }).runLength).toBeGreaterThan(30);
  });

  it('handles a flat warm-up and extreme values without NaN', () => {
    const detector = new BocpdDetector({ warmup: 20 });
    const values = [...Array.from({ length: 100 }, () => 0), 1e9, ...Array.from({ length: 50 }, () => 0)];
    const scores = values.map((v) => detector.update(v));
    expect(scores.every((s) => Number.isFinite(s.changeProbability) && Number.isFinite(s.surprise))).toBe(
      true,
    );
    expect(detector.runLengthPosterior.every((p) => Number.isFinite(p))).toBe(true);
  });
});
