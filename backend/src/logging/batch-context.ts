import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** Where a batch came from: carried through every log line written while it is handled. */
export interface BatchContext {
  /** Unique per delivery of a batch (a retried batch keeps its id). */
  readonly batchId: string;
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: string;
  readonly lastOffset: string;
  readonly messages: number;
}

const storage = new AsyncLocalStorage<BatchContext>();

/** Describes a non-empty batch of messages of one topic partition, with a new id. */
export function batchContextOf(
  messages: readonly { readonly topic: string; readonly partition: number; readonly offset: string }[],
): BatchContext {
  const first = messages[0];
  const last = messages[messages.length - 1];
  if (first === undefined || last === undefined) throw new RangeError('a batch context needs a message');
  return {
    batchId: randomUUID(),
    topic: first.topic,
    partition: first.partition,
    firstOffset: first.offset,
    lastOffset: last.offset,
    messages: messages.length,
  };
}

/** Runs `work` with `context` as the current batch, for everything it calls and awaits. */
export function inBatch<T>(context: BatchContext, work: () => T): T {
  return storage.run(context, work);
}

/** The batch being handled by the caller's async chain, or undefined. */
export function currentBatch(): BatchContext | undefined {
  return storage.getStore();
}
