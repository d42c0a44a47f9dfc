import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { HistoryTable } from '@district-monitor/data/history-analysis';
import { TrainingFailedError } from '../models/model-trainer.js';
import type { HistoryTrainReply, HistoryTrainRequest } from './history-analysis.messages.js';

/** Trains the history analysis off the event loop; resolves with the bundle's JSON text. */
export interface HistoryTrainer {
  train(
    table: HistoryTable,
    seed: number,
    onProgress: (stage: string, done: number, total: number) => void,
  ): Promise<string>;
  /** Stops the training in progress; its `train` rejects with a TrainingFailedError (`crash`). */
  cancel(): Promise<void>;
}

/** The compiled worker: beside this file in `dist/`, or in `backend/dist` when this file runs from `src/`. */
export function historyWorkerUrl(): URL {
  const beside = new URL('./history-analysis.worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  const built = new URL('../../dist/history-analysis/history-analysis.worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error(
    `the history analysis worker is not built (${fileURLToPath(built)} is missing): run npm run build`,
  );
}

/**
 * Runs each training in a fresh `worker_threads` worker (history-analysis.worker.ts), ended after it
 * answers so its wasm memory is returned.
 */
export class WorkerHistoryTrainer implements HistoryTrainer {
  private worker: Worker | undefined;

  constructor(private readonly workerUrl: () => URL = historyWorkerUrl) {}

  train(
    table: HistoryTable,
    seed: number,
    onProgress: (stage: string, done: number, total: number) => void,
  ): Promise<string> {
    if (this.worker !== undefined)
      return Promise.reject(new TrainingFailedError('a history analysis is already training', 'error'));
    let worker: Worker;
    try {
      worker = new Worker(this.workerUrl(), { name: 'history-analysis' });
    } catch (error) {
      return Promise.reject(
        new TrainingFailedError(`the history analysis worker could not start: ${String(error)}`, 'crash', {
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
      worker.on('message', (reply: HistoryTrainReply) => {
        switch (reply.type) {
          case 'progress':
            onProgress(reply.stage, reply.done, reply.total);
            return;
          case 'done':
            settle(() => {
              resolve(reply.bundle);
            });
            return;
          case 'failed':
            settle(() => {
              reject(new TrainingFailedError(`${reply.name}: ${reply.message}`, 'error'));
            });
            return;
        }
      });
      worker.on('error', (error) => {
        settle(() => {
          reject(
            new TrainingFailedError(`the history analysis worker crashed: ${error.message}`, 'crash', {
              cause: error,
            }),
          );
        });
      });
      worker.on('exit', (code) => {
        settle(() => {
          reject(new TrainingFailedError(`the history analysis worker stopped (exit code ${code})`, 'crash'));
        });
      });
      const request: HistoryTrainRequest = { table, seed };
      worker.postMessage(request);
    });
  }

  async cancel(): Promise<void> {
    await this.worker?.terminate();
  }
}
