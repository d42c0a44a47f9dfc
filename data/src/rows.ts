import type { Category } from '@district-monitor/streams';
import type { CoverageReport } from './coverage.js';

/** What a count counts. */
export type Measure =
  /** Cases registered by the police (NCRB). */
  | 'cases'
  /** Road accidents, fatal or not. */
  | 'accidents'
  /** Road accidents with at least one death. */
  | 'fatal_accidents'
  /** People killed. */
  | 'killed'
  | 'grievously_injured'
  | 'minor_injured';

/**
 * One count from a tabular source, normalised: a period, where, what, how many.
 * `district` is a registry district code, or null when the count belongs to no single district
 * (a state-level table, or a statewide police unit such as the railway police).
 */
export interface CountRow {
  readonly year: number;
  /** 1-12, for monthly sources. */
  readonly month?: number;
  readonly district: string | null;
  /** Registry code of the reporting police unit, when the source row is a police unit's. */
  readonly unit?: string;
  readonly category: Category;
  readonly measure: Measure;
  /** The source column (NCRB head, time slot, cause) the count was read from. */
  readonly head: string;
  readonly count: number;
}

/** A loaded source file: its rows and what the loader could not use. */
export interface LoadResult<Row> {
  readonly rows: readonly Row[];
  readonly coverage: CoverageReport;
}

/** A loaded table whose state-total rows are returned apart from the unit rows. */
export interface CountLoad extends LoadResult<CountRow> {
  /** The source's own state-total rows (district null), for checking sums; empty when it has none. */
  readonly totals: readonly CountRow[];
}
