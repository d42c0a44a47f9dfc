/**
 * The alert engine's one line of work: batches, scores, ticks, ownership changes and operator actions
 * run one at a time, in arrival order, so the engine's state never sees two of them at once. A failed
 * piece of background work is counted and reported (`onError`); the line goes on.
 */
export class WorkQueue {
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Keys of merged work still waiting to run, by the work's name. */
  private readonly waiting = new Map<string, Set<string>>();
  /** Failures of queued background work (reported by health). */
  failures = 0;

  constructor(private readonly onError: (what: string, error: unknown) => void) {}

  /** Queues background work; it is skipped once the queue stopped. */
  enqueue(what: string, work: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (this.stopped) return;
      try {
        await work();
      } catch (error) {
        this.failures++;
        this.onError(what, error);
      }
    });
  }

  /**
   * Queues background work over some keys (districts); keys queued under the same name while it waits
   * join it, so many batches make one evaluation. Nothing is queued for no keys.
   */
  enqueueMerged(what: string, keys: Iterable<string>, work: (keys: string[]) => Promise<void>): void {
    const waiting = this.waiting.get(what);
    if (waiting !== undefined) {
      for (const key of keys) waiting.add(key);
      return;
    }
    const merged = new Set(keys);
    if (merged.size === 0) return;
    this.waiting.set(what, merged);
    this.enqueue(what, () => {
      this.waiting.delete(what);
      return work([...merged]);
    });
  }

  /** Queues work whose result (or error) the caller awaits (operator actions). */
  enqueueResult<T>(work: () => Promise<T>): Promise<T> {
    const result = this.chain.then(work);
    this.chain = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Takes no more background work. */
  stop(): void {
    this.stopped = true;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Resolves once the work queued so far is done. */
  settled(): Promise<void> {
    return this.chain;
  }
}

/** An error as a log line: its stack when it has one. */
export const errorText = (error: unknown): string =>
  error instanceof Error ? (error.stack ?? error.message) : String(error);
