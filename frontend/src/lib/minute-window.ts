export const MINUTE_MS = 60_000;

/** Start of the minute holding `epochMs`. */
export function minuteOf(epochMs: number): number {
  return Math.floor(epochMs / MINUTE_MS) * MINUTE_MS;
}

export interface MinutePoint {
  /** Start of the minute, epoch ms (UTC). */
  readonly minute: number;
  readonly count: number;
}

/**
 * A fixed number of per-minute counters ending at the current minute: the newest one is still
 * filling, older minutes fall off the front as time passes. Plain (non-reactive) on purpose: it is
 * written on every batch and read once a second.
 */
export class MinuteWindow {
  private readonly counts: number[];
  /** Start of the newest minute, epoch ms. */
  private end: number;

  constructor(
    readonly size: number,
    now: number,
  ) {
    this.counts = Array.from({ length: size }, () => 0);
    this.end = minuteOf(now);
  }

  /** Replaces every counter from a snapshot; `now` is the server's time of the snapshot. */
  reset(points: readonly { readonly minute: string; readonly count: number }[], now: number): void {
    this.counts.fill(0);
    const newest = Math.max(now, ...points.map((point) => Date.parse(point.minute)).filter(Number.isFinite));
    this.end = minuteOf(newest);
    for (const point of points) this.place(Date.parse(point.minute), point.count);
  }

  /** Rolls the window forward so that it ends at `now`'s minute; returns whether it moved. */
  advance(now: number): boolean {
    const target = minuteOf(now);
    const steps = (target - this.end) / MINUTE_MS;
    if (!(steps > 0)) return false;
    const shift = Math.min(steps, this.size);
    this.counts.splice(0, shift);
    for (let i = 0; i < shift; i++) this.counts.push(0);
    this.end = target;
    return true;
  }

  /** Adds `count` to the minute holding `at`: a newer minute moves the window, an older one is dropped. */
  add(at: number, count: number): void {
    if (!Number.isFinite(at)) return;
    this.advance(at);
    this.place(at, count);
  }

  points(): MinutePoint[] {
    const first = this.end - (this.size - 1) * MINUTE_MS;
    return this.counts.map((count, i) => ({ minute: first + i * MINUTE_MS, count }));
  }

  private place(at: number, count: number): void {
    const index = this.size - 1 - (this.end - minuteOf(at)) / MINUTE_MS;
    if (index >= 0 && index < this.size && Number.isInteger(index)) {
      this.counts[index] = (this.counts[index] ?? 0) + count;
    }
  }
}
