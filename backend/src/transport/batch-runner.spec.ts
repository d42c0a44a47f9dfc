import { describe, expect, it } from 'vitest';
import { BatchRunner, type BatchControl } from './batch-runner.js';
import { NonRetriableError } from './errors.js';
import type { InboundBatch } from './transport.js';

const batch: InboundBatch = {
  messages: [{ topic: 'incidents', partition: 3, offset: '120', key: 'TN-CHN', value: '{}' }],
  heartbeat: () => Promise.resolve(),
};

/** A batch's control as kafkajs's payload gives it, recording what the runner did with it. */
function control(live: () => boolean = () => true): BatchControl & { resolved: number; beats: number } {
  const state = { resolved: 0, beats: 0 };
  return Object.assign(state, {
    position: 'incidents/3@120',
    isLive: live,
    heartbeat: () => {
      state.beats++;
      return Promise.resolve();
    },
    resolve: () => {
      state.resolved++;
    },
  });
}

const options = { initialDelayMs: 10, maxDelayMs: 40, sleep: () => Promise.resolve() };

describe('BatchRunner', () => {
  it('stops on a TypeError in the batch path: not retried, offsets not resolved, the failure kept for health', async () => {
    let calls = 0;
    const runner = new BatchRunner(() => {
      calls++;
      const summary = undefined as unknown as { district: string };
      return Promise.resolve(summary.district).then(() => undefined);
    }, options);
    const batchControl = control();
    const error = await runner.run(batch, batchControl).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(NonRetriableError);
    expect((error as NonRetriableError).retriable).toBe(false);
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    expect(calls).toBe(1);
    expect(batchControl.resolved).toBe(0);
    expect(runner.failure).toMatch(/^batch incidents\/3@120: TypeError: Cannot read properties of undefined/);
  });

  it('retries a database restart with heartbeats until it succeeds, then resolves the batch once', async () => {
    let calls = 0;
    const seen: (string | null)[] = [];
    const runner = new BatchRunner(() => {
      calls++;
      seen.push(runner.retrying?.error ?? null);
      if (calls < 4) {
        return Promise.reject(
          Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
        );
      }
      return Promise.resolve();
    }, options);
    const batchControl = control();
    await runner.run(batch, batchControl);
    expect(calls).toBe(4);
    expect(batchControl.beats).toBe(3);
    expect(batchControl.resolved).toBe(1);
    expect(seen[3]).toBe('Error: terminating connection due to administrator command');
    expect(runner.retrying).toBeNull();
    expect(runner.failure).toBeNull();
    expect(runner.lastProgressAt).toBeTypeOf('number');
  });

  it('gives the batch up unresolved, without failing, when the partition moves away during the retries', async () => {
    let calls = 0;
    const runner = new BatchRunner(() => {
      calls++;
      return Promise.reject(new Error('Connection terminated unexpectedly'));
    }, options);
    const batchControl = control(() => calls < 2);
    await runner.run(batch, batchControl);
    expect(calls).toBe(2);
    expect(batchControl.resolved).toBe(0);
    expect(runner.failure).toBeNull();
  });
});
