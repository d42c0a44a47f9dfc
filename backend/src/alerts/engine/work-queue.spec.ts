import { describe, expect, it } from 'vitest';
import { WorkQueue, errorText } from './work-queue.js';

describe('WorkQueue', () => {
  it('runs work one piece at a time in arrival order, counting and reporting failures', async () => {
    const errors: string[] = [];
    const queue = new WorkQueue((what, error) => errors.push(`${what}: ${(error as Error).message}`));
    const order: string[] = [];
    queue.enqueue('a', async () => {
      order.push('a start');
      await new Promise((resolve) => setImmediate(resolve));
      order.push('a end');
    });
    queue.enqueue('b', () => Promise.reject(new Error('boom')));
    queue.enqueue('c', () => {
      order.push('c');
      return Promise.resolve();
    });
    await queue.settled();
    expect(order).toEqual(['a start', 'a end', 'c']);
    expect(errors).toEqual(['b: boom']);
    expect(queue.failures).toBe(1);
  });

  it('gives an awaited piece its result or error without stopping the line', async () => {
    const queue = new WorkQueue(() => undefined);
    await expect(queue.enqueueResult(() => Promise.resolve(7))).resolves.toBe(7);
    await expect(queue.enqueueResult(() => Promise.reject(new Error('409')))).rejects.toThrow('409');
    expect(queue.failures).toBe(0);
    await expect(queue.enqueueResult(() => Promise.resolve('after'))).resolves.toBe('after');
  });

  it('merges keys queued under one name while the work waits, and queues nothing for no keys', async () => {
    const queue = new WorkQueue(() => undefined);
    const runs: string[][] = [];
    const evaluate = (keys: string[]) => {
      runs.push(keys);
      return Promise.resolve();
    };
    queue.enqueueMerged('batch', [], evaluate);
    queue.enqueueMerged('batch', ['TN-CHN'], evaluate);
    queue.enqueueMerged('batch', ['TN-MDU', 'TN-CHN'], evaluate);
    await queue.settled();
    queue.enqueueMerged('batch', ['TN-CBE'], evaluate);
    await queue.settled();
    expect(runs).toEqual([['TN-CHN', 'TN-MDU'], ['TN-CBE']]);
  });

  it('skips background work once stopped', async () => {
    const queue = new WorkQueue(() => undefined);
    let ran = false;
    queue.stop();
    queue.enqueue('late', () => {
      ran = true;
      return Promise.resolve();
    });
    await queue.settled();
    expect(queue.isStopped).toBe(true);
    expect(ran).toBe(false);
  });
});

describe('errorText', () => {
  it('logs the stack of an error and the text of anything else', () => {
    const error = new Error('bad');
    expect(errorText(error)).toBe(error.stack);
    expect(errorText('plain')).toBe('plain');
  });
});
