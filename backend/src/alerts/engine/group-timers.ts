/**
 * Per district group: when its last notification went out, and the one timer that looks at the group
 * again when its wait or interval ends. `due` is called with the district when the timer fires.
 */
export class GroupTimers {
  private readonly lastSent = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly due: (district: string) => void) {}

  /** The group's last notification; null for a new group. */
  lastSentAt(district: string): number | null {
    return this.lastSent.get(district) ?? null;
  }

  sent(district: string, at: number): void {
    this.lastSent.set(district, at);
  }

  /** Replaces the group's timer: none when `at` is null, else one firing at `at` (at once if past). */
  schedule(district: string, at: number | null, now = Date.now()): void {
    this.cancel(district);
    if (at === null) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(district);
        this.due(district);
      },
      Math.max(0, at - now),
    );
    timer.unref();
    this.timers.set(district, timer);
  }

  /** A district given up: its timer and last-sent time go. */
  forget(district: string): void {
    this.cancel(district);
    this.lastSent.delete(district);
  }

  /** Stops every timer (shutdown). */
  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  get pending(): number {
    return this.timers.size;
  }

  private cancel(district: string): void {
    clearTimeout(this.timers.get(district));
    this.timers.delete(district);
  }
}
