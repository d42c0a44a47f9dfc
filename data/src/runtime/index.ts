/**
 * The runtime entry (`@district-monitor/data/runtime`): what a serving process needs from this package and
 * nothing of the evaluation or the benches. The region and its registry, the simulator's rate table, district
 * geometry, the committed yearly history, and the Node initialisation of the models' wasm and TF.js backends.
 */
import type { ModelRuntime } from '@district-monitor/models';
import { initAugurs, type AugursNodeRuntime } from './augurs.js';
import { initTensorflow, type TfRuntime } from './tf.js';

export { initAugurs, type AugursNodeRuntime } from './augurs.js';
export { initTensorflow, wasmDirectory, type TfRuntime, type TfBackendName } from './tf.js';
export { createRegistry, loadRegion, readRegion, type RegionRegistry } from '../registry.js';
export { readRateTable } from '../rate-table-file.js';
export { pointInGeometry, type AreaGeometry, type Position } from '../geo.js';
export { historyFileOf, loadHistory, type LoadedHistory } from '../history.js';

/** Everything the models need in Node: augurs (Prophet, ETS) with its wasm, and a TF.js backend. Idempotent. */
export async function initModelRuntime(): Promise<
  ModelRuntime & { readonly tf: TfRuntime; readonly augurs: AugursNodeRuntime }
> {
  const [augurs, tf] = await Promise.all([initAugurs(), initTensorflow()]);
  return { augurs, tf };
}
