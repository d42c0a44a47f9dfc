import { effectScope } from 'vue';
import { describe, expect, it } from 'vitest';
import { SessionEndedError } from '../stores/session';
import { useRemote } from './useRemote';

/** A promise settled by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

describe('useRemote', () => {
  it('keeps the answer, clears the error on success, and says when it is loading', async () => {
    const answers = [deferred<string>(), deferred<string>()];
    let call = 0;
    const remote = useRemote(() => (answers[call++] as ReturnType<typeof deferred<string>>).promise);
    const first = remote.load();
    expect(remote.loading.value).toBe(true);
    answers[0]?.reject(new Error('502 bad gateway'));
    await first;
    expect(remote.error.value).toBe('502 bad gateway');
    expect(remote.loading.value).toBe(false);
    const second = remote.load();
    answers[1]?.resolve('ok');
    await second;
    expect(remote.data.value).toBe('ok');
    expect(remote.error.value).toBeUndefined();
  });

  it('lets only the latest load land, whatever order the answers come in', async () => {
    const slow = deferred<string>();
    const fast = deferred<string>();
    const remote = useRemote((which: 'slow' | 'fast') => (which === 'slow' ? slow : fast).promise);
    const a = remote.load('slow');
    const b = remote.load('fast');
    fast.resolve('TN-MDU');
    await b;
    slow.resolve('TN-CHN');
    await a;
    expect(remote.data.value).toBe('TN-MDU');
    expect(remote.loading.value).toBe(false);
  });

  it('drops what was in flight on reset, and the error with it', async () => {
    const late = deferred<string>();
    const remote = useRemote(() => late.promise);
    remote.error.value = 'old district failed';
    const load = remote.load();
    remote.reset();
    expect(remote.error.value).toBeUndefined();
    expect(remote.loading.value).toBe(false);
    late.reject(new Error('old district answer'));
    await load;
    expect(remote.error.value).toBeUndefined();
    expect(remote.data.value).toBeUndefined();
  });

  it('names failures as asked, forgets the answer when asked, and ignores an ended session', async () => {
    let outcome: () => Promise<number> = () => Promise.resolve(1);
    const remote = useRemote(() => outcome(), {
      describe: (failure) => `Could not load: ${String(failure)}`,
      clearOnError: true,
    });
    await remote.load();
    expect(remote.data.value).toBe(1);
    outcome = () => Promise.reject(new SessionEndedError('signed out'));
    await remote.load();
    expect(remote.error.value).toBeUndefined();
    expect(remote.data.value).toBe(1);
    outcome = () => Promise.reject(new Error('503'));
    await remote.load();
    expect(remote.error.value).toBe('Could not load: Error: 503');
    expect(remote.data.value).toBeUndefined();
  });

  it('drops an answer that lands after its component (scope) is gone', async () => {
    const late = deferred<string>();
    const scope = effectScope();
    const remote = scope.run(() => useRemote(() => late.promise));
    if (remote === undefined) throw new Error('no remote');
    const load = remote.load();
    scope.stop();
    late.resolve('too late');
    await load;
    expect(remote.data.value).toBeUndefined();
  });
});
