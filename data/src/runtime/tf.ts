/**
 * TensorFlow.js backend selection for Node. In order: `@tensorflow/tfjs-node` (native libtensorflow) when
 * it is installed, an optional dependency that is not installed here because its install downloads
 * libtensorflow; otherwise the WebAssembly backend `@tensorflow/tfjs-backend-wasm`, whose `.wasm` files
 * ship in its `dist/` directory (SIMD build in Node, no threads: tfjs disables wasm threads in Node);
 * otherwise the pure-JS `cpu` backend. Every module in the process shares the one `@tensorflow/tfjs-core`
 * at the root node_modules (models/ imports the same), so the chosen backend serves the models too.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
// Side-effect imports register the two bundled backends with tfjs-core.
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/** The backends this module can select. */
export type TfBackendName = 'tensorflow' | 'wasm' | 'cpu';

/** What to try: `auto` = tensorflow, then wasm, then cpu; `wasm` = wasm, then cpu; `cpu` = cpu only. */
export type TfPreference = 'auto' | 'wasm' | 'cpu';

/** One backend that was tried and not used, and why. */
export interface TfAttempt {
  readonly backend: TfBackendName;
  readonly error: string;
}

/** The active backend and how it was chosen. */
export interface TfRuntime {
  readonly backend: TfBackendName;
  /** Why this backend: the preference, and what failed before it. */
  readonly reason: string;
  /** Backends tried before this one, in order, with their errors. */
  readonly attempts: readonly TfAttempt[];
  /** `@tensorflow/tfjs-core` version. */
  readonly version: string;
  /** For wasm: whether the SIMD build was loaded. */
  readonly wasmSimd?: boolean;
}

/** Options of `initTensorflow`. */
export interface TfInitOptions {
  /** Default `auto`. */
  readonly prefer?: TfPreference;
}

/** The optional native package; a variable so that the type checker does not require it to exist. */
const NODE_PACKAGE = '@tensorflow/tfjs-node';

const require = createRequire(import.meta.url);

/** The directory holding the wasm backend's `.wasm` files (its package's `dist/`), with a trailing slash. */
export function wasmDirectory(): string {
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/');
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isModuleNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if ('code' in error && (error.code === 'ERR_MODULE_NOT_FOUND' || error.code === 'MODULE_NOT_FOUND'))
    return true;
  // Vite's resolver (vitest) reports a missing package without a code.
  return /^Could not resolve "[^"]+" imported by .*Is it installed\?$/s.test(error.message);
}

async function tryNode(): Promise<void> {
  try {
    // Typed narrow: only the side effect (registering "tensorflow" with tfjs-core) is used.
    const loaded: unknown = await import(NODE_PACKAGE);
    if (typeof loaded !== 'object' || loaded === null) throw new Error(`${NODE_PACKAGE} exported nothing`);
  } catch (error) {
    throw new Error(isModuleNotFound(error) ? `${NODE_PACKAGE} is not installed` : message(error), {
      cause: error,
    });
  }
  if (!('tensorflow' in tf.engine().registryFactory)) {
    throw new Error(`${NODE_PACKAGE} loaded but registered with another @tensorflow/tfjs-core instance`);
  }
  if (!(await tf.setBackend('tensorflow'))) throw new Error("tf.setBackend('tensorflow') failed");
}

async function tryWasm(): Promise<void> {
  const directory = wasmDirectory();
  if (!existsSync(join(directory, 'tfjs-backend-wasm.wasm'))) {
    throw new Error(`no tfjs-backend-wasm.wasm in ${directory}`);
  }
  // Explicit path: the default (the JS file's own directory) breaks once the backend is bundled.
  setWasmPaths(directory);
  if (!(await tf.setBackend('wasm'))) throw new Error("tf.setBackend('wasm') failed (see the warning above)");
}

async function tryCpu(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) throw new Error("tf.setBackend('cpu') failed");
}

const CANDIDATES: Record<TfPreference, readonly TfBackendName[]> = {
  auto: ['tensorflow', 'wasm', 'cpu'],
  wasm: ['wasm', 'cpu'],
  cpu: ['cpu'],
};

const TRY: Record<TfBackendName, () => Promise<void>> = { tensorflow: tryNode, wasm: tryWasm, cpu: tryCpu };

async function select(prefer: TfPreference): Promise<TfRuntime> {
  const attempts: TfAttempt[] = [];
  for (const backend of CANDIDATES[prefer]) {
    try {
      await TRY[backend]();
      await tf.ready();
      const tried = attempts.map((a) => `${a.backend}: ${a.error}`).join('; ');
      const reason = `preference ${prefer}` + (tried ? `; not used: ${tried}` : '');
      const base = { backend, reason, attempts, version: tf.version_core };
      if (backend !== 'wasm') return base;
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      return { ...base, wasmSimd: simd === true };
    } catch (error) {
      attempts.push({ backend, error: message(error) });
    }
  }
  throw new Error(
    `no TensorFlow.js backend could start: ${attempts.map((a) => `${a.backend}: ${a.error}`).join('; ')}`,
  );
}

const selections = new Map<TfPreference, Promise<TfRuntime>>();

/**
 * Selects and initialises a backend (see the module comment), awaits `tf.ready()` and says which one is
 * active and why. Idempotent: concurrent and repeated calls with one preference share one selection; a
 * later call re-activates its backend if another preference switched it meanwhile. Each process (and
 * each test worker) has its own tfjs engine, so parallel workers do not interfere.
 */
export async function initTensorflow(options: TfInitOptions = {}): Promise<TfRuntime> {
  const prefer = options.prefer ?? 'auto';
  let selection = selections.get(prefer);
  if (!selection) {
    selection = select(prefer);
    selections.set(prefer, selection);
    // A failed selection may be retried by a later call.
    selection.catch(() => selections.delete(prefer));
  }
  const runtime = await selection;
  if (tf.getBackend() !== runtime.backend) {
    await tf.setBackend(runtime.backend);
    await tf.ready();
  }
  return runtime;
}
