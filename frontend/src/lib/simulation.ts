import type { SimulationRateSource, SimulationStatus } from '@district-monitor/streams';

/** What the banner says: the simulated-data notice, and what the backfill and first model are doing. */
export interface SimulationNotice {
  /** "Simulated data": always shown when the live feed is simulated. */
  readonly badge: string;
  /** One line on the rate and history, or on the backfill in progress. */
  readonly detail: string;
  /** 0 to 1 while the backfill runs; null otherwise. */
  readonly progress: number | null;
  /** True while the board is still getting ready (backfill or first training). */
  readonly busy: boolean;
}

/** What the banner says of the rate: only the table's own rate is calibrated to real yearly volumes. */
const RATE_SOURCE: Readonly<Record<SimulationRateSource, string>> = {
  'real-volumes': ' (calibrated to real yearly volumes)',
  configured: ' (a rate set by SIMULATOR_RATE, not the real yearly volume)',
  uncalibrated: ' (not calibrated: no rate table for this region)',
};

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The banner's text for a status; null when the live data is real (nothing to say). */
export function simulationNotice(status: SimulationStatus | undefined): SimulationNotice | null {
  if (status === undefined || !status.simulated) return null;
  const badge = 'Simulated data';
  const rate =
    status.eventsPerYear === null
      ? 'simulated events'
      : `simulated events at ${count(status.eventsPerYear)} a year`;
  const { backfill, firstModel } = status;
  if (backfill.state === 'running') {
    const pct = Math.floor(backfill.fraction * 100);
    const speed = backfill.eventsPerSecond === null ? '' : `, ${count(backfill.eventsPerSecond)} events/s`;
    return {
      badge,
      detail:
        `Writing a simulated history before the live feed starts: ${pct}% ` +
        `(${count(backfill.events)} of ~${count(backfill.expectedEvents)} events${speed}). ` +
        'Risk appears once the first model has trained on it.',
      progress: backfill.fraction,
      busy: true,
    };
  }
  if (firstModel === 'training' || firstModel === 'waiting') {
    return {
      badge,
      detail: `Simulated history written (${count(backfill.events)} events); training the first risk model on it…`,
      progress: null,
      busy: true,
    };
  }
  const history =
    backfill.state === 'done' || (backfill.state === 'skipped' && backfill.from !== null)
      ? ` The history since ${backfill.from?.slice(0, 10) ?? ''} is simulated too.`
      : '';
  const failed =
    backfill.state === 'failed' ? ` The backfill of simulated history failed: ${backfill.reason ?? ''}` : '';
  return {
    badge,
    detail: `The live feed is ${rate}${RATE_SOURCE[status.rateSource ?? 'uncalibrated']}, not real reports.${history}${failed}`,
    progress: null,
    busy: false,
  };
}
