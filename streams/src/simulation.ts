/**
 * What the board says about simulated data: whether the live feed is simulated, at what rate, and how
 * far the backfill of simulated history (written before the live simulator starts) has come.
 */

/**
 * `off`: no backfill configured (BACKFILL_DAYS=0, Kafka, a PostgreSQL server, or the simulator off);
 * `skipped`: the database already held history; `running`: writing; `done`; `failed` (see `reason`).
 */
export type BackfillState = 'off' | 'skipped' | 'running' | 'done' | 'failed';

export interface BackfillProgress {
  readonly state: BackfillState;
  /** Why it is off, skipped or failed; null otherwise. */
  readonly reason: string | null;
  /** Simulated span of the backfill, ISO instants; null when there is none. */
  readonly from: string | null;
  readonly until: string | null;
  /** Simulated time written so far (events before it are stored), ISO; null before the first batch. */
  readonly reached: string | null;
  /** Events stored by the backfill so far (this run and any interrupted run before it). */
  readonly events: number;
  /** Events the span is expected to hold at the configured rate. */
  readonly expectedEvents: number;
  /** Share of the span written, 0 to 1. */
  readonly fraction: number;
  /** Stored events per second of this run; null before the first batch. */
  readonly eventsPerSecond: number | null;
}

/** Where the simulated rate comes from (see {@link SimulationStatus.rateSource}). */
export type SimulationRateSource = 'real-volumes' | 'configured' | 'uncalibrated';

/** `GET /api/simulation`, the snapshot's `simulation` and the `simulation` socket event. */
export interface SimulationStatus {
  /** True when the live feed is the built-in simulator: the board says its live data is simulated. */
  readonly simulated: boolean;
  /** Mean simulated events per second across the region (the rate table's real volume by default). */
  readonly ratePerSecond: number | null;
  /** The same rate as events per year, for people. */
  readonly eventsPerYear: number | null;
  /**
   * Where the rate comes from: `real-volumes` (the rate table's real yearly volume), `configured`
   * (SIMULATOR_RATE overrides it), `uncalibrated` (no rate table for the region); null before the
   * simulator is set up.
   */
  readonly rateSource: SimulationRateSource | null;
  readonly backfill: BackfillProgress;
  /**
   * The first live model after the backfill: `waiting` (backfill in progress), `training`, `ready`,
   * `failed`, or `none` (no training follows, e.g. automatic training is off or there is no backfill).
   */
  readonly firstModel: 'none' | 'waiting' | 'training' | 'ready' | 'failed';
}
