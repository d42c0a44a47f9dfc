import type { Category } from './categories.js';

/**
 * The rolling features of a district as the backend serves them (`GET /api/districts/:code/features`
 * and the `features` Socket.IO event). Computed by `computeDistrictFeatures` in models/; the 128 vector
 * entries are defined in models/src/features/catalog.ts.
 */

/** Count windows: the current hour so far and the N-1 whole hours before it. */
export type CountWindow = '1h' | '24h' | '7d' | '28d' | '365d';
export type RateWindow = '24h' | '28d' | '365d';

/** A count now against the same count in an earlier span. */
export interface CompstatComparison {
  readonly current: number;
  readonly previous: number;
  /** `(current - previous) / previous * 100`; `null` when `previous` is 0. */
  readonly changePct: number | null;
}

/** An observed count against what the last 8 weeks lead one to expect. */
export interface BaselineComparison {
  readonly observed: number;
  readonly expected: number;
  /** P(X >= observed) for X ~ Poisson(expected). */
  readonly tailProbability: number;
}

/** The readable features of one category, or of all incidents together. */
export interface CategoryFeatures {
  readonly counts: Readonly<Record<CountWindow, number>>;
  /** Counts per 100,000 people; `null` when the population is unknown. */
  readonly ratePer100k: Readonly<Record<RateWindow, number>> | null;
  readonly compstat: {
    /** Last 7 days against the 7 before. */
    readonly weekOverWeek: CompstatComparison;
    /** Last 28 days against the 28 before. */
    readonly days28: CompstatComparison;
    /** This local year so far against as many hours from local 1 January of last year (at most all of it). */
    readonly yearToDate: CompstatComparison;
  };
  readonly baseline: {
    /** The current hour so far against the same hour of the week in the last 8 weeks. */
    readonly hourOfWeek: BaselineComparison;
    /** The last 24 hours against the same 24 hours in the last 8 weeks. */
    readonly day: BaselineComparison;
  };
}

/** People killed and injured in road accidents. */
export interface AccidentFeatures {
  readonly killed: Readonly<Record<RateWindow, number>>;
  readonly injured: Readonly<Record<RateWindow, number>>;
  /** Casualties per road accident; 0 when there was no accident in the window. */
  readonly perAccident: Readonly<
    Record<'28d' | '365d', { readonly killed: number; readonly injured: number }>
  >;
}

/** The features of one district at one instant; plain data, safe to `JSON.stringify`. */
export interface DistrictFeatures {
  /** The district's code. */
  readonly district: string;
  /** `asOf` as an ISO string. */
  readonly asOf: string;
  /** The current bucket `h`: its index and its span as ISO strings (end exclusive). */
  readonly hour: { readonly index: number; readonly start: string; readonly end: string };
  readonly population: number | null;
  readonly categories: Readonly<Record<Category, CategoryFeatures>>;
  /** The seven incident categories together (every category but `road_accident`). */
  readonly incidents: CategoryFeatures;
  readonly accidents: AccidentFeatures;
  /** The 128 crime-statistics features, in `CRIME_FEATURE_NAMES` order, all finite. */
  readonly vector: number[];
}

/** Pushed as `features`: the recomputed features of the districts that changed. */
export interface FeaturesUpdate {
  readonly at: string;
  readonly districts: readonly DistrictFeatures[];
}
