import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initTensorflow, wasmDirectory } from './tf.js';

const here = createRequire(import.meta.url);

describe('initTensorflow', () => {
  it('selects wasm here, saying that tfjs-node is not installed', async () => {
    const runtime = await initTensorflow();
    expect(runtime.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(runtime.attempts).toEqual([
      { backend: 'tensorflow', error: '@tensorflow/tfjs-node is not installed' },
    ]);
    expect(runtime.reason).toContain('tfjs-node is not installed');
    expect(runtime.version).toBe('4.22.0');
    expect(typeof runtime.wasmSimd).toBe('boolean');
  });

  it('computes a matMul on wasm: [[1, 2], [3, 4]] × [[5, 6], [7, 8]] = [[19, 22], [43, 50]]', async () => {
    await initTensorflow();
    const before = tf.memory().numTensors;
    const product = tf.tidy(() =>
      tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])),
    );
    expect(tf.getBackend()).toBe('wasm');
    expect(Array.from(product.dataSync())).toEqual([19, 22, 43, 50]);
    product.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is idempotent, also under concurrent calls', async () => {
    const [a, b] = await Promise.all([initTensorflow(), initTensorflow()]);
    expect(a).toBe(b);
    expect(await initTensorflow()).toBe(a);
  });

  it('switches to cpu on request and back to wasm on the next default call', async () => {
    const cpu = await initTensorflow({ prefer: 'cpu' });
    expect(cpu.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const product = tf.tidy(() =>
      tf.matMul(tf.tensor2d([1, 2], [1, 2]), tf.tensor2d([3, 4], [2, 1])).dataSync(),
    );
    expect(Array.from(product)).toEqual([11]);
    expect((await initTensorflow()).backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('uses the package directory that holds the .wasm files', () => {
    expect(existsSync(join(wasmDirectory(), 'tfjs-backend-wasm-simd.wasm'))).toBe(true);
  });
});

describe('one @tensorflow/tfjs-core instance', () => {
  it('is what data/, models/ and every tfjs package resolve', () => {
    const core = here.resolve('@tensorflow/tfjs-core');
    const from = (pkg: string): string => createRequire(here.resolve(pkg)).resolve('@tensorflow/tfjs-core');
    expect(from('@district-monitor/models')).toBe(core);
    for (const pkg of [
      '@tensorflow/tfjs-layers',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-backend-cpu',
    ]) {
      expect(from(pkg)).toBe(core);
    }
  });
});
