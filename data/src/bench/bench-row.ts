/** One figure of a model benchmark, beside what it is compared with in the same run. */
export interface BenchRow {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The figure it is compared with (the reference path, the other engine, or a goal). */
  readonly baseline?: number;
  readonly note?: string;
}
