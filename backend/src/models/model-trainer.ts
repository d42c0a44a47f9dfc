import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TrainingOptions } from '@district-monitor/models';
import type { Region } from '@district-monitor/streams';
import { transferList, type PackedCounts, type TrainReply, type TrainRequest } from './training-data.js';

/** One training: what to learn from, and where progress goes. */
export interface TrainingJob {
  readonly region: Region;
  readonly until: number;
  readonly seed: number;
  readonly counts: PackedCounts;
  /** Training knobs; the defaults when absent. */
  readonly options?: Partial<TrainingOptions>;
  onProgress(stage: string, done: number, total: number): void;
}

/** Trains a model bundle off the consumer path; resolves with the bundle's JSON text. */
export interface ModelTrainer {
  train(job: TrainingJob): Promise<string>;
  /** Stops the training in progress (shutdown); its `train` rejects with a TrainingFailedError. */
  cancel(): Promise<void>;
}

/**
 * A training that did not produce a bundle. `input`: the trainer refused its input (ModelInputError:
 * too little or malformed data); `crash`: the worker died or was stopped; `error`: anything else thrown.
 */
export class TrainingFailedError extends Error {
  constructor(
    message: string,
    readonly kind: 'input' | 'crash' | 'error',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TrainingFailedError';
  }
}

/**
 * The compiled worker. From `dist/models/` it lies beside this file; when this file runs from
 * `src/models/` (vitest), the worker still runs compiled, from `dist/models/`: build first.
 */
export function trainWorkerUrl(): URL {
  const beside = new URL('./train.worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  const built = new URL('../../dist/models/train.worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error(`the training worker is not built (${fileURLToPath(built)} is missing): run npm run build`);
}

/**
 * Runs each training in a fresh `worker_threads` worker (backend/src/models/train.worker.ts): the
 * fits take seconds to minutes of CPU, which must not block the event loop that consumes batches. The
 * counts go over as transferred buffers, the bundle comes back as JSON text, and the worker is ended
 * after each training so its wasm memory is returned.
 */
export class WorkerModelTrainer implements ModelTrainer {
  private worker: Worker | undefined;

  constructor(private readonly workerUrl: () => URL = trainWorkerUrl) {}

  train(job: TrainingJob): Promise<string> {
    if (this.worker !== undefined) {
      return Promise.reject(new TrainingFailedError('a training worker is already running', 'error'));
    }
    let worker: Worker;
    try {
      worker = new Worker(this.workerUrl(), { name: 'model-training' });
    } catch (error) {
      return Promise.reject(
        new TrainingFailedError(`the training worker could not start: ${String(error)}`, 'crash', {
          cause: error,
        }),
      );
    }
    this.worker = worker;
    return new Promise<string>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        this.worker = undefined;
        outcome();
        // The worker has said all it will: end it, so its memory goes back (errors here change nothing).
        worker.terminate().catch(() => undefined);
      };
      worker.on('message', (reply: TrainReply) => {
        switch (reply.type) {
          case 'progress':
            job.onProgress(reply.stage, reply.done, reply.total);
            return;
          case 'done':
            settle(() => {
              resolve(reply.bundle);
            });
            return;
          case 'failed':
            settle(() => {
              reject(
                new TrainingFailedError(`${reply.name}: ${reply.message}`, reply.input ? 'input' : 'error'),
              );
            });
            return;
        }
      });
      worker.on('error', (error) => {
        settle(() => {
          reject(
            new TrainingFailedError(`the training worker crashed: ${error.message}`, 'crash', {
              cause: error,
            }),
          );
        });
      });
      worker.on('exit', (code) => {
        settle(() => {
          reject(
            new TrainingFailedError(
              `the training worker stopped (exit code ${code}) before it answered`,
              'crash',
            ),
          );
        });
      });
      const request: TrainRequest = {
        region: job.region,
        until: job.until,
        seed: job.seed,
        counts: job.counts,
        ...(job.options === undefined ? {} : { options: job.options }),
      };
      worker.postMessage(request, transferList(job.counts));
    });
  }

  async cancel(): Promise<void> {
    // The exit handler rejects the pending training.
    await this.worker?.terminate();
  }
}
