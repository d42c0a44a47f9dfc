import type { ModelRuntime } from '@district-monitor/models';
import { initAugurs, type AugursNodeRuntime } from './augurs.js';
import { initTensorflow, type TfRuntime } from './tf.js';

export { initAugurs, type AugursNodeRuntime } from './augurs.js';
export { initTensorflow, wasmDirectory, type TfRuntime, type TfBackendName } from './tf.js';

/** Everything the models need in Node: augurs (Prophet, ETS) with its wasm, and a TF.js backend. Idempotent. */
export async function initModelRuntime(): Promise<
  ModelRuntime & { readonly tf: TfRuntime; readonly augurs: AugursNodeRuntime }
> {
  const [augurs, tf] = await Promise.all([initAugurs(), initTensorflow()]);
  return { augurs, tf };
}
