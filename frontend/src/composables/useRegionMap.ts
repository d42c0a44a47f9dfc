import type { RegionMap } from '@district-monitor/streams';
import { readonly, ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import { useApi } from '../lib/api';

// One fetch per page load: the outlines do not change while the app runs, and every view shares them.
const map = shallowRef<RegionMap>();
const error = ref<string>();
let pending: Promise<void> | undefined;

export interface RegionMapState {
  /** Undefined until loaded. */
  readonly map: Readonly<ShallowRef<RegionMap | undefined>>;
  /** The server's reason when the last attempt failed. */
  readonly error: Readonly<Ref<string | undefined>>;
  /** Tries again after a failure (a no-op while loading or once loaded). */
  readonly retry: () => void;
}

/**
 * The region's district outlines (`GET /api/region/map`), fetched on the first call and cached for
 * the page. The shell calls it at start-up so the request runs in parallel with the socket's
 * handshake, before the state view asks for it.
 */
export function useRegionMap(): RegionMapState {
  const api = useApi();
  function load(): void {
    if (map.value !== undefined || pending !== undefined) return;
    pending = api
      .get<RegionMap>('/api/region/map')
      .then((loaded) => {
        map.value = loaded;
        error.value = undefined;
      })
      .catch((failure: unknown) => {
        error.value = failure instanceof Error ? failure.message : String(failure);
      })
      .finally(() => {
        pending = undefined;
      });
  }
  load();
  return { map: readonly(map), error: readonly(error), retry: load };
}
