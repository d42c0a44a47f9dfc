import type { AutoETS } from '@bsull/augurs/ets';
import type { MSTL } from '@bsull/augurs/mstl';
import type { Prophet, ProphetOptions } from '@bsull/augurs/prophet';

/** The optimizer Prophet calls with its Stan data: `@bsull/augurs-prophet-wasmstan`'s `optimizer` fits it. */
export type ProphetOptimizer = ProphetOptions['optimizer'];

/**
 * The initialised augurs classes the forecasters use. models/ does no I/O, so it never loads wasm: the
 * caller initialises the modules (in Node, `initAugurs()` of `@district-monitor/data/runtime` reads the wasm
 * bytes) and passes this object in.
 */
export interface AugursRuntime {
  /** `Prophet` of `@bsull/augurs/prophet`, after its module was initialised. */
  readonly Prophet: typeof Prophet;
  /** `MSTL` of `@bsull/augurs/mstl` (STL decomposition + AutoETS on the remainder), initialised. */
  readonly MSTL: typeof MSTL;
  /** `AutoETS` of `@bsull/augurs/ets`, initialised. */
  readonly AutoETS: typeof AutoETS;
  /** `optimizer` of `@bsull/augurs-prophet-wasmstan`: Stan's L-BFGS compiled to WebAssembly. */
  readonly optimizer: ProphetOptimizer;
}
