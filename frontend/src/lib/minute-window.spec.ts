import { describe, expect, it } from 'vitest';
import { MINUTE_MS, MinuteWindow } from './minute-window';

const T = Date.parse('2024-05-01T10:00:00Z');
const counts = (window: MinuteWindow) => window.points().map((point) => point.count);

describe('MinuteWindow', () => {
  it('places counts in their minute and ends at the current minute', () => {
    const window = new MinuteWindow(3, T + 30_000);
    window.add(T + 5_000, 2);
    window.add(T - MINUTE_MS, 4);
    expect(counts(window)).toEqual([0, 4, 2]);
    expect(window.points().at(-1)?.minute).toBe(T);
  });

  it('rolls forward as time passes, dropping the oldest minutes', () => {
    const window = new MinuteWindow(3, T);
    window.add(T, 5);
    expect(window.advance(T + 2 * MINUTE_MS)).toBe(true);
    expect(counts(window)).toEqual([5, 0, 0]);
    expect(window.advance(T + 2 * MINUTE_MS + 59_000)).toBe(false);
    window.advance(T + 10 * MINUTE_MS);
    expect(counts(window)).toEqual([0, 0, 0]);
  });

  it('drops counts older than the window and moves forward for newer ones', () => {
    const window = new MinuteWindow(3, T);
    window.add(T - 5 * MINUTE_MS, 7);
    expect(counts(window)).toEqual([0, 0, 0]);
    window.add(T + MINUTE_MS, 1);
    expect(counts(window)).toEqual([0, 0, 1]);
  });

  it('resets from a snapshot, ending at the snapshot time', () => {
    const window = new MinuteWindow(3, T);
    window.add(T, 9);
    window.reset(
      [
        { minute: new Date(T + MINUTE_MS).toISOString(), count: 3 },
        { minute: new Date(T + 2 * MINUTE_MS).toISOString(), count: 6 },
      ],
      T + 2 * MINUTE_MS + 10_000,
    );
    expect(counts(window)).toEqual([0, 3, 6]);
  });
});
