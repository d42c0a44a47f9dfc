import { describe, expect, it } from 'vitest';
import { createThrottle, type Clock } from './throttle';

function fakeClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  let id = 0;
  return {
    now: () => now,
    setTimeout(callback, ms) {
      id += 1;
      timers.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      now += ms;
      for (const [key, timer] of [...timers]) {
        if (timer.at <= now) {
          timers.delete(key);
          timer.callback();
        }
      }
    },
  };
}

describe('createThrottle', () => {
  it('runs at once, then at most every minMs, merging requests made in the gap', () => {
    const clock = fakeClock();
    let runs = 0;
    const throttle = createThrottle(() => (runs += 1), 10_000, clock);
    throttle.request();
    expect(runs).toBe(1);
    clock.advance(2_000);
    throttle.request();
    throttle.request();
    expect(runs).toBe(1);
    clock.advance(7_999);
    expect(runs).toBe(1);
    clock.advance(1);
    expect(runs).toBe(2);
    clock.advance(10_000);
    expect(runs).toBe(2);
    throttle.request();
    expect(runs).toBe(3);
  });

  it('forgets a pending run when cancelled', () => {
    const clock = fakeClock();
    let runs = 0;
    const throttle = createThrottle(() => (runs += 1), 10_000, clock);
    throttle.request();
    throttle.request();
    throttle.cancel();
    clock.advance(20_000);
    expect(runs).toBe(1);
  });

  it('runs at once again after a reset', () => {
    const clock = fakeClock();
    let runs = 0;
    const throttle = createThrottle(() => (runs += 1), 10_000, clock);
    throttle.request();
    clock.advance(1_000);
    throttle.request();
    throttle.reset();
    throttle.request();
    expect(runs).toBe(2);
    clock.advance(20_000);
    expect(runs).toBe(2);
  });
});
