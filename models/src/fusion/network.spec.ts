import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelFormatError, ModelInputError } from '../errors.js';
import { FusionNetwork } from './network.js';
import { FUSION_FORMAT, type FusionNetworkJSON, type FusionOptions } from './types.js';
import { syntheticFusionSet, type SyntheticFusionOptions } from './synthetic.js';

// models/ specs read no files, so they run on the cpu backend; data/src/runtime/tf.spec.ts covers wasm.
beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const WIDTH = 8;
const SHAPE: SyntheticFusionOptions = {
  periods: 40,
  districts: 10,
  width: WIDTH,
  seed: 1,
  rate: 3,
  rateSlope: 0.5,
};
const FAST: Partial<FusionOptions> = { hiddenUnits: [16], learningRate: 0.01, maxEpochs: 40, patience: 8 };

function fit(
  options: Partial<FusionOptions> = {},
  shape: Partial<SyntheticFusionOptions> = {},
): FusionNetwork {
  return FusionNetwork.fit(syntheticFusionSet({ ...SHAPE, ...shape }), { ...FAST, ...options });
}

describe('FusionNetwork on a synthetic set with known answers', () => {
  let net: FusionNetwork;
  const test = syntheticFusionSet({ ...SHAPE, periods: 20, seed: 99 });
  beforeAll(() => {
    net = fit();
  });
  afterAll(() => {
    net.dispose();
  });

  it('learns a class that is the tercile of one input: ≥ 90% accuracy on fresh rows', () => {
    const predictions = net.predict(test.rows);
    const correct = predictions.filter((p, i) => p.predictedClass === test.classes[i]).length;
    expect(correct / predictions.length).toBeGreaterThanOrEqual(0.9);
    for (const p of predictions) {
      expect(p.classProbabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      expect(p.elevated).toBe(p.classProbabilities[2]);
    }
  });

  it('recovers the rate 3 × exp(0.5 x1) within 15% on average (geometric mean ratio)', () => {
    const predictions = net.predict(test.rows);
    const meanLogRatio =
      predictions.reduce((sum, p, i) => sum + Math.log(p.expectedCount / (test.means[i] ?? 1)), 0) /
      predictions.length;
    expect(Math.abs(meanLogRatio)).toBeLessThan(Math.log(1.15));
    // At x1 = -1 and x1 = +1, with everything else 0: 3 e^-0.5 = 1.82 and 3 e^0.5 = 4.95.
    const low = net.predictOne([0, -1, 0, 0, 0, 0, 0, 0]).expectedCount;
    const high = net.predictOne([0, 1, 0, 0, 0, 0, 0, 0]).expectedCount;
    expect(low).toBeGreaterThan(1.82 / 1.3);
    expect(low).toBeLessThan(1.82 * 1.3);
    expect(high).toBeGreaterThan(4.95 / 1.3);
    expect(high).toBeLessThan(4.95 * 1.3);
  });

  it('keeps validation strictly after training and records the split, branches and metrics', () => {
    const { window, metrics, branches, featureNames } = net.metadata;
    // 40 periods, 20%: periods 32..39 are validation.
    expect(window).toEqual({ trainingFrom: 0, trainingTo: 31, validationFrom: 32, validationTo: 39 });
    expect(metrics.training.rows).toBe(320);
    expect(metrics.validation.rows).toBe(80);
    expect(branches).toEqual([{ name: 'features', width: WIDTH }]);
    expect(featureNames[7]).toBe('features.7');
    expect(metrics.bestEpoch).toBeGreaterThan(0);
    expect(metrics.history.validationLoss[metrics.bestEpoch - 1]).toBe(
      Math.min(...metrics.history.validationLoss),
    );
    // The Poisson counts are not over-dispersed: Poisson or a very large size.
    expect(net.dispersionSize === null || net.dispersionSize > 20).toBe(true);
    expect(metrics.validation.intervalCoverage80).toBeGreaterThan(0.7);
  });

  it('agrees with the generic model.predict path to 1e-5', () => {
    const rows = test.rows.slice(0, 20);
    const fast = net.predict(rows);
    const generic = net.predictWithLayers(rows);
    fast.forEach((p, i) => {
      const q = generic[i];
      expect(q).toBeDefined();
      p.classProbabilities.forEach((v, k) => {
        expect(v).toBeCloseTo(q?.classProbabilities[k] ?? NaN, 5);
      });
      expect(p.expectedCount / (q?.expectedCount ?? NaN)).toBeCloseTo(1, 5);
    });
    expect(net.predictOne(test.rows[3] ?? [])).toEqual(net.predict(test.rows.slice(3, 4))[0]);
  });

  it('round-trips through JSON text with identical predictions', () => {
    const json = JSON.parse(JSON.stringify(net.toJSON())) as unknown;
    const loaded = FusionNetwork.load(json);
    try {
      expect(loaded.predict(test.rows)).toEqual(net.predict(test.rows));
      expect(loaded.metadata).toEqual(net.metadata);
      expect(loaded.dispersionSize).toBe(net.dispersionSize);
    } finally {
      loaded.dispose();
    }
  });

  it('does not grow the tensor count over 1,000 predictions', () => {
    const row = test.rows[0] ?? [];
    net.predictOne(row);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 1000; i++) net.predictOne(row);
    for (let i = 0; i < 10; i++) net.predict(test.rows);
    net.predictWithLayers(test.rows);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad input with ModelInputError', () => {
    expect(() => net.predictOne([1, 2, 3])).toThrow(ModelInputError);
    expect(() => net.predictOne([0, 0, 0, NaN, 0, 0, 0, 0])).toThrow(ModelInputError);
    expect(() => net.predict([test.rows[0] ?? [], [0, 0, 0, 0, 0, 0, 0, Infinity]])).toThrow(ModelInputError);
    // Trained without baselines: a baseline is a mistake, not something to ignore.
    expect(() => net.predictOne(test.rows[0] ?? [], 5)).toThrow(ModelInputError);
  });
});

describe('FusionNetwork with baselines (residual count head) and over-dispersed counts', () => {
  it('learns expected = baseline × 1.5 and a negative binomial size near 5', () => {
    const data = syntheticFusionSet({ ...SHAPE, rate: 1.5, rateSlope: 0, baselines: true, size: 5, seed: 3 });
    const net = FusionNetwork.fit(data, { ...FAST });
    try {
      expect(net.usesBaseline).toBe(true);
      // The residual is learnt, the baseline scales it: expected / baseline ≈ 1.5 on fresh rows.
      const test = syntheticFusionSet({
        ...SHAPE,
        rate: 1.5,
        rateSlope: 0,
        baselines: true,
        size: 5,
        seed: 4,
      });
      const predictions = net.predict(test.rows, test.baselines);
      const ratio =
        predictions.reduce((sum, p) => sum + p.expectedCount, 0) /
        (test.baselines ?? []).reduce((sum, b) => sum + b, 0);
      expect(ratio).toBeGreaterThan(1.35);
      expect(ratio).toBeLessThan(1.65);
      // NB(30, 5) has sd sqrt(30 + 900 / 5) = 14.5: the 80% interval is far wider than Poisson's ±7.
      const p = net.predictOne(test.rows[0] ?? [], 20);
      expect(p.interval80[1] - p.interval80[0]).toBeGreaterThan(25);
      expect(net.dispersionSize).not.toBeNull();
      expect(net.dispersionSize ?? 0).toBeGreaterThan(2.5);
      expect(net.dispersionSize ?? 0).toBeLessThan(10);
      expect(() => net.predictOne(data.rows[0] ?? [])).toThrow(ModelInputError);
      expect(() => net.predictOne(data.rows[0] ?? [], -1)).toThrow(ModelInputError);
    } finally {
      net.dispose();
    }
  });
});

describe('FusionNetwork determinism', () => {
  it('gives identical weights for the same seed (with dropout) and different ones for another seed', () => {
    const options = { dropout: 0.2, maxEpochs: 5, patience: 5 };
    const nets = [
      fit({ ...options, seed: 11 }),
      fit({ ...options, seed: 11 }),
      fit({ ...options, seed: 12 }),
    ];
    try {
      const [a, b, c] = nets.map((n) => n.toJSON().weights.float32Base64);
      expect(a).toBe(b);
      expect(a).not.toBe(c);
    } finally {
      for (const n of nets) n.dispose();
    }
  });

  it('frees every tensor it made when disposed', () => {
    const before = tf.memory().numTensors;
    fit({ maxEpochs: 2 }).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('FusionNetwork input checks and format', () => {
  const data = syntheticFusionSet({ ...SHAPE, periods: 4 });
  it.each<[string, Partial<FusionOptions>]>([
    ['branch widths that do not add up', { branches: [{ name: 'a', width: 3 }] }],
    ['too few feature names', { featureNames: ['x'] }],
    ['a single class', { classNames: ['only'] }],
    ['a dropout of 1', { dropout: 1 }],
    ['a validation fraction of 0', { validationFraction: 0 }],
  ])('rejects %s', (_, options) => {
    expect(() => FusionNetwork.fit(data, { ...FAST, ...options })).toThrow(ModelInputError);
  });

  it('rejects training data with a NaN before any computation', () => {
    const rows = data.rows.map((r, i) => (i === 5 ? Float32Array.of(...Array.from(r).slice(0, 7), NaN) : r));
    const before = tf.memory().numTensors;
    expect(() => FusionNetwork.fit({ ...data, rows }, FAST)).toThrow(/row 5: feature 7 is NaN/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects another format tag, a changed topology and truncated weights with ModelFormatError', () => {
    const net = fit({ maxEpochs: 1 });
    const json: FusionNetworkJSON = net.toJSON();
    net.dispose();
    expect(json.format).toBe(FUSION_FORMAT);
    expect(() => FusionNetwork.load({ ...json, format: 'fusion-network@0' })).toThrow(ModelFormatError);
    expect(() =>
      FusionNetwork.load({ ...json, architecture: { ...json.architecture, hiddenUnits: [17] } }),
    ).toThrow(ModelFormatError);
    const short = { ...json.weights, float32Base64: json.weights.float32Base64.slice(0, 8) };
    expect(() => FusionNetwork.load({ ...json, weights: short })).toThrow(ModelFormatError);
    expect(() => FusionNetwork.load('not a model')).toThrow(ModelFormatError);
  });
});
