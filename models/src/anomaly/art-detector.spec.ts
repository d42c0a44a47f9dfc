import { describe, expect, it } from 'vitest';
import { ModelInputError } from '../errors.js';
import { Random } from '../forecast/random.js';
import { ArtDetector } from './art-detector.js';

/** A daily-like cycle of 48 values with a little noise. */
const cycle = (n: number, seed: number, noise = 0.05) => {
  const random = new Random(seed);
  return Array.from(
    { length: n },
    (_, i) => 10 + 3 * Math.sin((2 * Math.PI * i) / 48) + noise * random.normal(),
  );
};

describe('ArtDetector', () => {
  it('refuses bad options and values', () => {
    // 100 values in steps of 10 hold 10 steps: too few for windows of 8.
    expect(() => new ArtDetector({ probation: 100, downsample: 10 })).toThrow(ModelInputError);
    expect(() => new ArtDetector({ window: 1 })).toThrow(ModelInputError);
    expect(() => new ArtDetector({ vigilanceMargin: 2 })).toThrow(ModelInputError);
    expect(() => new ArtDetector().update(Number.POSITIVE_INFINITY)).toThrow(ModelInputError);
  });

  it('learns in its probation, then stays quiet on the same cycle', () => {
    const detector = new ArtDetector({ probation: 480 });
    expect(detector.downsample).toBe(5);
    const values = cycle(4800, 3);
    const scores = values.map((v) => detector.update(v));
    expect(scores.slice(0, 479).every((s) => s.score === 0 && s.match === null)).toBe(true);
    expect(detector.noveltyLevel).not.toBeNull();
    const vigilance = scores[scores.length - 1]?.vigilance ?? 0;
    expect(vigilance).toBeGreaterThan(0.5);
    expect(vigilance).toBeLessThan(1);
    expect(scores.filter((s) => s.score > 0).length).toBe(0);
  });

  it('finds a planted change of shape that sets no new extreme, and rests after it', () => {
    const detector = new ArtDetector({ probation: 480 });
    const values = cycle(2400, 5);
    // One cycle held flat at its mean (art_daily_flatmiddle's kind of anomaly): no value leaves the range.
    for (let i = 1500; i < 1548; i++) values[i] = 10;
    const scores = values.map((v) => detector.update(v));
    const first = scores.findIndex((s) => s.score > 0);
    expect(first).toBeGreaterThanOrEqual(1500);
    expect(first).toBeLessThan(1548);
    expect((scores[first] as { novelty: number }).novelty).toBeGreaterThan(detector.noveltyLevel ?? 1);
    // Nothing before it; within the rest period (restFraction 1 = one probation), nothing more.
    expect(scores.slice(first + 1, first + 480).every((s) => s.score === 0)).toBe(true);
  });

  it('sees a value beyond the range seen, after rescaling its categories', () => {
    const detector = new ArtDetector({ probation: 480, restFraction: 0 });
    for (const v of cycle(1200, 9)) detector.update(v);
    let novelty = 0;
    for (let i = 0; i < 10; i++) novelty = Math.max(novelty, detector.update(30).novelty ?? 0);
    expect(novelty).toBeGreaterThan(0.1);
  });

  it('is deterministic and bounded in memory', () => {
    const options = { probation: 300, maxCategories: 20 };
    const a = new ArtDetector(options);
    const b = new ArtDetector(options);
    const random = new Random(17);
    const values = Array.from({ length: 20_000 }, () => random.normal() * (1 + random.next()));
    const sa = values.map((v) => a.update(v).score);
    const sb = values.map((v) => b.update(v).score);
    expect(sa).toEqual(sb);
    expect(a.size).toBeLessThanOrEqual(20);
    expect(a.count).toBe(20_000);
  });
});
