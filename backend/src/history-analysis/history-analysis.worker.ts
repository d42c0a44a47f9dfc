import { parentPort } from 'node:worker_threads';
import { initModelRuntime } from '@district-monitor/data/runtime';
import { analyseHistory } from '@district-monitor/data/history-analysis';
import type { HistoryTrainReply, HistoryTrainRequest } from './history-analysis.messages.js';

/**
 * The history analysis worker (started by HistoryAnalysisTrainer, one per training): loads the model
 * runtime (augurs, TF.js), analyses the history it is sent and answers with the bundle's JSON text.
 */
const port = parentPort;
if (port === null) throw new Error('history-analysis.worker.js runs as a worker thread only');

function send(reply: HistoryTrainReply): void {
  port?.postMessage(reply);
}

async function train(request: HistoryTrainRequest): Promise<void> {
  try {
    const runtime = await initModelRuntime();
    const bundle = await analyseHistory(request.table, runtime.augurs, {
      seed: request.seed,
      onProgress: (stage, done, total) => {
        send({ type: 'progress', stage, done, total });
      },
    });
    send({ type: 'done', bundle: JSON.stringify(bundle) });
  } catch (error) {
    send({
      type: 'failed',
      name: error instanceof Error ? error.name : 'Error',
      message: error instanceof Error ? error.message : String(error),
    });
  }
}

port.once('message', (request: HistoryTrainRequest) => {
  void train(request);
});
