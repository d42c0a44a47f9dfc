import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GroupTimers } from './group-timers.js';

const T0 = Date.UTC(2024, 0, 15, 10, 0, 0);

describe('GroupTimers', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('looks at a group again when its timer ends, with one timer per group', () => {
    const due: string[] = [];
    const timers = new GroupTimers((district) => due.push(district));
    timers.schedule('TN-CHN', T0 + 30_000);
    timers.schedule('TN-CHN', T0 + 10_000);
    timers.schedule('TN-MDU', T0 - 5_000);
    expect(timers.pending).toBe(2);
    vi.advanceTimersByTime(0);
    expect(due).toEqual(['TN-MDU']);
    vi.advanceTimersByTime(10_000);
    expect(due).toEqual(['TN-MDU', 'TN-CHN']);
    vi.advanceTimersByTime(60_000);
    expect(due).toEqual(['TN-MDU', 'TN-CHN']);
    expect(timers.pending).toBe(0);
  });

  it('cancels with no next time, on forgetting a group and on clearing', () => {
    const due: string[] = [];
    const timers = new GroupTimers((district) => due.push(district));
    timers.schedule('TN-CHN', T0 + 1_000);
    timers.schedule('TN-CHN', null);
    timers.schedule('TN-MDU', T0 + 1_000);
    timers.sent('TN-MDU', T0 - 60_000);
    timers.forget('TN-MDU');
    timers.schedule('TN-CBE', T0 + 1_000);
    timers.clear();
    vi.advanceTimersByTime(5_000);
    expect(due).toEqual([]);
    expect(timers.lastSentAt('TN-MDU')).toBeNull();
  });

  it('remembers when a group last sent', () => {
    const timers = new GroupTimers(() => undefined);
    expect(timers.lastSentAt('TN-CHN')).toBeNull();
    timers.sent('TN-CHN', T0);
    expect(timers.lastSentAt('TN-CHN')).toBe(T0);
  });
});
