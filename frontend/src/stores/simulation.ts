import type { SimulationStatus } from '@district-monitor/streams';
import { defineStore } from 'pinia';
import { shallowRef } from 'vue';

/**
 * Whether the board's live data is simulated, and the progress of the backfill of simulated history
 * and of the first model: from every snapshot, then from the `simulation` socket event.
 */
export const useSimulationStore = defineStore('simulation', () => {
  const status = shallowRef<SimulationStatus>();

  function apply(next: SimulationStatus | undefined): void {
    if (next !== undefined) status.value = next;
  }

  return { status, apply };
});
