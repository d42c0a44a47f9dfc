import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelFormatError, ModelInputError } from '../errors.js';
import { StackedFusion, STACKED_FUSION_FORMAT, type StackedFusionSet } from './stacked.js';
import { syntheticFusionSet, type SyntheticFusionOptions } from './synthetic.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const SHAPE: SyntheticFusionOptions = {
  periods: 40,
  districts: 10,
  width: 6,
  seed: 3,
  rate: 1,
  rateSlope: 0.6,
  baselines: true,
};
const NETWORK = { hiddenUnits: [8], learningRate: 0.01, maxEpochs: 40, patience: 8 };

function withPriors(
  set: ReturnType<typeof syntheticFusionSet>,
  prior: (i: number) => number[],
): StackedFusionSet {
  return { ...set, baselines: set.baselines ?? [], priors: set.rows.map((_, i) => prior(i)) };
}

describe('StackedFusion', () => {
  it('learns a count signal the baseline lacks: the blend keeps most of the networks (weight ≥ 0.5)', () => {
    const train = syntheticFusionSet(SHAPE);
    const model = StackedFusion.fit(
      { ...train, baselines: train.baselines ?? [] },
      { members: 2, network: NETWORK },
    );
    try {
      expect(model.countWeight).toBeGreaterThanOrEqual(0.5);
      expect(model.validation.scaledError.blend).toBeLessThan(model.validation.scaledError.fallback);
      const test = syntheticFusionSet({ ...SHAPE, seed: 77, periods: 10 });
      const predictions = model.predict(test.rows, test.baselines ?? []);
      const meanLogRatio =
        predictions.reduce((sum, p, i) => sum + Math.log(p.expectedCount / (test.means[i] ?? 1)), 0) /
        predictions.length;
      expect(Math.abs(meanLogRatio)).toBeLessThan(Math.log(1.2));
    } finally {
      model.dispose();
    }
  });

  it('falls back to the prior when the prior is right and the features are noise (the skip path)', () => {
    // Classes drawn at random, independent of the features; the prior knows them (a perfect fallback).
    const base = syntheticFusionSet({ ...SHAPE, seed: 5 });
    let state = 11;
    const classes = base.rows.map(() => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state % 3;
    });
    const set = withPriors({ ...base, classes }, (i) =>
      [0, 1, 2].map((k) => (k === classes[i] ? 0.98 : 0.01)),
    );
    const model = StackedFusion.fit(set, { members: 2, network: NETWORK });
    try {
      expect(model.classWeight).toBe(0);
      const predictions = model.predict(
        set.rows.slice(0, 20),
        set.baselines.slice(0, 20),
        set.priors?.slice(0, 20),
      );
      predictions.forEach((p, i) => {
        expect(p.predictedClass).toBe(classes[i]);
      });
      // Without the skip path the networks alone cannot know the random classes.
      const alone = StackedFusion.fit(set, { members: 1, skip: false, network: NETWORK });
      try {
        expect(alone.classWeight).toBe(1);
        expect(alone.validation.logLoss.blend).toBeGreaterThan(model.validation.logLoss.blend);
      } finally {
        alone.dispose();
      }
    } finally {
      model.dispose();
    }
  });

  it('round-trips through JSON with the same predictions, and refuses another format or missing priors', () => {
    const train = syntheticFusionSet(SHAPE);
    const set = withPriors(train, () => [0.2, 0.3, 0.5]);
    const model = StackedFusion.fit(set, { members: 2, network: NETWORK });
    const copy = StackedFusion.load(JSON.parse(JSON.stringify(model.toJSON())));
    try {
      const rows = train.rows.slice(0, 5);
      const baselines = (train.baselines ?? []).slice(0, 5);
      const priors = rows.map(() => [0.2, 0.3, 0.5]);
      const a = model.predict(rows, baselines, priors);
      const b = copy.predict(rows, baselines, priors);
      a.forEach((p, i) => {
        expect(b[i]?.expectedCount).toBeCloseTo(p.expectedCount, 5);
        expect(b[i]?.interval80).toEqual(p.interval80);
      });
      expect(() => model.predict(rows, baselines)).toThrow(ModelInputError);
      expect(() => StackedFusion.load({ ...model.toJSON(), format: 'fusion-network@1' })).toThrow(
        ModelFormatError,
      );
      expect(model.toJSON().format).toBe(STACKED_FUSION_FORMAT);
      // The shared JSON reader names the field it rejects.
      const saved = model.toJSON();
      expect(() => StackedFusion.load({ ...saved, usesPriors: 'yes' })).toThrow(
        'stacked fusion: usesPriors is not a boolean',
      );
      expect(() =>
        StackedFusion.load({ ...saved, validation: { ...saved.validation, logLoss: { network: 'x' } } }),
      ).toThrow('stacked fusion: validation.logLoss.network is not a finite number');
      expect(() => StackedFusion.load({ ...saved, classWeight: 2 })).toThrow(
        'stacked fusion: classWeight must be in [0, 1]',
      );
    } finally {
      model.dispose();
      copy.dispose();
    }
  });

  it('sizes the interval on the latest periods with intervalPeriods, keeping the class size; older JSON loads', () => {
    const base = syntheticFusionSet({ ...SHAPE, seed: 9 });
    // The last 4 of the 40 periods (inside the validation rows, the latest 20%) miss far more than the others.
    let flip = 0;
    const counts = base.counts.map((c, i) =>
      (base.times[i] ?? 0) >= 36 ? Math.round(c * (flip++ % 2 === 0 ? 0.3 : 2.5)) : c,
    );
    const set = { ...base, counts, baselines: base.baselines ?? [] };
    const plain = StackedFusion.fit(set, { members: 1, network: NETWORK });
    const recent = StackedFusion.fit(set, { members: 1, network: NETWORK, intervalPeriods: 4 });
    try {
      expect(plain.intervalSize).toBe(plain.dispersionSize);
      expect(recent.dispersionSize).toBe(plain.dispersionSize);
      // A smaller negative-binomial size is a wider spread.
      expect(recent.intervalSize ?? Infinity).toBeLessThan(plain.dispersionSize ?? Infinity);
      const rows = base.rows.slice(0, 5);
      const baselines = set.baselines.slice(0, 5);
      const width = (p: { interval80: readonly [number, number] }) => p.interval80[1] - p.interval80[0];
      recent.predict(rows, baselines).forEach((p, i) => {
        expect(width(p)).toBeGreaterThan(width(plain.predict(rows, baselines)[i] ?? p));
      });
      const saved = recent.toJSON();
      expect(StackedFusion.load(JSON.parse(JSON.stringify(saved))).intervalSize).toBe(recent.intervalSize);
      const { intervalSize: _dropped, ...older } = saved;
      const old = StackedFusion.load(older);
      expect(old.intervalSize).toBe(recent.dispersionSize);
      old.dispose();
      expect(() => StackedFusion.load({ ...saved, intervalSize: -1 })).toThrow(
        'stacked fusion: intervalSize must be null or a number > 0',
      );
      expect(() => StackedFusion.fit(set, { members: 1, intervalPeriods: 0 })).toThrow(ModelInputError);
    } finally {
      plain.dispose();
      recent.dispose();
    }
  });
});
