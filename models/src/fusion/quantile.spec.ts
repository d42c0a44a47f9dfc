import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelFormatError, ModelInputError } from '../errors.js';
import { countQuantiles } from './count-distribution.js';
import {
  ConformalBand,
  QUANTILE_NETWORK_FORMAT,
  QuantileNetwork,
  type OutOfSampleBand,
  type QuantileNetworkJSON,
} from './quantile.js';
import { createRng } from './rng.js';
import { negativeBinomialDraw, normalDraw } from './synthetic.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/**
 * A heteroscedastic count series: baseline b in [10, 40], mean b × exp(0.3 x0), negative binomial size
 * exp(1 + 1.2 x1) (x1 sets the spread: size 0.3 to 10), two noise features. Target: ln((y + 0.5) / (b + 0.5)).
 */
function heteroscedastic(seed: number, periods: number, districts = 30) {
  const random = createRng(seed);
  const rows: number[][] = [];
  const targets: number[] = [];
  const times: number[] = [];
  const truth: { mean: number; size: number; baseline: number }[] = [];
  for (let t = 0; t < periods; t++)
    for (let d = 0; d < districts; d++) {
      const x = [normalDraw(random), Math.max(-1.5, Math.min(1.5, normalDraw(random))), normalDraw(random)];
      const baseline = 10 + 30 * random();
      const mean = baseline * Math.exp(0.3 * (x[0] ?? 0));
      const size = Math.exp(1 + 1.2 * (x[1] ?? 0));
      const y = negativeBinomialDraw(random, mean, size);
      rows.push([...x, Math.log(baseline + 0.5)]);
      targets.push(Math.log((y + 0.5) / (baseline + 0.5)));
      times.push(t);
      truth.push({ mean, size, baseline });
    }
  return { rows, targets, times, truth };
}

const FAST = {
  members: 1,
  hiddenUnits: 8,
  dropout: 0,
  l2: 1e-4,
  learningRate: 0.005,
  maxEpochs: 120,
  patience: 20,
};

describe('QuantileNetwork', () => {
  it('recovers the known 10% and 90% quantiles of a heteroscedastic negative binomial series', () => {
    const train = heteroscedastic(1, 80);
    const test = heteroscedastic(2, 20);
    const model = QuantileNetwork.fit(train, { ...FAST, seed: 3 });
    try {
      const q = model.predict(test.rows);
      // Mean absolute error (log units) against the exact quantiles, of the network and of one constant
      // band (the training targets' empirical 10% and 90% quantiles, what a model without inputs does).
      const sorted = [...train.targets].sort((a, b) => a - b);
      const errors = (quantile: (i: number, k: number) => number) =>
        [0, 2].map((k) => {
          const p = k === 0 ? 0.1 : 0.9;
          return (
            test.truth.reduce((sum, t, i) => {
              const [exact = 0] = countQuantiles(t.mean, t.size, [p]);
              return sum + Math.abs(quantile(i, k) - Math.log((exact + 0.5) / (t.baseline + 0.5)));
            }, 0) / test.truth.length
          );
        });
      const learnt = errors((i, k) => q[i]?.[k] ?? 0);
      const constant = errors((_, k) => sorted[Math.floor((k === 0 ? 0.1 : 0.9) * sorted.length)] ?? 0);
      // The true band is 0.4 to 3 log units wide; the lower end is coarse (counts of 0-3 at size 0.3).
      expect(learnt[0]).toBeLessThan(0.2);
      expect(learnt[1]).toBeLessThan(0.1);
      expect(learnt[0]).toBeLessThan(0.5 * (constant[0] ?? 0));
      expect(learnt[1]).toBeLessThan(0.5 * (constant[1] ?? 0));
      // The width follows the spread: rows with x1 < -0.5 (size < 1.5) get wider bands than x1 > 0.5.
      const width = (keep: (x1: number) => boolean) => {
        const w = test.rows.flatMap((r, i) => (keep(r[1] ?? 0) ? [(q[i]?.[2] ?? 0) - (q[i]?.[0] ?? 0)] : []));
        return w.reduce((a, b) => a + b, 0) / w.length;
      };
      expect(width((x1) => x1 < -0.5)).toBeGreaterThan(1.5 * width((x1) => x1 > 0.5));
      // And each half is covered about 80% of the time.
      for (const keep of [(x1: number) => x1 < -0.5, (x1: number) => x1 > 0.5]) {
        const inside = test.rows.flatMap((r, i) =>
          keep(r[1] ?? 0)
            ? [(test.targets[i] ?? 0) >= (q[i]?.[0] ?? 0) && (test.targets[i] ?? 0) <= (q[i]?.[2] ?? 0)]
            : [],
        );
        const coverage = inside.filter(Boolean).length / inside.length;
        expect(coverage).toBeGreaterThan(0.7);
        expect(coverage).toBeLessThan(0.9);
      }
    } finally {
      model.dispose();
    }
  }, 120_000);

  it('never lets its quantiles cross, even far outside the training rows (5 levels, 2 members)', () => {
    const train = heteroscedastic(4, 20, 10);
    const model = QuantileNetwork.fit(train, {
      ...FAST,
      members: 2,
      maxEpochs: 20,
      levels: [0.1, 0.25, 0.5, 0.75, 0.9],
    });
    try {
      const random = createRng(9);
      const rows = Array.from({ length: 500 }, () => [0, 1, 2, 3].map(() => 50 * normalDraw(random)));
      for (const q of model.predict(rows))
        for (let k = 1; k < q.length; k++) expect(q[k] ?? 0).toBeGreaterThan(q[k - 1] ?? 0);
    } finally {
      model.dispose();
    }
  }, 60_000);

  it('saves and loads: the same quantiles from the JSON document; a bad document is refused by name', () => {
    const train = heteroscedastic(8, 12, 10);
    for (const hiddenUnits of [8, 0]) {
      const model = QuantileNetwork.fit(train, { ...FAST, members: 2, maxEpochs: 10, hiddenUnits });
      const doc = JSON.parse(JSON.stringify(model.toJSON())) as QuantileNetworkJSON;
      const loaded = QuantileNetwork.load(doc);
      try {
        expect(doc.format).toBe(QUANTILE_NETWORK_FORMAT);
        expect(loaded.levels).toEqual(model.levels);
        expect(loaded.validationFrom).toBe(model.validationFrom);
        expect(loaded.predict(train.rows.slice(0, 20))).toEqual(model.predict(train.rows.slice(0, 20)));
        expect(() => QuantileNetwork.load({ ...doc, format: 'x@1' })).toThrow(/format x@1/);
        expect(() => QuantileNetwork.load({ ...doc, levels: [0.5, 0.1] })).toThrow(ModelFormatError);
        expect(() =>
          QuantileNetwork.load({ ...doc, standardisation: { ...doc.standardisation, sds: [1] } }),
        ).toThrow(/standardisation\.sds/);
        const member = doc.members[0] ?? { hiddenUnits: 0, float32Base64: '' };
        expect(() =>
          QuantileNetwork.load({ ...doc, members: [{ ...member, float32Base64: 'AAAAAA==' }] }),
        ).toThrow(/members\[0\] holds 1 weights/);
        expect(() => QuantileNetwork.load({ ...doc, members: [] })).toThrow(/no members/);
        // A refused document leaves no variable behind, even one refused after its members were read.
        const tensors = tf.memory().numTensors;
        expect(() => QuantileNetwork.load({ ...doc, validationFrom: null })).toThrow(/validationFrom/);
        expect(() =>
          QuantileNetwork.load({ ...doc, members: [member, { ...member, float32Base64: 'AAAAAA==' }] }),
        ).toThrow(/members\[1\]/);
        expect(tf.memory().numTensors).toBe(tensors);
      } finally {
        model.dispose();
        loaded.dispose();
      }
    }
  }, 60_000);

  it('rejects bad input before training', () => {
    const set = { rows: [[1], [2]], targets: [0, 1], times: [0, 1] };
    expect(() => QuantileNetwork.fit({ ...set, targets: [0] })).toThrow(ModelInputError);
    expect(() => QuantileNetwork.fit(set, { levels: [0.9, 0.1] })).toThrow(ModelInputError);
    expect(() => QuantileNetwork.fit({ ...set, rows: [[1], [NaN]] })).toThrow(ModelInputError);
  });
});

describe('ConformalBand (CQR)', () => {
  it('takes the ⌈(n + 1) × 0.8⌉-th smallest score of the earlier periods, by hand', () => {
    // Scores: -1, 0, 1, 2, 3 (target outside the band by that much; negative = inside).
    const records: OutOfSampleBand[] = [-1, 0, 1, 2, 3].map((e, time) => ({
      time,
      target: e,
      lower: -10,
      upper: 0,
    }));
    expect(records.map((r) => ConformalBand.score(r))).toEqual([-1, 0, 1, 2, 3]);
    const band = new ConformalBand(records, { minRows: 1 });
    // t = 5: n = 5, ⌈6 × 0.8⌉ = 5 → 3. t = 3: scores -1, 0, 1, ⌈4 × 0.8⌉ = 4 > 3 → the largest, 1.
    expect(band.correctionAt(5)).toBe(3);
    expect(band.correctionAt(3)).toBe(1);
    expect(band.bandAt(5, 1, 2)).toEqual([-2, 5]);
    // A window of 2 periods: t = 5 reads times 3 and 4 (scores 2, 3) → 3.
    expect(new ConformalBand(records, { minRows: 1, window: 2 }).correctionAt(5)).toBe(3);
    // A record at t or later never moves t's correction; fewer than minRows scores: no correction.
    const altered = new ConformalBand(
      [...records.slice(0, 3), { time: 3, target: 100, lower: 0, upper: 1 }],
      {
        minRows: 1,
      },
    );
    expect(altered.correctionAt(3)).toBe(band.correctionAt(3));
    expect(new ConformalBand(records, { minRows: 10 }).correctionAt(5)).toBe(0);
    // A negative correction narrows, never inverts.
    expect(
      new ConformalBand([{ time: 0, target: 0, lower: -5, upper: 5 }], { minRows: 1 }).bandAt(1, 0, 4),
    ).toEqual([2, 2]);
    expect(() => new ConformalBand([{ time: 0, target: 0, lower: 1, upper: 0 }])).toThrow(ModelInputError);
    expect(() => new ConformalBand([], { window: 0 })).toThrow(ModelInputError);
  });

  it('widens a too-narrow band (25-75%) to cover ~80% of a held-out synthetic set', () => {
    const train = heteroscedastic(5, 60);
    const calibration = heteroscedastic(6, 20);
    const test = heteroscedastic(7, 20);
    const model = QuantileNetwork.fit(train, { ...FAST, seed: 2, levels: [0.25, 0.5, 0.75] });
    try {
      const qc = model.predict(calibration.rows);
      const records = calibration.targets.map((target, i) => ({
        time: 0,
        target,
        lower: qc[i]?.[0] ?? 0,
        upper: qc[i]?.[2] ?? 0,
      }));
      const band = new ConformalBand(records);
      const qt = model.predict(test.rows);
      let raw = 0;
      let corrected = 0;
      test.targets.forEach((y, i) => {
        const lo = qt[i]?.[0] ?? 0;
        const hi = qt[i]?.[2] ?? 0;
        if (y >= lo && y <= hi) raw += 1;
        const [clo, chi] = band.bandAt(1, lo, hi);
        if (y >= clo && y <= chi) corrected += 1;
      });
      expect(raw / test.targets.length).toBeLessThan(0.62);
      expect(corrected / test.targets.length).toBeGreaterThan(0.76);
      expect(corrected / test.targets.length).toBeLessThan(0.84);
    } finally {
      model.dispose();
    }
  }, 120_000);

  it('adapts its level to its own misses, period by period (ACI), by hand', () => {
    // Three periods of two rows: scores 0 and 1, then 5 and 5, then 5 and 5; band over all earlier periods.
    const records: OutOfSampleBand[] = [
      [0, 0],
      [1, 5],
      [1, 5],
      [2, 5],
      [2, 5],
    ].map(([time = 0, e = 0]) => ({ time, target: e, lower: -10, upper: 0 }));
    records.unshift({ time: 0, target: 1, lower: -10, upper: 0 });
    const band = new ConformalBand(records, { minRows: 1, adapt: 0.5 });
    // Period 0: no earlier score, correction 0; scores 0 and 1 → 1 of 2 outside. α: 0.2 + 0.5 × (0.2 - 0.5) = 0.05.
    expect(band.missRateAt(0)).toBeCloseTo(0.2, 12);
    expect(band.missRateAt(1)).toBeCloseTo(0.05, 12);
    // Period 1 at α 0.05: ⌈3 × 0.95⌉ = 3 > 2 → the largest earlier score, 1; both 5s miss → α 0.05 + 0.5 × (0.2 - 1) < 0 → 0.
    expect(band.correctionAt(1)).toBe(1);
    expect(band.missRateAt(2)).toBe(0);
    // Period 2 at α 0: the largest earlier score, 5; the 5s are on the band (not outside) → α 0 + 0.5 × 0.2 = 0.1.
    expect(band.correctionAt(2)).toBe(5);
    expect(band.missRateAt(3)).toBeCloseTo(0.1, 12);
    // Without adapt the level stays at 1 - coverage: period 2 reads 0, 1, 5, 5 → ⌈5 × 0.8⌉ = 4th → 5.
    const fixed = new ConformalBand(records, { minRows: 1 });
    expect(fixed.missRateAt(3)).toBeCloseTo(0.2, 12);
    expect(fixed.correctionAt(2)).toBe(5);
    // Where the level changes the rank: ten scores 1-10 in period 0, all outside its uncorrected band → α
    // 0.2 + 0.1 × (0.2 - 1) = 0.12; period 1 takes the ⌈11 × 0.88⌉ = 10th score, the fixed level the 9th.
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((e) => ({ time: 0, target: e, lower: -10, upper: 0 }));
    expect(new ConformalBand(ten, { minRows: 1, adapt: 0.1 }).correctionAt(1)).toBe(10);
    expect(new ConformalBand(ten, { minRows: 1 }).correctionAt(1)).toBe(9);
    // A record at t or later never moves t's level.
    const altered = new ConformalBand([...records, { time: 2, target: 100, lower: 0, upper: 1 }], {
      minRows: 1,
      adapt: 0.5,
    });
    expect(altered.missRateAt(2)).toBe(band.missRateAt(2));
    expect(() => new ConformalBand([], { adapt: -0.1 })).toThrow(ModelInputError);
    expect(() => new ConformalBand([], { adapt: 2 })).toThrow(ModelInputError);
  });

  it('after the spread doubles, keeps 80% coverage where the fixed level falls short', () => {
    // 60 periods of 22 rows with standard normal targets and a fixed band [-1.28, 1.28] (80%); from period
    // 30 on the spread is 2 (the raw band covers 48%). CQR over every earlier period catches up slowly, as
    // the new spread's share of its scores grows; the adaptive level keeps the long-run miss rate near 20%.
    const random = createRng(11);
    const records: OutOfSampleBand[] = [];
    for (let time = 0; time < 60; time++)
      for (let d = 0; d < 22; d++)
        records.push({ time, target: normalDraw(random) * (time >= 30 ? 2 : 1), lower: -1.28, upper: 1.28 });
    const coverage = (band: ConformalBand) => {
      // Coverage of periods 30-59 (the shifted ones), each scored with its own band.
      const shifted = records.filter((r) => r.time >= 30);
      const inside = shifted.filter((r) => ConformalBand.score(r) <= band.correctionAt(r.time)).length;
      return inside / shifted.length;
    };
    const fixedAll = coverage(new ConformalBand(records, { minRows: 22 }));
    const adaptiveAll = coverage(new ConformalBand(records, { minRows: 22, adapt: 0.1 }));
    expect(fixedAll).toBeLessThan(0.72);
    expect(adaptiveAll).toBeGreaterThan(0.76);
    expect(adaptiveAll).toBeLessThan(0.86);
  });
});
