import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../errors.js';
import { mulberry32 } from '../forest/rng.js';
import { negativeBinomialDraw } from '../fusion/synthetic.js';
import { LiveCountTrees, type LiveCountSet } from './live-count.js';

/** 40 weeks of 20 districts: next week's count is 1.5 × the baseline where column 0 is above 0.5. */
function weeks(seed: number): LiveCountSet {
  const random = mulberry32(seed);
  const rows: number[][] = [];
  const counts: number[] = [];
  const baselines: number[] = [];
  const times: number[] = [];
  for (let week = 0; week < 40; week++)
    for (let d = 0; d < 20; d++) {
      const row = [random(), random(), random()];
      const baseline = 10 + 5 * d;
      rows.push(row);
      baselines.push(baseline);
      counts.push(negativeBinomialDraw(random, baseline * ((row[0] ?? 0) > 0.5 ? 1.5 : 1), 20));
      times.push(week);
    }
  const bounds = baselines.map((b) => ({ t1: b * 0.9, t2: b * 1.2 }));
  const classes = counts.map((y, i) => {
    const t = bounds[i] ?? { t1: 0, t2: 0 };
    return y <= t.t1 ? 0 : y <= t.t2 ? 1 : 2;
  });
  return { rows, counts, baselines, times, bounds, classes };
}

describe('LiveCountTrees', () => {
  const { model, validation } = LiveCountTrees.fit(weeks(1), 7);

  it('learns the count on top of the baseline and sizes its distribution on the validation weeks', () => {
    const [low, high] = [
      model.predictOne([0.2, 0.5, 0.5], 40).expectedCount,
      model.predictOne([0.8, 0.5, 0.5], 40).expectedCount,
    ];
    // Half the trees' ×1.5 and half the baseline: ×1.25.
    expect(high / low).toBeGreaterThan(1.17);
    expect(high / low).toBeLessThan(1.33);
    // 8 of the 40 weeks are validation weeks; the trees beat the baseline there.
    expect(validation.rows).toBe(160);
    expect(validation.countMae).toBeLessThan(validation.baselineCountMae);
    expect(validation.accuracy).toBeGreaterThan(0.4);
    expect(model.dispersionSize).toBeGreaterThan(5);
    const { expectedCount, interval80 } = model.predictOne([0.8, 0.5, 0.5], 40);
    expect(interval80[0]).toBeLessThan(expectedCount);
    expect(interval80[1]).toBeGreaterThan(expectedCount);
  });

  it('scores a district with no events in 4 weeks (the baseline floored, not ln 0)', () => {
    expect(Number.isFinite(model.predictOne([0.5, 0.5, 0.5], 0).expectedCount)).toBe(true);
  });

  it('saves and loads, and refuses a bad document by name', () => {
    const json = JSON.parse(JSON.stringify(model)) as ReturnType<LiveCountTrees['toJSON']>;
    const loaded = LiveCountTrees.load(json);
    expect(loaded.predictOne([0.7, 0.1, 0.9], 33)).toEqual(model.predictOne([0.7, 0.1, 0.9], 33));
    expect(() => LiveCountTrees.load({ ...json, format: 'stacked-fusion@1' })).toThrow(
      /live count trees: format stacked-fusion@1/,
    );
    expect(() => LiveCountTrees.load({ ...json, dispersionSize: -2 })).toThrow(ModelFormatError);
    expect(() => LiveCountTrees.load({ ...json, weight: 2 })).toThrow(/weight must be in \[0, 1\]/);
    expect(() => LiveCountTrees.load({ ...json, trees: { format: 'x' } })).toThrow(/boosted trees: format x/);
    // The scorer gives 224 inputs; these trees read 3.
    expect(() => LiveCountTrees.load(json, 224)).toThrow(/the trees read 3 inputs, the scorer gives 224/);
    expect(LiveCountTrees.load(json, 3).weight).toBe(0.5);
  });
});
