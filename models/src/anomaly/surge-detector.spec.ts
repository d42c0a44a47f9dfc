import { describe, expect, it } from 'vitest';
import { ModelInputError } from '../errors.js';
import { Random } from '../forecast/random.js';
import {
  log10BinomialTail,
  log10ChiSquareTail,
  log10NormalTail,
  SurgeDetector,
  type SurgeScore,
} from './surge-detector.js';

describe('tail helpers', () => {
  it('match known tails', () => {
    expect(10 ** log10NormalTail(1.959963985)).toBeCloseTo(0.025, 6);
    // chi-square(7) 0.99 quantile 18.475 (Wilson-Hilferty is within 1e-3 there)
    expect(10 ** log10ChiSquareTail(18.475, 7)).toBeCloseTo(0.01, 3);
    // P(Bin(8, 0.1) >= 3) = 0.03809
    expect(10 ** log10BinomialTail(3, 8, 0.1)).toBeCloseTo(0.03809, 4);
    expect(log10BinomialTail(0, 8, 0.1)).toBe(0);
  });
});

describe('SurgeDetector', () => {
  const noise = (n: number, seed: number, level = 10) => {
    const random = new Random(seed);
    return Array.from(
      { length: n },
      (_, i) => level + 3 * Math.sin((2 * Math.PI * i) / 24) + random.normal(),
    );
  };

  it('refuses bad options and values before any computation', () => {
    expect(() => new SurgeDetector({ historySize: 4 })).toThrow(ModelInputError);
    expect(() => new SurgeDetector({ warmup: 5000 })).toThrow(ModelInputError);
    expect(() => new SurgeDetector().update(Number.NaN)).toThrow(ModelInputError);
  });

  it('stays quiet through warm-up and on a stable series, and fires on a jump, once per rest period', () => {
    const detector = new SurgeDetector();
    const values = noise(1500, 7);
    const scores = values.map((v) => detector.update(v).score);
    expect(scores.slice(0, 150).every((s) => s === 0)).toBe(true);
    // Noise alone: at most two firings in 1350 steps (its false alarms; NAB's threshold tolerates a few).
    const quietFirings = scores.filter((s) => s >= 0.85).length;
    expect(quietFirings).toBeLessThanOrEqual(2);
    const lastFiring = scores.findLastIndex((s) => s >= 0.85);
    // Past any rest period, a level shift of 8 units (the noise's sd is 1 around a cycle of amplitude 3).
    for (const v of noise(Math.max(0, lastFiring + 301 - 1500), 12)) detector.update(v);
    const after = noise(400, 8, 18).map((v) => detector.update(v));
    const firing = after.findIndex((s) => s.score >= 0.85);
    expect(firing).toBeGreaterThanOrEqual(0);
    expect(firing).toBeLessThan(5);
    // The rest period: the next 300 scores are held at 0.
    expect(after.slice(firing + 1, firing + 301).every((s) => s.score === 0)).toBe(true);
    // Expected value and spread are the history's.
    expect((after[0] as { expected: number }).expected).toBeCloseTo(10, 0);
  });

  it('sees a change of variance with no new extreme (relative entropy, contexts)', () => {
    const detector = new SurgeDetector();
    // 0, 0, 10, 10, ... then 0, 10, 0, 10: the same values in the same shares, never in that order before.
    for (let i = 0; i < 1200; i++) detector.update(i % 4 < 2 ? 0 : 10);
    let best = 0;
    for (let i = 0; i < 40; i++) best = Math.max(best, detector.update(i % 2 === 0 ? 0 : 10).context);
    expect(best).toBeGreaterThan(3);
  });

  it('is deterministic and bounded in memory', () => {
    const a = new SurgeDetector({ historySize: 200, warmup: 50 });
    const b = new SurgeDetector({ historySize: 200, warmup: 50 });
    const values = noise(3000, 11);
    const sa = values.map((v) => a.update(v).score);
    const sb = values.map((v) => b.update(v).score);
    expect(sa).toEqual(sb);
    expect(a.count).toBe(3000);
  });
});

describe('SurgeDetector with the novelty gate', () => {
  // A cycle of 96 values (no noise, a square-ish shape), whose last values differ from the history's mean and
  // histogram at every step: the ungated components fire on it.
  const square = (n: number) => Array.from({ length: n }, (_, i) => (i % 96 < 30 ? 20 : 5) + (i % 7) * 0.1);

  it('refuses a bad gate', () => {
    expect(() => new SurgeDetector({ noveltyGate: -1 })).toThrow(ModelInputError);
    expect(() => new SurgeDetector({ noveltyGate: 0.5, art: { probation: 40, downsample: 4 } })).toThrow(
      ModelInputError,
    );
  });

  it('holds the cycle it has learned, and still finds a planted change of shape', () => {
    const gated = new SurgeDetector({ noveltyGate: 0.5, art: { probation: 600 } });
    const plain = new SurgeDetector();
    const values = square(4000);
    // A cycle whose high part lasts 60 values instead of 30 (no new extreme).
    for (let i = 3000; i < 3060; i++) values[i] = 20 + (i % 7) * 0.1;
    const g = values.map((v) => gated.update(v));
    const p = values.map((v) => plain.update(v));
    // Scores are 0 through the ART's probation.
    expect(g.slice(0, 599).every((s) => s.score === 0)).toBe(true);
    const firings = (scores: readonly { score: number }[], from: number, to: number) =>
      scores.slice(from, to).filter((s) => s.score >= 0.85).length;
    expect(firings(p, 600, 3000)).toBeGreaterThan(0);
    expect(firings(g, 600, 3000)).toBe(0);
    expect(firings(g, 3000, 3100)).toBe(1);
    expect(g.every((s) => s.gate >= 0 && s.gate <= 1)).toBe(true);
  });
});

describe('SurgeDetector with a baseline of its evidence', () => {
  // A cycle of 96 values whose recent windows always differ from the history's histogram: the relative entropy
  // stays high at every step, so the plain detector keeps firing on it.
  const square = (n: number) => Array.from({ length: n }, (_, i) => (i % 96 < 30 ? 20 : 5) + (i % 7) * 0.1);

  it('refuses a bad quantile or warm-up', () => {
    expect(() => new SurgeDetector({ baselineQuantile: 1.5 })).toThrow(ModelInputError);
    expect(() => new SurgeDetector({ baselineQuantile: 0.5, baselineWarmup: 2000 })).toThrow(ModelInputError);
    expect(() => new SurgeDetector({ baselineQuantile: 0.5, baselineWarmup: 1.5 })).toThrow(ModelInputError);
  });

  it('scores the excess of its evidence over the median of its record (bounded), over its maximum while young', () => {
    const options = { historySize: 200, warmup: 50, restSteps: 0 };
    const plain = new SurgeDetector(options);
    const based = new SurgeDetector({ ...options, baselineQuantile: 0.5, baselineWarmup: 100 });
    const values = square(3000).map((v, i) => v * (i < 1500 ? 1 : 3));
    const evidence = values.map((v) => plain.update(v).evidence);
    const scores = values.map((v) => based.update(v));
    let young = 0;
    for (let i = 0; i < values.length; i++) {
      const s = scores[i] as SurgeScore;
      // Scoring starts after the warm-up (50); the first scored value has no record to be judged against.
      if (i <= 50) {
        expect(s.score).toBe(0);
        continue;
      }
      const record = evidence.slice(Math.max(50, i - 200), i).sort((a, b) => a - b);
      // Fewer than 100 values of record: its maximum; then its median.
      const baseline = record[
        record.length < 100 ? record.length - 1 : Math.floor(0.5 * record.length)
      ] as number;
      if (record.length < 100) young++;
      expect(s.baseline).toBe(baseline);
      const excess = Math.max(0, (evidence[i] as number) - baseline);
      expect(s.score).toBeCloseTo(excess / (1 + excess), 12);
    }
    expect(young).toBe(99);
  });

  it('takes a level the stream keeps showing as no evidence, and still fires on a level shift', () => {
    // No rest period here, so that every step's score shows.
    const plain = new SurgeDetector({ restSteps: 0 });
    const based = new SurgeDetector({ restSteps: 0, baselineQuantile: 0.5, baselineWarmup: 300 });
    const values = square(3000);
    // A level shift of the whole cycle by 40 (new extremes) from value 2500.
    for (let i = 2500; i < 3000; i++) values[i] = (values[i] as number) + 40;
    const p = values.map((v) => plain.update(v));
    const b = values.map((v) => based.update(v));
    // Nothing in the warm-up (150); then, for 300 values, only evidence above all the record holds scores.
    expect(b.slice(0, 151).every((s) => s.score === 0 && s.baseline === 0)).toBe(true);
    for (let i = 151; i < 450; i++) {
      const s = b[i] as SurgeScore;
      const highest = Math.max(...b.slice(150, i).map((x) => x.evidence));
      expect(s.baseline).toBe(highest);
      expect(s.score > 0).toBe(s.evidence > highest);
    }
    const median = (scores: readonly SurgeScore[]) =>
      scores.map((s) => s.score).sort((x, y) => x - y)[Math.floor(scores.length / 2)] as number;
    // On the cycle, the relative entropy keeps the plain score high; above its baseline, most steps score 0.
    expect(median(p.slice(450, 2500))).toBeGreaterThan(0.5);
    expect(median(b.slice(450, 2500))).toBeLessThan(0.05);
    expect((b[2400] as SurgeScore).baseline).toBeGreaterThan(1);
    const shift = b.slice(2500).findIndex((s) => s.score >= 0.85);
    expect(shift).toBeGreaterThanOrEqual(0);
    expect(shift).toBeLessThan(5);
  });
});
