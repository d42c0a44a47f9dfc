import { Injectable } from '@nestjs/common';
import type { BackfillProgress, SimulationStatus } from '@district-monitor/streams';

/** The backfill before it is configured: nothing planned. */
export const NO_BACKFILL: BackfillProgress = {
  state: 'off',
  reason: 'not started',
  from: null,
  until: null,
  reached: null,
  events: 0,
  expectedEvents: 0,
  fraction: 0,
  eventsPerSecond: null,
};

/**
 * What the board is told about simulated data (whether the live feed is simulated, the backfill's
 * progress, the first model): one current value, set by the simulator's services, read by the snapshot
 * and `GET /api/simulation`, and pushed to every board by the live gateway on each change.
 */
@Injectable()
export class SimulationStatusStore {
  private current: SimulationStatus = {
    simulated: false,
    ratePerSecond: null,
    eventsPerYear: null,
    rateSource: null,
    backfill: NO_BACKFILL,
    firstModel: 'none',
  };
  private readonly listeners: ((status: SimulationStatus) => void)[] = [];

  get status(): SimulationStatus {
    return this.current;
  }

  /** Merges a change and tells the listeners (called synchronously; they must be quick). */
  update(change: Partial<SimulationStatus>): void {
    this.current = { ...this.current, ...change };
    for (const listener of this.listeners) listener(this.current);
  }

  onChange(listener: (status: SimulationStatus) => void): void {
    this.listeners.push(listener);
  }
}
