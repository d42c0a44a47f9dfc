import { describe, expect, it } from 'vitest';
import { retryTransient, type RetryOptions } from './retry.js';

function options(overrides: Partial<RetryOptions> = {}): RetryOptions & { waits: number[]; beats: number } {
  const state = { waits: [] as number[], beats: 0 };
  return Object.assign(state, {
    initialDelayMs: 100,
    maxDelayMs: 400,
    shouldContinue: () => true,
    beforeRetry: () => {
      state.beats++;
      return Promise.resolve();
    },
    sleep: (ms: number) => {
      state.waits.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5, // no jitter
    ...overrides,
  });
}

describe('retryTransient', () => {
  it('retries a transient failure with doubling waits up to the cap, heartbeating before each retry', async () => {
    let calls = 0;
    const opts = options();
    const result = await retryTransient(() => {
      calls++;
      if (calls <= 4)
        return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
      return Promise.resolve('stored');
    }, opts);
    expect(result).toBe('stored');
    expect(calls).toBe(5);
    expect(opts.waits).toEqual([100, 200, 400, 400]);
    expect(opts.beats).toBe(4);
  });

  it('throws a programming error at once, without retrying it', async () => {
    let calls = 0;
    const opts = options();
    await expect(
      retryTransient(() => {
        calls++;
        return Promise.reject(new TypeError("Cannot read properties of undefined (reading 'district')"));
      }, opts),
    ).rejects.toThrow(TypeError);
    expect(calls).toBe(1);
    expect(opts.waits).toEqual([]);
  });

  it('gives up with the last transient error once told to stop (the consumer stops or loses the partition)', async () => {
    let calls = 0;
    const opts = options({ shouldContinue: () => calls < 3 });
    await expect(
      retryTransient(() => {
        calls++;
        return Promise.reject(new Error(`Connection terminated unexpectedly (${calls})`));
      }, opts),
    ).rejects.toThrow('Connection terminated unexpectedly (3)');
    expect(calls).toBe(3);
  });
});
