import type { Alert } from './alerts.js';
import type { Category, Severity } from './categories.js';

/**
 * The wire shapes of the board's REST reads beyond the live socket: the map, black spots, a
 * district's recent events, time travel and the analysis views. The backend builds them; the board
 * only draws them.
 */

// ---------------------------------------------------------------------------------------------------
// Map

/** A point as GeoJSON orders it: longitude, latitude (WGS84). */
export type LonLat = readonly [number, number];

/**
 * One district's outline: one or more polygons, each a list of rings (the first is the outer one, the
 * others holes). Rings are closed as in GeoJSON (the last point repeats the first), outer rings
 * counter-clockwise and holes clockwise (RFC 7946), coordinates rounded to 4 decimals (about 11 m).
 */
export interface DistrictShape {
  readonly code: string;
  /** As the registry spells it. */
  readonly name: string;
  /** Headquarters. */
  readonly hq: LonLat;
  readonly polygons: readonly (readonly (readonly LonLat[])[])[];
  /**
   * True when the outline is not a surveyed boundary: a schematic cell, or a district formed after the
   * GeoJSON's census year whose share of its parent's polygon is approximated from the headquarters.
   */
  readonly approximate: boolean;
}

/** `GET /api/region/map`. */
export interface RegionMap {
  readonly region: string;
  /** `geojson`: surveyed polygons from the configured file; `schematic`: cells around each headquarters. */
  readonly source: 'geojson' | 'schematic';
  /** Where the outlines come from, said plainly (file name and licence, or how the schematic is drawn). */
  readonly attribution: string;
  /** [west, south, east, north] over every outline and headquarters drawn. */
  readonly bbox: readonly [number, number, number, number];
  readonly districts: readonly DistrictShape[];
}

// ---------------------------------------------------------------------------------------------------
// Black spots

/** A place where located road accidents cluster. */
export interface BlackSpot {
  readonly district: string;
  /** Centre of the accidents in the spot. */
  readonly lat: number;
  readonly lon: number;
  readonly accidents: number;
  readonly killed: number;
  readonly injured: number;
  /** ISO instants of the first and last accident in the spot. */
  readonly first: string;
  readonly last: string;
}

/**
 * `GET /api/black-spots?from&to` (default: the 24 hours before now): located accidents that occurred in
 * [from, to), clustered per district, largest spot first.
 */
export interface BlackSpotsResponse {
  readonly from: string;
  readonly to: string;
  /** A spot is at least `minAccidents` accidents within `radiusKm` of its centre. */
  readonly minAccidents: number;
  readonly radiusKm: number;
  readonly spots: readonly BlackSpot[];
  /**
   * Set when the window held more located accidents than one clustering reads: only the newest were
   * clustered, and this is the oldest of them (ISO). Null when every accident of the window was read.
   */
  readonly truncatedBefore: string | null;
}

// ---------------------------------------------------------------------------------------------------
// Recent events

/** One stored event as a district's list of recent events shows it. */
export interface RecentEvent {
  readonly eventId: string;
  readonly kind: 'incident' | 'accident';
  readonly category: Category;
  readonly severity: Severity;
  readonly district: string;
  readonly unit: string | null;
  /**
   * When it happened: the exact instant, or the middle of its window when the producer only knew a
   * window (`occurredWindow`; the store keeps `start + (end - start) / 2`).
   */
  readonly occurredAt: string;
  readonly reportedAt: string;
  readonly lat: number | null;
  readonly lon: number | null;
  /** Accidents only; null for incidents. */
  readonly killed: number | null;
  readonly injured: number | null;
  readonly source: string | null;
}

/** `GET /api/districts/:code/events?limit` (1-200, default 50): newest first by occurrence, corrected events left out. */
export interface RecentEventsResponse {
  readonly district: string;
  readonly events: readonly RecentEvent[];
  /** The district's road accidents (corrections applied) that occurred in [since, now), per severity. */
  readonly accidentSeverity: {
    readonly since: string;
    readonly counts: Readonly<Record<Severity, number>>;
  };
}

// ---------------------------------------------------------------------------------------------------
// Time travel

/** A district as it stood at the end of a past window. */
export interface HistoricDistrict {
  readonly code: string;
  /** Events that occurred within the window. */
  readonly count: number;
  readonly byCategory: Readonly<Partial<Record<Category, number>>>;
  /** The last stored model score at or before the window's end; null when none was stored yet. */
  readonly elevated: number | null;
  readonly expectedCount: number | null;
  /** Alerts of the district that were open (pending, firing or acknowledged) at any time in the window. */
  readonly openAlerts: number;
}

/** `GET /api/board/history?from&to`: the board as it was over a past window, from the stored data. */
export interface BoardHistory {
  readonly from: string;
  readonly to: string;
  /** Bucket width of `series`, in minutes (chosen from the window's length). */
  readonly bucketMinutes: number;
  /** Events that occurred per bucket, oldest first, every bucket present. */
  readonly series: readonly { readonly start: string; readonly count: number }[];
  readonly districts: readonly HistoricDistrict[];
  /** Alerts open at any time in the window, as they are now (with their later states). */
  readonly alerts: readonly Alert[];
  readonly blackSpots: readonly BlackSpot[];
  /** As `BlackSpotsResponse.truncatedBefore`, for the window's black spots. */
  readonly blackSpotsTruncatedBefore: string | null;
  readonly total: number;
}

// ---------------------------------------------------------------------------------------------------
// Analysis

/** One variable of the correlation matrix: a crime category rate, accidents, or a census indicator. */
export interface CorrelationVariable {
  readonly key: string;
  readonly label: string;
  readonly group: 'crime' | 'accident' | 'socioeconomic';
}

/** `GET /api/analysis/correlations`: Pearson correlations across districts. */
export interface CorrelationMatrix {
  /**
   * `live`: the stored events (simulated on the default install); `history`: the real yearly district
   * history (NCRB tables and census 2011), `?source=history`.
   */
  readonly source: 'live' | 'history';
  /** What the rates are computed over, e.g. the last 365 days of stored events. */
  readonly basis: string;
  /** Districts with every variable known (the others are left out). */
  readonly districts: number;
  readonly variables: readonly CorrelationVariable[];
  /** `values[i][j]`: r of variables i and j; null when either is constant. */
  readonly values: readonly (readonly (number | null)[])[];
}

/** One k-means profile: its districts and its mean features. */
export interface ClusterProfile {
  readonly label: number;
  readonly districts: readonly string[];
  /** Mean 28-day rate per 100,000 people of each category over the profile's districts. */
  readonly ratePer100k: Readonly<Record<Category, number>>;
  /** Mean P(elevated week) of the profile's districts. */
  readonly elevated: number;
}

/** `GET /api/analysis/clusters`: the active model's profiles. */
export interface ClusterProfilesResponse {
  readonly modelVersion: string | null;
  /** Why there are no profiles (no model trained yet); null otherwise. */
  readonly reason: string | null;
  readonly profiles: readonly ClusterProfile[];
}
