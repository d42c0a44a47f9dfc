import * as tf from '@tensorflow/tfjs-core';
import { FusionNetwork, syntheticFusionSet, type FusionOptions } from '@district-monitor/models';
import { beforeAll, describe, expect, it } from 'vitest';
import { initTensorflow } from './tf.js';

// The fusion network on the wasm backend (models/ specs run on cpu: they cannot read the .wasm files).
const data = syntheticFusionSet({ periods: 30, districts: 10, width: 16, seed: 5, rate: 4, rateSlope: 0.4 });
const OPTIONS: Partial<FusionOptions> = {
  hiddenUnits: [16, 8],
  dropout: 0.2,
  learningRate: 0.01,
  maxEpochs: 6,
};

beforeAll(async () => {
  expect((await initTensorflow()).backend).toBe('wasm');
});

describe('FusionNetwork on the wasm backend', () => {
  it('gives identical weights for two fits with the same seed', () => {
    const a = FusionNetwork.fit(data, { ...OPTIONS, seed: 3 });
    const b = FusionNetwork.fit(data, { ...OPTIONS, seed: 3 });
    try {
      expect(tf.getBackend()).toBe('wasm');
      expect(a.metadata.tfjs.backend).toBe('wasm');
      expect(a.toJSON().weights.float32Base64).toBe(b.toJSON().weights.float32Base64);
      expect(a.predict(data.rows)).toEqual(b.predict(data.rows));
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('predicts what the cpu backend predicts (to float32 rounding), and round-trips identically', async () => {
    const net = FusionNetwork.fit(data, OPTIONS);
    const loaded = FusionNetwork.load(JSON.parse(JSON.stringify(net.toJSON())) as unknown);
    try {
      const rows = data.rows.slice(0, 38);
      const onWasm = net.predict(rows);
      expect(loaded.predict(rows)).toEqual(onWasm);
      await initTensorflow({ prefer: 'cpu' });
      const onCpu = net.predict(rows);
      await initTensorflow();
      onWasm.forEach((p, i) => {
        const q = onCpu[i];
        p.classProbabilities.forEach((v, k) => {
          expect(v).toBeCloseTo(q?.classProbabilities[k] ?? NaN, 4);
        });
        expect(p.expectedCount / (q?.expectedCount ?? NaN)).toBeCloseTo(1, 4);
      });
    } finally {
      net.dispose();
      loaded.dispose();
    }
  });

  it('does not grow the tensor count over 1,000 single-district predictions', () => {
    const net = FusionNetwork.fit(data, { ...OPTIONS, maxEpochs: 1 });
    try {
      const row = data.rows[0] ?? [];
      net.predictOne(row);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 1000; i++) net.predictOne(row);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      net.dispose();
    }
  });
});
