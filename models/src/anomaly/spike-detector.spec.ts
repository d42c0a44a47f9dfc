import { beforeAll, describe, expect, it } from 'vitest';
// models/ does no I/O: the Node runtime that reads augurs' wasm lives in data/, and the specs borrow it.
import { initAugurs } from '@district-monitor/data/runtime';
import { ModelFormatError, ModelInputError } from '../errors.js';
import { Random } from '../forecast/random.js';
import type { AugursRuntime } from '../forecast/runtime.js';
import { SpikeDetector, type SpikeDetectorOptions } from './spike-detector.js';

let runtime: AugursRuntime;
beforeAll(async () => {
  runtime = await initAugurs();
});

const HOUR = 3_600_000;
/** Midnight IST, 1 January 2024. */
const START = Date.UTC(2023, 11, 31, 18, 30);

/** Feeds `values` hour by hour; returns each step's forecast high quantile and score (null before the first forecast). */
function feed(
  detector: SpikeDetector,
  values: readonly number[],
  from = 0,
): { high: number | null; score: number | null }[] {
  return values.map((value, k) => {
    const at = START + (from + k) * HOUR;
    const forecast = detector.forecast();
    const result =
      forecast === null
        ? { high: null, score: null }
        : { high: forecast.quantile(0.99), score: detector.score(value, forecast) };
    detector.push(at, value);
    return result;
  });
}

function poissonSeries(seed: number, n: number, mean: (i: number) => number): number[] {
  const random = new Random(seed);
  return Array.from({ length: n }, (_, i) => random.poisson(mean(i)));
}

const HOURLY: Pick<SpikeDetectorOptions, 'stepMs' | 'historySteps'> = { stepMs: HOUR, historySteps: 168 };

describe('SpikeDetector', () => {
  it('has no forecast until minHistorySteps steps were pushed', () => {
    const detector = new SpikeDetector(runtime, { ...HOURLY, minHistorySteps: 24 });
    const out = feed(
      detector,
      poissonSeries(1, 25, () => 10),
    );
    expect(out.slice(0, 24).every((o) => o.high === null)).toBe(true);
    expect(out[24]?.high).toBeGreaterThan(10);
  });

  it('on a stationary Poisson series, about 1% of steps exceed the 0.99 quantile', () => {
    // Four means, 1,000 scored steps each (after a 168-step warm-up), a daily cycle of +-30%.
    let exceed = 0;
    let scored = 0;
    for (const [k, level] of [3, 10, 40, 150].entries()) {
      const values = poissonSeries(10 + k, 1168, (i) => level * (1 + 0.3 * Math.sin((2 * Math.PI * i) / 24)));
      const out = feed(new SpikeDetector(runtime, HOURLY), values);
      for (let i = 168; i < values.length; i++) {
        const high = out[i]?.high;
        if (high === null || high === undefined) throw new Error(`no forecast at step ${i}`);
        scored++;
        if ((values[i] as number) > high) exceed++;
      }
    }
    const rate = exceed / scored;
    // Binomial(4000, 0.01) has sd 0.16%; counts are discrete and the spread is estimated, so allow 0.3-2%.
    expect(rate).toBeGreaterThan(0.003);
    expect(rate).toBeLessThan(0.02);
  }, 60_000);

  it('flags a x3 level jump at its first step', () => {
    for (const seed of [1, 2, 3]) {
      const detector = new SpikeDetector(runtime, HOURLY);
      const history = poissonSeries(seed, 400, () => 20);
      feed(detector, history);
      const jump = poissonSeries(seed + 100, 1, () => 60);
      const [first] = feed(detector, jump, history.length);
      expect(first?.score).toBeGreaterThan(0.999);
      expect(jump[0]).toBeGreaterThan(first?.high ?? Number.POSITIVE_INFINITY);
    }
  });

  it('keeps a sustained x3 spike flagged for clipSteps steps, where unclipped history adapts to it', () => {
    const run = (options: Partial<SpikeDetectorOptions>) => {
      // Refitting at every step, so that the spike's own steps reach the fit at once.
      const detector = new SpikeDetector(runtime, { ...HOURLY, refitEvery: 1, ...options });
      const history = poissonSeries(5, 400, () => 20);
      feed(detector, history);
      return feed(
        detector,
        poissonSeries(6, 12, () => 60),
        history.length,
      );
    };
    const clipped = run({ clipSteps: 12 });
    const unclipped = run({ clipQuantile: 1 });
    expect(clipped.every((o) => (o.score ?? 0) > 0.999)).toBe(true);
    // By the 12th step the unclipped forecast has moved well towards the spike: its bound is far higher.
    expect(unclipped[11]?.high).toBeGreaterThan(1.5 * (clipped[11]?.high ?? Number.POSITIVE_INFINITY));
    expect(unclipped.filter((o) => (o.score ?? 0) > 0.999).length).toBeLessThan(12);
  });

  it('accepts a lasting level after clipSteps steps: the run is restored and the forecaster refits', () => {
    const detector = new SpikeDetector(runtime, { ...HOURLY, clipSteps: 6 });
    const history = poissonSeries(7, 400, () => 20);
    feed(detector, history);
    const fitsBefore = detector.stats.fits;
    feed(
      detector,
      poissonSeries(8, 7, () => 60),
      history.length,
    );
    const saved = detector.toJSON();
    // The seventh step beyond the 0.99 quantile restored the six clipped ones: all seven hold their values.
    expect(saved.history.value.slice(-7).every((v) => v > 35)).toBe(true);
    expect(saved.stale).toBe(true);
    expect(detector.forecast()).not.toBeNull();
    expect(detector.stats.fits).toBeGreaterThan(fitsBefore);
  });

  it('is deterministic, and continues exactly after toJSON and load', () => {
    const values = poissonSeries(9, 300, (i) => 15 + 5 * Math.sin((2 * Math.PI * i) / 24));
    const a = new SpikeDetector(runtime, HOURLY);
    const b = new SpikeDetector(runtime, HOURLY);
    const outA = feed(a, values.slice(0, 200));
    expect(feed(b, values.slice(0, 200))).toEqual(outA);
    const c = SpikeDetector.load(runtime, JSON.parse(JSON.stringify(a.toJSON())));
    expect(feed(c, values.slice(200), 200)).toEqual(feed(a, values.slice(200), 200));
    expect(c.toJSON()).toEqual(a.toJSON());
  });

  it('scores both tails when two-sided', () => {
    const upper = new SpikeDetector(runtime, HOURLY);
    const both = new SpikeDetector(runtime, { ...HOURLY, tail: 'two-sided' });
    const history = poissonSeries(11, 300, () => 50);
    feed(upper, history);
    feed(both, history);
    const f = upper.forecast();
    const g = both.forecast();
    if (f === null || g === null) throw new Error('no forecast');
    expect(upper.score(5, f)).toBeLessThan(0.01);
    expect(both.score(5, g)).toBeGreaterThan(0.99);
    expect(both.score(g.point, g)).toBeCloseTo(0, 6);
    expect(upper.surprise(150, f)).toBeGreaterThan(upper.surprise(100, f));
    expect(upper.surprise(100, f)).toBeGreaterThan(2);
  });

  it('fits measurements of any sign with counts: false', () => {
    const detector = new SpikeDetector(runtime, { ...HOURLY, counts: false });
    const random = new Random(12);
    feed(
      detector,
      Array.from({ length: 200 }, () => -5 + random.normal()),
    );
    const f = detector.forecast();
    expect(f?.point).toBeCloseTo(-5, 0);
    expect(f?.quantile(0.99)).toBeLessThan(0);
  });

  it('refuses bad input before any computation', () => {
    expect(() => new SpikeDetector(runtime, { stepMs: 0 })).toThrow(ModelInputError);
    expect(() => new SpikeDetector(runtime, { stepMs: HOUR, clipQuantile: 0.3 })).toThrow(ModelInputError);
    expect(() => new SpikeDetector(runtime, { stepMs: HOUR, minHistorySteps: 5000 })).toThrow(
      ModelInputError,
    );
    const detector = new SpikeDetector(runtime, HOURLY);
    detector.push(START, 3);
    expect(() => {
      detector.push(START, 4);
    }).toThrow(ModelInputError);
    expect(() => {
      detector.push(START + HOUR, -1);
    }).toThrow(ModelInputError);
    expect(() => {
      detector.push(START + HOUR, Number.NaN);
    }).toThrow(ModelInputError);
    expect(() => SpikeDetector.load(runtime, { format: 'spike-detector@0' })).toThrow(ModelFormatError);
  });
});
