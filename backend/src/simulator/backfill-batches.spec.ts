import { readFileSync } from 'node:fs';
import { parseRegion } from '@district-monitor/streams';
import { createSimulator } from '@district-monitor/streams/simulator';
import { describe, expect, it } from 'vitest';
import { backfillBatches } from './backfill-batches.js';

const region = parseRegion(
  JSON.parse(readFileSync(new URL('../../../data/regions/tamil-nadu.json', import.meta.url), 'utf8')),
  'tamil-nadu.json',
);
const HOUR = 3_600_000;
const span = { from: Date.parse('2025-01-01T00:00:00Z'), until: Date.parse('2025-01-15T07:20:00Z') };
/** 0.05 events/s for two weeks and a bit: about 62,000 events. */
const simulator = () => createSimulator({ region, ratePerSecond: 0.05, seed: 3, source: 'backfill' });

describe('backfillBatches', () => {
  const all = [...backfillBatches(simulator(), span, 5_000)];
  const events = all.flatMap((batch) => batch.events);

  it('covers the span in batches of at least the batch size that end on hours (the last one at the end)', () => {
    expect(events.length).toBeGreaterThan(55_000);
    for (const batch of all.slice(0, -1)) {
      expect(batch.events.length).toBeGreaterThanOrEqual(5_000);
      expect(batch.reached % HOUR).toBe(0);
    }
    expect(all.at(-1)?.reached).toBe(span.until);
    const times = events.map((event) => Date.parse(event.reportedAt));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(span.from);
    expect(Math.max(...times)).toBeLessThanOrEqual(span.until);
    // Each batch holds exactly the events reported up to its end.
    let previous = span.from;
    for (const batch of all) {
      for (const event of batch.events) {
        const at = Date.parse(event.reportedAt);
        expect(at > previous || at === span.from).toBe(true);
        expect(at).toBeLessThanOrEqual(batch.reached);
      }
      previous = batch.reached;
    }
  });

  it('gives every event a unique id, the same ids on every run', () => {
    expect(new Set(events.map((event) => event.eventId)).size).toBe(events.length);
    const again = [...backfillBatches(simulator(), span, 5_000)].flatMap((batch) => batch.events);
    expect(again).toEqual(events);
  });

  it('resumes after a stored batch with exactly the events an uninterrupted run writes next', () => {
    const stored = all[3];
    if (stored === undefined) throw new Error('expected more than four batches');
    const resumed = [...backfillBatches(simulator(), span, 5_000, stored.reached)];
    expect(resumed).toEqual(all.slice(4));
  });

  it('refuses an empty span and a batch size below 1', () => {
    expect(() => [...backfillBatches(simulator(), { from: 10, until: 10 }, 5)]).toThrow(RangeError);
    expect(() => [...backfillBatches(simulator(), span, 0)]).toThrow(/batchSize/);
  });
});
