import type { DistrictScore } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import type { CommittedBatch } from './app-events.js';
import { EventBus, OnEvent, subscribeAll } from './event-bus.js';

class Counter {
  readonly seen: string[] = [];
  @OnEvent('batch.committed')
  batchCommitted(batch: CommittedBatch): void {
    this.seen.push(`committed ${batch.changes.length}`);
  }
  @OnEvent('scores.changed')
  scoresChanged(scores: readonly DistrictScore[]): void {
    this.seen.push(`scores ${scores.length}`);
  }
}

class Upkeep extends Counter {
  @OnEvent('batch.committed')
  refresh(): void {
    this.seen.push('refresh');
  }
}

const batch: CommittedBatch = { changes: [], received: [], stored: [] };

describe('EventBus', () => {
  it('registers the @OnEvent methods of each instance once, inherited ones included, and calls them in order', () => {
    const bus = new EventBus();
    const counter = new Counter();
    const upkeep = new Upkeep();
    expect(subscribeAll(bus, [counter, upkeep, counter, undefined, 'not an instance'])).toBe(5);
    expect(bus.count('batch.committed')).toBe(3);
    bus.emit('batch.committed', batch);
    bus.emit('scores.changed', []);
    bus.emit('features.changed', []);
    expect(counter.seen).toEqual(['committed 0', 'scores 0']);
    expect(upkeep.seen).toEqual(['refresh', 'committed 0', 'scores 0']);
  });

  it("lets a subscriber's error reach the emitter, after the subscribers before it ran", () => {
    const bus = new EventBus();
    const calls: string[] = [];
    bus.on('batch.committed', () => calls.push('first'));
    bus.on('batch.committed', () => {
      throw new TypeError('a bug');
    });
    bus.on('batch.committed', () => calls.push('third'));
    expect(() => {
      bus.emit('batch.committed', batch);
    }).toThrow(TypeError);
    expect(calls).toEqual(['first']);
  });

  it('removes a handler by the function on() returned', () => {
    const bus = new EventBus();
    let calls = 0;
    const off = bus.on('batch.handled', () => calls++);
    off();
    bus.emit('batch.handled', {
      at: '2026-01-01T00:00:00Z',
      transport: 'in-process',
      stored: 0,
      duplicates: 0,
      deadLettered: 0,
      byDistrict: {},
      byCategory: {},
      newestReportedByDistrict: {},
    });
    expect(calls).toBe(0);
  });
});
