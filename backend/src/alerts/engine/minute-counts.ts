import { CATEGORIES, type Category } from '@district-monitor/streams';

const MINUTE = 60_000;
const CATEGORY_INDEX = new Map<Category, number>(CATEGORIES.map((c, i) => [c, i]));

/**
 * Per district and category, events per minute of occurrence over a sliding span (a ring of minutes),
 * kept current from the store's signed count changes. The alert rules read windows from it (category
 * counts, the spike detector's steps); the hourly cubes of the features are too coarse for minutes.
 */
export class MinuteCounts {
  private readonly rings = new Map<string, Int32Array>();
  /** The minute index (epoch minutes) of the ring's newest slot. */
  private endMinute: number;
  /** Start (epoch ms) of the earliest minute ever counted; undefined before the first count. */
  firstMinute: number | undefined;

  constructor(
    private readonly districts: readonly string[],
    readonly spanMinutes: number,
    now: number,
  ) {
    this.endMinute = Math.floor(now / MINUTE);
    for (const code of districts) this.rings.set(code, new Int32Array(spanMinutes * CATEGORIES.length));
  }

  /** Adds a signed count; false when the minute is older than the span (a later minute moves the span forward to it). */
  add(district: string, category: Category, at: number, events: number): boolean {
    const ring = this.rings.get(district);
    const c = CATEGORY_INDEX.get(category);
    const minute = Math.floor(at / MINUTE);
    if (ring === undefined || c === undefined) return false;
    if (minute > this.endMinute) this.advance(minute * MINUTE);
    if (minute <= this.endMinute - this.spanMinutes) return false;
    if (events > 0 && (this.firstMinute === undefined || minute * MINUTE < this.firstMinute)) {
      this.firstMinute = minute * MINUTE;
    }
    const slot = (minute % this.spanMinutes) * CATEGORIES.length + c;
    ring[slot] = (ring[slot] ?? 0) + events;
    return true;
  }

  /** Moves the span forward to `now`'s minute, clearing the minutes it drops. */
  advance(now: number): void {
    const minute = Math.floor(now / MINUTE);
    if (minute <= this.endMinute) return;
    const steps = Math.min(minute - this.endMinute, this.spanMinutes);
    for (const ring of this.rings.values()) {
      for (let m = minute - steps + 1; m <= minute; m++) {
        const from = (m % this.spanMinutes) * CATEGORIES.length;
        ring.fill(0, from, from + CATEGORIES.length);
      }
    }
    this.endMinute = minute;
  }

  /**
   * Events in [from, to) (epoch ms, whole minutes), of one category or of the incident categories
   * (`category` null); minutes outside the span count 0.
   */
  sum(district: string, category: Category | null, from: number, to: number): number {
    const ring = this.rings.get(district);
    if (ring === undefined) return 0;
    const first = Math.max(Math.ceil(from / MINUTE), this.endMinute - this.spanMinutes + 1);
    const last = Math.min(Math.ceil(to / MINUTE) - 1, this.endMinute);
    const c = category === null ? null : CATEGORY_INDEX.get(category);
    const accident = CATEGORY_INDEX.get('road_accident');
    let total = 0;
    for (let m = first; m <= last; m++) {
      const base = (m % this.spanMinutes) * CATEGORIES.length;
      if (c !== null && c !== undefined) {
        total += ring[base + c] ?? 0;
      } else {
        for (let k = 0; k < CATEGORIES.length; k++) if (k !== accident) total += ring[base + k] ?? 0;
      }
    }
    return total;
  }

  get districtCodes(): readonly string[] {
    return this.districts;
  }
}
