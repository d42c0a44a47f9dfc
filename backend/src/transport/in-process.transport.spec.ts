import { readFileSync } from 'node:fs';
import { parseRegion, topicNames } from '@district-monitor/streams';
import { createSimulator } from '@district-monitor/streams/simulator';
import { describe, expect, it } from 'vitest';
import { InProcessTransport } from './in-process.transport.js';
import { BackpressureError, type InboundBatch } from './transport.js';

const region = parseRegion(
  JSON.parse(readFileSync(new URL('../../../data/regions/tamil-nadu.json', import.meta.url), 'utf8')),
  'tamil-nadu.json',
);
const events = (n: number, seed = 1) =>
  createSimulator({ region, ratePerSecond: 1, seed }).burst(n, Date.now());
const options = { maxBatch: 100, attempts: 3, firstBackoffMs: 1 };

describe('in-process transport', () => {
  it('resolves publish only after the handler has taken the events, in batches of whole publishes', async () => {
    const transport = new InProcessTransport(topicNames(), options);
    const seen: number[] = [];
    await transport.start((batch: InboundBatch) => {
      seen.push(batch.messages.length);
      return Promise.resolve();
    });
    await Promise.all([
      transport.publish(events(60)),
      transport.publish(events(60, 2)),
      transport.publish(events(10, 3)),
    ]);
    expect(seen.reduce((a, b) => a + b, 0)).toBe(130);
    expect(Math.max(...seen)).toBeLessThanOrEqual(100);
    await transport.stop();
  });

  it('carries each event on its kind topic, keyed by district, with increasing offsets', async () => {
    const transport = new InProcessTransport(topicNames(), options);
    let batch: InboundBatch | undefined;
    await transport.start((b) => {
      batch = b;
      return Promise.resolve();
    });
    const sent = events(20);
    await transport.publish(sent);
    const messages = batch?.messages ?? [];
    expect(messages.map((m) => m.key)).toEqual(sent.map((e) => e.district));
    expect(messages.map((m) => m.topic)).toEqual(
      sent.map((e) => (e.kind === 'incident' ? 'incidents' : 'accidents')),
    );
    expect(messages.map((m) => Number(m.offset))).toEqual([...Array(20).keys()]);
    await transport.stop();
  });

  it('retries a failing batch, and tells the publisher when it never succeeds', async () => {
    const transport = new InProcessTransport(topicNames(), options);
    let calls = 0;
    await transport.start(() => {
      calls++;
      return calls === 1 ? Promise.reject(new Error('database restarting')) : Promise.resolve();
    });
    await transport.publish(events(5));
    expect(calls).toBe(2);
    await transport.stop();

    const broken = new InProcessTransport(topicNames(), options);
    await broken.start(() => Promise.reject(new Error('disk full')));
    await expect(broken.publish(events(5))).rejects.toThrow('events not stored after 3 attempts: disk full');
    await broken.stop();
  });

  it('stores what is queued before stopping, then refuses new events', async () => {
    const transport = new InProcessTransport(topicNames(), options);
    let stored = 0;
    await transport.start(async (batch) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      stored += batch.messages.length;
    });
    const pending = transport.publish(events(250));
    await transport.stop();
    await pending;
    expect(stored).toBe(250);
    await expect(transport.publish(events(1))).rejects.toThrow('stopped');
  });

  it('refuses a publish whole with BackpressureError while it holds maxEvents not yet stored, and takes more once they are', async () => {
    const transport = new InProcessTransport(topicNames(), { ...options, maxEvents: 100 });
    let release: (() => void) | undefined;
    const handled: number[] = [];
    let calls = 0;
    await transport.start(async (batch) => {
      calls++;
      await new Promise<void>((resolve) => (release = resolve));
      handled.push(batch.messages.length);
    });
    const first = transport.publish(events(80));
    const refused = await transport.publish(events(30, 2)).then(
      () => 'accepted',
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(BackpressureError);
    expect((refused as BackpressureError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((refused as BackpressureError).message).toMatch(/holds 80 events/);
    await expect.poll(() => calls).toBe(1);
    release?.();
    await first;
    const second = transport.publish(events(30, 2));
    await expect.poll(() => calls).toBe(2);
    release?.();
    await second;
    expect(handled).toEqual([80, 30]);
    await transport.stop();
  });
});
