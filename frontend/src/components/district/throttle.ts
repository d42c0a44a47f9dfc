/**
 * "At most every `minMs`": a request inside the gap is deferred to its end (and merged with any other
 * request made meanwhile); never dropped. Pure (timers injected), so it is specced in node.
 */
export interface Throttle {
  /** Runs `task` now, or once at the end of the current gap. */
  request(): void;
  /** Forgets the pending run (on unmount). */
  cancel(): void;
  /** Forgets the pending run and the last one: the next request runs at once (a new subject). */
  reset(): void;
}

export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

export function createThrottle(task: () => void, minMs: number, clock: Clock = realClock): Throttle {
  let last = Number.NEGATIVE_INFINITY;
  let pending: unknown;
  function run(): void {
    pending = undefined;
    last = clock.now();
    task();
  }
  function cancel(): void {
    if (pending !== undefined) clock.clearTimeout(pending);
    pending = undefined;
  }
  return {
    request(): void {
      if (pending !== undefined) return;
      const wait = last + minMs - clock.now();
      if (wait <= 0) run();
      else pending = clock.setTimeout(run, wait);
    },
    cancel,
    reset(): void {
      cancel();
      last = Number.NEGATIVE_INFINITY;
    },
  };
}
