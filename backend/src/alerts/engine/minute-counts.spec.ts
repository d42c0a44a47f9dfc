import { CATEGORIES } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import { MinuteCounts } from './minute-counts.js';

const MIN = 60_000;
/** A whole minute. */
const T0 = Date.UTC(2024, 0, 15, 10, 0, 0);
const SPAN = 10;

const counts = (now = T0) => new MinuteCounts(['TN-CHN', 'TN-MDU'], SPAN, now);
/** Everything the span can hold, by category or incidents (null). */
const all = (c: MinuteCounts, district: string, category: Parameters<MinuteCounts['sum']>[1]) =>
  c.sum(district, category, T0 - 100 * MIN, T0 + 100 * MIN);

describe('MinuteCounts', () => {
  it('adds signed counts per district, category and minute', () => {
    const c = counts();
    expect(c.add('TN-CHN', 'crime_body', T0 + 15_000, 3)).toBe(true);
    expect(c.add('TN-CHN', 'crime_body', T0 + 59_999, 2)).toBe(true);
    expect(c.add('TN-CHN', 'crime_body', T0 + 30_000, -1)).toBe(true);
    expect(c.sum('TN-CHN', 'crime_body', T0, T0 + MIN)).toBe(4);
    expect(c.sum('TN-CHN', 'crime_property', T0, T0 + MIN)).toBe(0);
    expect(c.sum('TN-MDU', 'crime_body', T0, T0 + MIN)).toBe(0);
    expect(c.districtCodes).toEqual(['TN-CHN', 'TN-MDU']);
    expect(c.spanMinutes).toBe(SPAN);
  });

  it('refuses an unknown district, and reads 0 for one', () => {
    const c = counts();
    expect(c.add('KA-BLR', 'crime_body', T0, 1)).toBe(false);
    expect(all(c, 'KA-BLR', 'crime_body')).toBe(0);
  });

  it('refuses a minute older than the span and takes the oldest one inside it', () => {
    const c = counts();
    expect(c.add('TN-CHN', 'other', T0 - SPAN * MIN, 5)).toBe(false);
    expect(c.add('TN-CHN', 'other', T0 - SPAN * MIN + MIN - 1, 5)).toBe(false);
    expect(c.add('TN-CHN', 'other', T0 - (SPAN - 1) * MIN, 7)).toBe(true);
    expect(all(c, 'TN-CHN', 'other')).toBe(7);
  });

  it('sums whole minutes in [from, to), a partial first minute left out', () => {
    const c = counts();
    c.add('TN-CHN', 'harassment', T0 - 2 * MIN, 1);
    c.add('TN-CHN', 'harassment', T0 - 1 * MIN, 2);
    c.add('TN-CHN', 'harassment', T0, 4);
    expect(c.sum('TN-CHN', 'harassment', T0 - 2 * MIN, T0)).toBe(3);
    expect(c.sum('TN-CHN', 'harassment', T0 - 1 * MIN, T0 + MIN)).toBe(6);
    expect(c.sum('TN-CHN', 'harassment', T0 - 2 * MIN + 1, T0 + MIN)).toBe(6);
    expect(c.sum('TN-CHN', 'harassment', T0 - 2 * MIN, T0 + MIN)).toBe(7);
    // A partial last minute counts whole: [T0, T0 + 1 ms) is the minute T0.
    expect(c.sum('TN-CHN', 'harassment', T0, T0 + 1)).toBe(4);
    expect(c.sum('TN-CHN', 'harassment', T0, T0)).toBe(0);
  });

  it('totals the incident categories without road accidents', () => {
    const c = counts();
    c.add('TN-CHN', 'crime_women', T0, 2);
    c.add('TN-CHN', 'suicide', T0 - MIN, 1);
    c.add('TN-CHN', 'road_accident', T0, 5);
    expect(all(c, 'TN-CHN', null)).toBe(3);
    expect(all(c, 'TN-CHN', 'road_accident')).toBe(5);
  });

  it('counts every incident category in the total', () => {
    const c = counts();
    for (const category of CATEGORIES) c.add('TN-CHN', category, T0, 1);
    expect(all(c, 'TN-CHN', null)).toBe(CATEGORIES.length - 1);
  });

  it('advance drops the minutes that leave the span, and a reused slot starts from zero', () => {
    const c = counts();
    c.add('TN-CHN', 'crime_body', T0 - 9 * MIN, 5);
    c.add('TN-CHN', 'crime_body', T0 - 8 * MIN, 1);
    c.add('TN-MDU', 'crime_body', T0 - 9 * MIN, 2);
    c.advance(T0 + MIN + 30_000);
    // T0 - 9 min left the span, in both districts; T0 - 8 min is still in.
    expect(all(c, 'TN-CHN', 'crime_body')).toBe(1);
    expect(all(c, 'TN-MDU', 'crime_body')).toBe(0);
    // T0 + 1 min uses the slot T0 - 9 min had.
    expect(c.add('TN-CHN', 'crime_body', T0 + MIN, 1)).toBe(true);
    expect(c.sum('TN-CHN', 'crime_body', T0 + MIN, T0 + 2 * MIN)).toBe(1);
    expect(c.add('TN-CHN', 'crime_body', T0 - 9 * MIN, 1)).toBe(false);
  });

  it('advance past the whole span clears everything; advancing backwards changes nothing', () => {
    const c = counts();
    c.add('TN-CHN', 'other', T0, 4);
    c.advance(T0 - 5 * MIN);
    expect(all(c, 'TN-CHN', 'other')).toBe(4);
    c.advance(T0 + 25 * MIN);
    expect(all(c, 'TN-CHN', 'other')).toBe(0);
    for (let m = 0; m < SPAN; m++) expect(c.add('TN-CHN', 'other', T0 + (25 - m) * MIN, 0)).toBe(true);
    expect(c.add('TN-CHN', 'other', T0 + (25 - SPAN) * MIN, 1)).toBe(false);
  });

  it('moves the span forward for a minute ahead of it (callers clamp to the clock)', () => {
    const c = counts();
    c.add('TN-CHN', 'other', T0 - 9 * MIN, 3);
    c.add('TN-CHN', 'other', T0, 1);
    expect(c.add('TN-CHN', 'other', T0 + 2 * MIN, 1)).toBe(true);
    expect(all(c, 'TN-CHN', 'other')).toBe(2);
  });

  it('reads minutes outside the span as 0 even when asked for them', () => {
    const c = counts();
    c.add('TN-CHN', 'other', T0, 1);
    // T0 + 10 min and T0 - 10 min, -20 min... share T0's slot in the ring.
    expect(c.sum('TN-CHN', 'other', T0 + MIN, T0 + 11 * MIN)).toBe(0);
    expect(c.sum('TN-CHN', 'other', T0 - 50 * MIN, T0 - 9 * MIN)).toBe(0);
  });
});
