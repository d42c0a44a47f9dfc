import { getCurrentScope, onScopeDispose, ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import { SessionEndedError } from '../stores/session';

/** One remote read: its last answer, the reason of its last failure, and whether a load is in flight. */
export interface Remote<T, A extends unknown[] = []> {
  readonly data: ShallowRef<T | undefined>;
  readonly error: Ref<string | undefined>;
  readonly loading: Ref<boolean>;
  /** Loads; the latest load wins, an earlier one's answer or failure is dropped when it lands. */
  readonly load: (...args: A) => Promise<void>;
  /** Drops the loads in flight and the error (the subject changed); the data stays until replaced. */
  readonly reset: () => void;
}

export interface RemoteOptions {
  /** The error to show for a failure (default: its message). */
  readonly describe?: (failure: unknown) => string;
  /** Forget the last answer when a load fails (default: keep it on screen beside the error). */
  readonly clearOnError?: boolean;
}

export const failureText = (failure: unknown): string =>
  failure instanceof Error ? failure.message : String(failure);

/**
 * The loader skeleton of the views: a generation counter so that only the latest load lands, a loading
 * flag, and the error as text. A session that ended is not an error of this read (the app goes to the
 * login). Answers landing after the component (or effect scope) is gone are dropped.
 */
export function useRemote<T, A extends unknown[] = []>(
  fetch: (...args: A) => Promise<T>,
  options: RemoteOptions = {},
): Remote<T, A> {
  const describe = options.describe ?? failureText;
  const data = shallowRef<T>();
  const error = ref<string>();
  const loading = ref(false);
  let generation = 0;

  async function load(...args: A): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    try {
      const answer = await fetch(...args);
      if (mine !== generation) return;
      data.value = answer;
      error.value = undefined;
    } catch (failure) {
      if (mine !== generation || failure instanceof SessionEndedError) return;
      if (options.clearOnError === true) data.value = undefined;
      error.value = describe(failure);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  function reset(): void {
    generation++;
    error.value = undefined;
    loading.value = false;
  }

  if (getCurrentScope() !== undefined)
    onScopeDispose(() => {
      generation++;
    });
  return { data, error, loading, load, reset };
}
