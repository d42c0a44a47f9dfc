import { CATEGORIES, type Category } from '@district-monitor/streams';
import { FeatureInputError } from './errors.js';

/** What is counted per hour bucket: events of a category, or the casualties of road accidents. */
export type Measure = 'events' | 'killed' | 'injured';

/**
 * Hourly counts of one district, bucketed by an `HourClock`. All district features are computed
 * through this interface only, so any two implementations holding the same events give the same features.
 */
export interface HourlyCounts {
  /**
   * The total of `measure` for `category` over buckets `[fromHour, toHour)`; 0 when the range is empty.
   * `killed` and `injured` exist only for `road_accident` and are 0 for every other category.
   */
  sum(category: Category, measure: Measure, fromHour: number, toHour: number): number;
  /**
   * The latest bucket `<= atOrBefore` and `>= notBefore` holding at least one event of any category, or
   * `null` when there is none.
   */
  lastEventHour(atOrBefore: number, notBefore: number): number | null;
}

/**
 * Hours a cube keeps by default: 740 days. The year-to-date comparison reaches back to local 1 January
 * of the previous year, at most 731 days before the current hour (all of last year and up to 365 days of
 * this one); the current hour and a few days of margin for late events make up the rest.
 */
export const CUBE_HOURS = 24 * 740;

export interface HourlyCubeOptions {
  /** Hour buckets kept; default {@link CUBE_HOURS}. */
  readonly capacityHours?: number;
  /** The first bucket after the covered span; the cube covers `[endHour - capacityHours, endHour)`. */
  readonly endHour: number;
}

const INT32_MAX = 2 ** 31 - 1;
const CATEGORY_INDEX: ReadonlyMap<Category, number> = new Map(CATEGORIES.map((category, i) => [category, i]));
const ROAD_ACCIDENT_INDEX = categoryIndex('road_accident');
/** Series kept per slot: events of each category, then road accident killed and injured. */
const KILLED_SERIES = CATEGORIES.length;
const INJURED_SERIES = KILLED_SERIES + 1;
const SERIES = INJURED_SERIES + 1;
/** Slots per block total: a year's sum reads 365 block totals and at most 46 slots instead of 8,760 slots. */
const BLOCK_HOURS = 24;

/**
 * The hourly counts of one district over a sliding span of hours, kept in ring buffers: events per
 * category, and killed and injured for road accidents, each with running totals per block of 24 slots
 * so that long sums stay cheap. The backend applies database deltas with {@link HourlyCube.add} (an
 * amendment is -1 at the old bucket and category, +1 at the new) and slides the span with
 * {@link HourlyCube.advanceTo} as hours pass.
 */
export class HourlyCube implements HourlyCounts {
  readonly capacityHours: number;
  private end: number;
  private readonly blockCount: number;
  /** `slots[series * capacityHours + slot]`, the slot of hour `h` being `h mod capacityHours`. */
  private readonly slots: Int32Array;
  /** `blocks[series * blockCount + b]`: the total of slots `[24b, 24b + 24)` (the last block may be shorter). */
  private readonly blocks: Float64Array;

  constructor(options: HourlyCubeOptions) {
    const capacityHours = options.capacityHours ?? CUBE_HOURS;
    if (!Number.isSafeInteger(capacityHours) || capacityHours < 1 || capacityHours > 1_000_000) {
      throw new FeatureInputError(`capacityHours must be an integer in 1..1000000, got ${capacityHours}`);
    }
    assertInteger('endHour', options.endHour);
    this.capacityHours = capacityHours;
    this.end = options.endHour;
    this.blockCount = Math.ceil(capacityHours / BLOCK_HOURS);
    this.slots = new Int32Array(SERIES * capacityHours);
    this.blocks = new Float64Array(SERIES * this.blockCount);
  }

  /** The first covered bucket. */
  get startHour(): number {
    return this.end - this.capacityHours;
  }

  /** The first bucket after the covered span. */
  get endHour(): number {
    return this.end;
  }

  covers(hour: number): boolean {
    return hour >= this.end - this.capacityHours && hour < this.end;
  }

  /**
   * Adds deltas (negative to remove) to one bucket. Returns `false` and changes nothing when the bucket
   * is outside the covered span.
   * @throws FeatureInputError when a count would become negative (a delta bug), a value is not an
   * integer, or casualties are given for a category other than `road_accident`.
   */
  add(category: Category, hour: number, events: number, killed: number, injured: number): boolean {
    const index = categoryIndex(category);
    assertInteger('hour', hour);
    assertInteger('events', events);
    assertInteger('killed', killed);
    assertInteger('injured', injured);
    if (index !== ROAD_ACCIDENT_INDEX && (killed !== 0 || injured !== 0)) {
      throw new FeatureInputError(`only road_accident has casualties; got killed/injured for ${category}`);
    }
    if (!this.covers(hour)) return false;
    const slot = this.slotOf(hour);
    // Check all three before writing any, so a refused delta changes nothing.
    const nextEvents = checkedCount(this.read(index, slot), events, category, 'events', hour);
    const nextKilled = checkedCount(this.read(KILLED_SERIES, slot), killed, category, 'killed', hour);
    const nextInjured = checkedCount(this.read(INJURED_SERIES, slot), injured, category, 'injured', hour);
    this.write(index, slot, nextEvents);
    this.write(KILLED_SERIES, slot, nextKilled);
    this.write(INJURED_SERIES, slot, nextInjured);
    return true;
  }

  /** Slides the span forward so that it ends at `endHour`; buckets entering the span start at zero. */
  advanceTo(endHour: number): void {
    assertInteger('endHour', endHour);
    if (endHour < this.end) {
      throw new FeatureInputError(`a cube only moves forward: end ${this.end}, asked ${endHour}`);
    }
    if (endHour - this.end >= this.capacityHours) {
      this.slots.fill(0);
      this.blocks.fill(0);
    } else {
      for (let hour = this.end; hour < endHour; hour++) {
        const slot = this.slotOf(hour);
        for (let series = 0; series < SERIES; series++) this.write(series, slot, 0);
      }
    }
    this.end = endHour;
  }

  /** @throws FeatureInputError when a non-empty range reaches outside the covered span. */
  sum(category: Category, measure: Measure, fromHour: number, toHour: number): number {
    const index = categoryIndex(category);
    assertInteger('fromHour', fromHour);
    assertInteger('toHour', toHour);
    if (fromHour > toHour) throw new FeatureInputError(`hour range reversed: [${fromHour}, ${toHour})`);
    if (fromHour === toHour) return 0;
    this.assertCovered(fromHour, toHour);
    let series: number;
    switch (measure) {
      case 'events':
        series = index;
        break;
      case 'killed':
      case 'injured':
        if (index !== ROAD_ACCIDENT_INDEX) return 0;
        series = measure === 'killed' ? KILLED_SERIES : INJURED_SERIES;
        break;
    }
    const first = this.slotOf(fromHour);
    const length = toHour - fromHour;
    const untilWrap = Math.min(length, this.capacityHours - first);
    return this.sumSlots(series, first, first + untilWrap) + this.sumSlots(series, 0, length - untilWrap);
  }

  /** @throws FeatureInputError when a non-empty search reaches outside the covered span. */
  lastEventHour(atOrBefore: number, notBefore: number): number | null {
    assertInteger('atOrBefore', atOrBefore);
    assertInteger('notBefore', notBefore);
    if (notBefore > atOrBefore) return null;
    this.assertCovered(notBefore, atOrBefore + 1);
    const top = this.slotOf(atOrBefore);
    const length = atOrBefore - notBefore + 1;
    const untilWrap = Math.min(length, top + 1);
    const found = this.lastEventSlot(top + 1 - untilWrap, top + 1);
    if (found !== null) return atOrBefore - (top - found);
    if (untilWrap === length) return null;
    // The rest of the range sits at the end of the ring.
    const wrapped = this.lastEventSlot(this.capacityHours - (length - untilWrap), this.capacityHours);
    return wrapped === null ? null : atOrBefore - untilWrap - (this.capacityHours - 1 - wrapped);
  }

  private slotOf(hour: number): number {
    const slot = hour % this.capacityHours;
    return slot < 0 ? slot + this.capacityHours : slot;
  }

  private read(series: number, slot: number): number {
    return this.slots[series * this.capacityHours + slot] ?? 0;
  }

  private write(series: number, slot: number, value: number): void {
    const at = series * this.capacityHours + slot;
    const block = series * this.blockCount + Math.floor(slot / BLOCK_HOURS);
    this.blocks[block] = (this.blocks[block] ?? 0) + value - (this.slots[at] ?? 0);
    this.slots[at] = value;
  }

  /** The total of slots `[from, to)` of one series, `0 <= from <= to <= capacityHours`. */
  private sumSlots(series: number, from: number, to: number): number {
    const base = series * this.capacityHours;
    const blockBase = series * this.blockCount;
    let total = 0;
    let slot = from;
    for (const stop = Math.min(to, Math.ceil(from / BLOCK_HOURS) * BLOCK_HOURS); slot < stop; slot++) {
      total += this.slots[base + slot] ?? 0;
    }
    for (; slot + BLOCK_HOURS <= to; slot += BLOCK_HOURS)
      total += this.blocks[blockBase + slot / BLOCK_HOURS] ?? 0;
    for (; slot < to; slot++) total += this.slots[base + slot] ?? 0;
    return total;
  }

  /** The highest slot in `[from, to)` holding an event of any category, skipping empty whole blocks. */
  private lastEventSlot(from: number, to: number): number | null {
    let slot = to - 1;
    while (slot >= from) {
      const blockStart = slot - BLOCK_HOURS + 1;
      const topOfBlock = slot % BLOCK_HOURS === BLOCK_HOURS - 1;
      if (topOfBlock && blockStart >= from && this.blockIsEmpty(Math.floor(slot / BLOCK_HOURS))) {
        slot = blockStart - 1;
        continue;
      }
      for (let c = 0; c < CATEGORIES.length; c++) {
        if (this.read(c, slot) !== 0) return slot;
      }
      slot--;
    }
    return null;
  }

  private blockIsEmpty(block: number): boolean {
    for (let c = 0; c < CATEGORIES.length; c++) {
      if ((this.blocks[c * this.blockCount + block] ?? 0) !== 0) return false;
    }
    return true;
  }

  /** Reading outside the span is a programming error: the caller sized the cube too small. */
  private assertCovered(from: number, to: number): void {
    if (from < this.end - this.capacityHours || to > this.end) {
      throw new FeatureInputError(
        `hours [${from}, ${to}) reach outside the cube's span [${this.end - this.capacityHours}, ${this.end})`,
      );
    }
  }
}

function categoryIndex(category: Category): number {
  const index = CATEGORY_INDEX.get(category);
  if (index === undefined) throw new FeatureInputError(`unknown category ${JSON.stringify(category)}`);
  return index;
}

function assertInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value)) throw new FeatureInputError(`${name} must be an integer, got ${value}`);
}

function checkedCount(
  current: number | undefined,
  delta: number,
  category: Category,
  measure: Measure,
  hour: number,
): number {
  const next = (current ?? 0) + delta;
  if (next < 0) {
    throw new FeatureInputError(
      `${category} ${measure} at hour ${hour} would become ${next}: a delta removes more than was added`,
    );
  }
  if (next > INT32_MAX) throw new FeatureInputError(`${category} ${measure} at hour ${hour} overflows`);
  return next;
}
