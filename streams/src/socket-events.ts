import type { AlertNotification, AlertRoomRequest, AlertsUpdate } from './alerts.js';
import type { Category } from './categories.js';
import type { FeaturesUpdate } from './features.js';
import type { ScoresUpdate } from './scores.js';
import type { SimulationStatus } from './simulation.js';

/** Where a batch of events came from. */
export type TransportKind = 'kafka' | 'in-process';

/** What one ingested batch changed; pushed to every board after the batch is committed. */
/** The window of the board's per-district counts: events that occurred in the last this many hours. */
export const BOARD_WINDOW_HOURS = 24;

export interface BatchSummary {
  /** ISO instant the batch was committed. */
  readonly at: string;
  readonly transport: TransportKind;
  /** Events stored for the first time. */
  readonly stored: number;
  /** Events already stored (re-delivery, producer retry); not counted again. */
  readonly duplicates: number;
  /** Events rejected and dead-lettered with their reason. */
  readonly deadLettered: number;
  /**
   * Net change of the counted events per district code among the events that occurred in the board's
   * window (the last `BOARD_WINDOW_HOURS` when the batch committed): +1 per new event, and an amendment
   * moves a count (-1 where the corrected event was, +1 where the correction puts it). An old event
   * (a backfill, a replay, a late report) changes the total, not the window's counts.
   */
  readonly byDistrict: Readonly<Record<string, number>>;
  /** Net change of the counted events per category, likewise (the same window). */
  readonly byCategory: Readonly<Partial<Record<Category, number>>>;
  /**
   * Per district code, the newest `reportedAt` (ISO, UTC) among the events stored for the first time;
   * a district without one is absent. The board's data freshness and its no-data list read it.
   */
  readonly newestReportedByDistrict: Readonly<Record<string, string>>;
}

export interface BoardUnit {
  readonly code: string;
  readonly name: string;
}

/** The whole board state; sent on every (re)connect, then kept current by batch summaries. */
export interface BoardSnapshot {
  readonly at: string;
  readonly region: { readonly code: string; readonly name: string; readonly timeZone: string };
  readonly districts: readonly BoardUnit[];
  /** Length of the window `countsByDistrict` covers, in hours. */
  readonly windowHours: number;
  /** Stored events per district that occurred within the window. */
  readonly countsByDistrict: Readonly<Record<string, number>>;
  /** Events stored per minute (by ingestion time), oldest first, for the last `minutes.length` minutes. */
  readonly minutes: readonly { readonly minute: string; readonly count: number }[];
  readonly totalStored: number;
  /**
   * The newest `reportedAt` per district code (ISO) among the events that occurred in the window
   * (`windowHours`); a district with none is absent.
   * The board derives feed lag and the districts with no data from it, then from batch summaries.
   */
  readonly lastReportedAt: Readonly<Record<string, string>>;
  /**
   * Events each district usually sends an hour (`usualHourlyRate` of its features); a district whose
   * features are not kept yet is absent. With it the board tells a quiet district from a silent one.
   */
  readonly usualHourlyRate: Readonly<Record<string, number>>;
  /** Whether the live feed is simulated, and the backfill of simulated history's progress. */
  readonly simulation: SimulationStatus;
}

/** Server-to-client events (shared by `new Server<ClientToServerEvents, ServerToClientEvents>()` and `io()`). */
export interface ServerToClientEvents {
  snapshot: (snapshot: BoardSnapshot) => void;
  'ingest:batch': (summary: BatchSummary) => void;
  /** Recomputed features of the districts a batch changed (and of every district when an hour begins). */
  features: (update: FeaturesUpdate) => void;
  /** The active model's latest scores of the districts rescored (after a batch, each hour, at a model swap). */
  scores: (update: ScoresUpdate) => void;
  /** Alerts whose state, value or flags changed, to the rooms (district, severity, category) the socket joined. */
  alerts: (update: AlertsUpdate) => void;
  /** A grouped notification (firing, resolved, escalation, repeat), to the same rooms; held while silenced. */
  'alerts:notification': (notification: AlertNotification) => void;
  /** The backfill's progress (at most once a second while it runs) and the first model's state. */
  simulation: (status: SimulationStatus) => void;
}

/** The answer to `alerts:subscribe`: the rooms joined, or why not. */
export type AlertRoomAnswer =
  { readonly ok: true; readonly rooms: readonly string[] } | { readonly ok: false; readonly error: string };

/** Client-to-server events. */
export interface ClientToServerEvents {
  /** Ask for a fresh snapshot (the server also sends one on every connect). */
  'snapshot:request': () => void;
  /** Replace the socket's alert rooms; only districts the user may see are joined. */
  'alerts:subscribe': (request: AlertRoomRequest, answer: (result: AlertRoomAnswer) => void) => void;
}
