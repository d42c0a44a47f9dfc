import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AugursRuntime } from '@district-monitor/models';

/**
 * The augurs modules a Node process needs, initialised once. wasm-bindgen's default init `fetch()`es the
 * `.wasm` beside the module, which Node cannot do for a `file:` URL, so the bytes are read here and passed
 * as `{ module_or_path: bytes }`. The Prophet optimizer (`@bsull/augurs-prophet-wasmstan`, a WebAssembly
 * component) loads its own core modules from disk when imported in Node; importing it is its init.
 */
export interface AugursNodeRuntime extends AugursRuntime {
  /** Milliseconds the first initialisation took (reading and compiling the wasm). */
  readonly initMs: number;
}

let pending: Promise<AugursNodeRuntime> | undefined;

/**
 * Initialises augurs' Prophet, MSTL and ETS modules and the wasmstan optimizer for Node; idempotent (every
 * call returns the same promise; a failed initialisation is retried by the next call).
 */
export function initAugurs(): Promise<AugursNodeRuntime> {
  pending ??= load().catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

async function load(): Promise<AugursNodeRuntime> {
  const started = performance.now();
  const [prophet, mstl, ets, wasmstan] = await Promise.all([
    import('@bsull/augurs/prophet'),
    import('@bsull/augurs/mstl'),
    import('@bsull/augurs/ets'),
    import('@bsull/augurs-prophet-wasmstan'),
  ]);
  await Promise.all([
    prophet.default({ module_or_path: await wasmBytes('@bsull/augurs/prophet') }),
    mstl.default({ module_or_path: await wasmBytes('@bsull/augurs/mstl') }),
    ets.default({ module_or_path: await wasmBytes('@bsull/augurs/ets') }),
  ]);
  return Object.freeze({
    Prophet: prophet.Prophet,
    MSTL: mstl.MSTL,
    AutoETS: ets.AutoETS,
    optimizer: wasmstan.optimizer,
    initMs: performance.now() - started,
  });
}

// createRequire rather than import.meta.resolve: the same resolution also works under vitest.
const resolver = createRequire(import.meta.url);

/** The `<module>_bg.wasm` that wasm-bindgen ships beside `<module>.js`, located through Node's resolver. */
async function wasmBytes(specifier: string): Promise<Buffer> {
  const script = resolver.resolve(specifier);
  return readFile(script.replace(/\.js$/, '_bg.wasm'));
}
