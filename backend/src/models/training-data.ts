import { CATEGORIES, type Category, type Region } from '@district-monitor/streams';
import { MIN_TRAINING_WEEKS, type HourlyCountInput, type TrainingOptions } from '@district-monitor/models';

/**
 * The smallest history a training is started on: what the trainer needs (8 weeks of history before the
 * first weekly origin, MIN_TRAINING_WEEKS origins and the week the last one predicts: 105 days between
 * the first stored event and the training instant), and 500 events. Below that, start-up and scheduled
 * trainings are skipped (logged), and a training requested over the API is recorded as failed with the
 * reason. The trainer may still refuse its input (ModelInputError); that is recorded as failed too.
 */
export const MIN_TRAINING_DAYS = (8 + MIN_TRAINING_WEEKS + 1) * 7;
export const MIN_TRAINING_EVENTS = 500;

const DAY_MS = 86_400_000;

/** What a training would read: the first bucket holding events, and how many events in all. */
export interface TrainingDataSummary {
  readonly firstBucket: number | null;
  readonly events: number;
}

/** Why the history before `until` is too small to train on, or null when it is enough. */
export function trainingDataProblem(summary: TrainingDataSummary, until: number): string | null {
  if (summary.firstBucket === null || summary.events === 0) {
    return `no events stored before ${new Date(until).toISOString()}`;
  }
  const days = (until - summary.firstBucket) / DAY_MS;
  if (days < MIN_TRAINING_DAYS) {
    return (
      `the stored events span ${days.toFixed(1)} days before ${new Date(until).toISOString()}; ` +
      `a training needs at least ${MIN_TRAINING_DAYS}`
    );
  }
  if (summary.events < MIN_TRAINING_EVENTS) {
    return `${summary.events} events stored; a training needs at least ${MIN_TRAINING_EVENTS}`;
  }
  return null;
}

/**
 * Hourly counts packed column by column into typed arrays, so a year of them crosses to the training
 * worker as a few transferred buffers instead of millions of cloned objects.
 */
export interface PackedCounts {
  readonly length: number;
  /** District codes; `district[i]` indexes this list. Categories index `CATEGORIES`. */
  readonly districts: readonly string[];
  readonly district: Uint16Array;
  readonly category: Uint8Array;
  /** Epoch ms of each bucket's start. */
  readonly hour: Float64Array;
  readonly events: Int32Array;
  readonly killed: Int32Array;
  readonly injured: Int32Array;
}

/** What the main thread sends the training worker. */
export interface TrainRequest {
  readonly region: Region;
  readonly until: number;
  readonly seed: number;
  readonly counts: PackedCounts;
  /** Training knobs (models' TRAINING_DEFAULTS when absent); a quick first model sets fewer origins. */
  readonly options?: Partial<TrainingOptions>;
}

/** What the training worker sends back: progress, then exactly one `done` or `failed`. */
export type TrainReply =
  | { readonly type: 'progress'; readonly stage: string; readonly done: number; readonly total: number }
  /** The bundle as JSON text: stored as is, parsed once by the main thread. */
  | { readonly type: 'done'; readonly bundle: string }
  /** `input`: the trainer refused its input (ModelInputError), e.g. too little data. */
  | { readonly type: 'failed'; readonly name: string; readonly message: string; readonly input: boolean };

const CATEGORY_INDEX: ReadonlyMap<Category, number> = new Map(CATEGORIES.map((category, i) => [category, i]));

/** One row as read from `event_counts_hourly`. */
export interface CountRow {
  readonly bucket: Date;
  readonly district: string;
  readonly category: Category;
  readonly events: number;
  readonly killed: number;
  readonly injured: number;
}

/** Collects count rows (in any order, chunk by chunk) into {@link PackedCounts}. */
export class CountPacker {
  private capacity: number;
  private size = 0;
  private readonly districtIndex = new Map<string, number>();
  private district: Uint16Array;
  private category: Uint8Array;
  private hour: Float64Array;
  private events: Int32Array;
  private killed: Int32Array;
  private injured: Int32Array;
  private first: number | null = null;
  private total = 0;

  constructor(initialCapacity = 4096) {
    this.capacity = Math.max(16, initialCapacity);
    this.district = new Uint16Array(this.capacity);
    this.category = new Uint8Array(this.capacity);
    this.hour = new Float64Array(this.capacity);
    this.events = new Int32Array(this.capacity);
    this.killed = new Int32Array(this.capacity);
    this.injured = new Int32Array(this.capacity);
  }

  add(row: CountRow): void {
    const category = CATEGORY_INDEX.get(row.category);
    if (category === undefined) throw new RangeError(`unknown category "${row.category}" in the counts`);
    let district = this.districtIndex.get(row.district);
    if (district === undefined) {
      district = this.districtIndex.size;
      if (district > 0xffff) throw new RangeError('more than 65536 districts in the counts');
      this.districtIndex.set(row.district, district);
    }
    if (this.size === this.capacity) this.grow();
    const i = this.size++;
    const hour = row.bucket.getTime();
    this.district[i] = district;
    this.category[i] = category;
    this.hour[i] = hour;
    this.events[i] = row.events;
    this.killed[i] = row.killed;
    this.injured[i] = row.injured;
    this.total += row.events;
    if (this.first === null || hour < this.first) this.first = hour;
  }

  get summary(): TrainingDataSummary {
    return { firstBucket: this.first, events: this.total };
  }

  /** The packed counts, trimmed to their length (the packer must not be used afterwards). */
  finish(): PackedCounts {
    const n = this.size;
    return {
      length: n,
      districts: [...this.districtIndex.keys()],
      district: this.district.slice(0, n),
      category: this.category.slice(0, n),
      hour: this.hour.slice(0, n),
      events: this.events.slice(0, n),
      killed: this.killed.slice(0, n),
      injured: this.injured.slice(0, n),
    };
  }

  private grow(): void {
    this.capacity *= 2;
    const grown = <T extends Uint16Array | Uint8Array | Float64Array | Int32Array>(
      old: T,
      make: (n: number) => T,
    ): T => {
      const next = make(this.capacity);
      next.set(old);
      return next;
    };
    this.district = grown(this.district, (n) => new Uint16Array(n));
    this.category = grown(this.category, (n) => new Uint8Array(n));
    this.hour = grown(this.hour, (n) => new Float64Array(n));
    this.events = grown(this.events, (n) => new Int32Array(n));
    this.killed = grown(this.killed, (n) => new Int32Array(n));
    this.injured = grown(this.injured, (n) => new Int32Array(n));
  }
}

/** The buffers to transfer (not copy) with a {@link TrainRequest}. */
export function transferList(counts: PackedCounts): ArrayBuffer[] {
  return [counts.district, counts.category, counts.hour, counts.events, counts.killed, counts.injured].map(
    (array) => array.buffer as ArrayBuffer,
  );
}

/** The rows the trainer reads, rebuilt in the worker. */
export function unpackCounts(counts: PackedCounts): HourlyCountInput[] {
  const rows: HourlyCountInput[] = new Array<HourlyCountInput>(counts.length);
  for (let i = 0; i < counts.length; i++) {
    const district = counts.districts[counts.district[i] ?? -1];
    const category = CATEGORIES[counts.category[i] ?? -1];
    if (district === undefined || category === undefined) {
      throw new RangeError(`packed count ${i} names no district or category`);
    }
    rows[i] = {
      district,
      category,
      hour: counts.hour[i] ?? 0,
      events: counts.events[i] ?? 0,
      killed: counts.killed[i] ?? 0,
      injured: counts.injured[i] ?? 0,
    };
  }
  return rows;
}
