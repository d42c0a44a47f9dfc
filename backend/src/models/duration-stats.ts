/** Timing of a repeated step, for the health endpoint: count, last, mean, max, and p99 of recent runs. */
export interface DurationSummary {
  readonly count: number;
  readonly lastMs: number | null;
  readonly meanMs: number | null;
  /** Over the last {@link DurationStats.window} runs. */
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
}

/** Keeps the last `window` durations in a ring, so a p99 costs one sort of at most `window` numbers. */
export class DurationStats {
  private readonly recent: Float64Array;
  private count = 0;
  private total = 0;
  private max = 0;
  private last = 0;

  constructor(readonly window = 1000) {
    this.recent = new Float64Array(window);
  }

  add(ms: number): void {
    this.recent[this.count % this.window] = ms;
    this.count++;
    this.total += ms;
    this.last = ms;
    if (ms > this.max) this.max = ms;
  }

  summary(): DurationSummary {
    if (this.count === 0) return { count: 0, lastMs: null, meanMs: null, p99Ms: null, maxMs: null };
    const kept = this.recent.slice(0, Math.min(this.count, this.window)).sort();
    const p99 = kept[Math.min(kept.length - 1, Math.ceil(kept.length * 0.99) - 1)] ?? 0;
    const round = (ms: number) => Math.round(ms * 1000) / 1000;
    return {
      count: this.count,
      lastMs: round(this.last),
      meanMs: round(this.total / this.count),
      p99Ms: round(p99),
      maxMs: round(this.max),
    };
  }
}
