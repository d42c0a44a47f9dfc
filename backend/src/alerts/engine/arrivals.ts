/** Last arrivals older than this are not looked up at start; a silent district counts from the start. */
export const ARRIVALS_LOOKBACK_MS = 7 * 86_400_000;

/** When each district and each producer last sent an event (the no-data rules). */
export class Arrivals {
  private readonly districts = new Map<string, number>();
  private readonly producers = new Map<string, number>();
  private startedAt = 0;

  /** The arrivals stored before the start (since `ARRIVALS_LOOKBACK_MS` before it). */
  load(
    startedAt: number,
    stored: {
      readonly districts: ReadonlyMap<string, number>;
      readonly producers: ReadonlyMap<string, number>;
    },
  ): void {
    this.startedAt = startedAt;
    for (const [key, at] of stored.districts) this.districts.set(key, at);
    for (const [key, at] of stored.producers) this.producers.set(key, at);
  }

  /** Events received now (repeats included: a producer that repeats itself is alive). */
  received(events: Iterable<{ readonly district: string; readonly source?: string }>, now: number): void {
    for (const event of events) {
      this.districts.set(event.district, now);
      if (event.source !== undefined) this.producers.set(event.source, now);
    }
  }

  /** The district's last arrival, or the start when none is known. */
  lastSeen(district: string): number {
    return this.districts.get(district) ?? this.startedAt;
  }

  /** Since when a producer's silence counts at the most (what the start could look back to). */
  get watchedSince(): number {
    return this.startedAt - ARRIVALS_LOOKBACK_MS;
  }

  /** Every known producer with its last arrival. */
  producerArrivals(): [string, number][] {
    return [...this.producers];
  }
}
