import { parentPort } from 'node:worker_threads';
import { initModelRuntime } from '@district-monitor/data/runtime';
import { trainDistrictModels } from '@district-monitor/models';
import { unpackCounts, type TrainReply, type TrainRequest } from './training-data.js';

/**
 * The training worker (started by WorkerModelTrainer, one per training): receives one TrainRequest,
 * loads the model runtime (augurs and the TF.js wasm backend), trains, and answers with the bundle's
 * JSON text or the failure. Progress goes back as it comes, at most every 250 ms per stage.
 */
const port = parentPort;
if (port === null) throw new Error('train.worker.js runs as a worker thread only');

const PROGRESS_MS = 250;

function send(reply: TrainReply): void {
  port?.postMessage(reply);
}

async function train(request: TrainRequest): Promise<void> {
  try {
    const runtime = await initModelRuntime();
    let lastStage = '';
    let lastSent = 0;
    // Synchronous today; awaited through Promise.resolve so an async trainer works unchanged.
    const bundle = await Promise.resolve(
      trainDistrictModels(
        {
          region: request.region,
          counts: unpackCounts(request.counts),
          until: request.until,
          seed: request.seed,
          onProgress: (stage, done, total) => {
            const now = Date.now();
            if (stage === lastStage && done < total && now - lastSent < PROGRESS_MS) return;
            lastStage = stage;
            lastSent = now;
            send({ type: 'progress', stage, done, total });
          },
        },
        runtime,
        request.options,
      ),
    );
    send({ type: 'done', bundle: JSON.stringify(bundle) });
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    // By name: the error class of the worker's copy of models/ is what was thrown.
    send({ type: 'failed', name, message, input: name === 'ModelInputError' });
  }
}

port.once('message', (request: TrainRequest) => {
  void train(request);
});
