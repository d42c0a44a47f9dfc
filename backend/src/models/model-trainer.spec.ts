import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseRegion } from '@district-monitor/streams';
import { afterAll, describe, expect, it } from 'vitest';
import {
  TrainingFailedError,
  WorkerModelTrainer,
  trainWorkerUrl,
  type TrainingJob,
} from './model-trainer.js';
import { CountPacker } from './training-data.js';

const region = parseRegion(
  JSON.parse(readFileSync(new URL('../../../data/regions/tamil-nadu.json', import.meta.url), 'utf8')),
  'tamil-nadu.json',
);
const folder = mkdtempSync(join(tmpdir(), 'trainer-spec-'));
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

/** A stand-in worker script: it receives the real TrainRequest and behaves as `body` says. */
function workerScript(name: string, body: string): () => URL {
  const file = join(folder, `${name}.mjs`);
  writeFileSync(
    file,
    `import { parentPort } from 'node:worker_threads';\nparentPort.once('message', (request) => {\n${body}\n});\n`,
  );
  return () => pathToFileURL(file);
}

function job(progress: [string, number, number][] = []): TrainingJob {
  const packer = new CountPacker();
  for (let i = 0; i < 3; i++) {
    packer.add({
      bucket: new Date(Date.UTC(2025, 0, 1, i)),
      district: 'TN-CHN',
      category: 'crime_body',
      events: i + 1,
      killed: 0,
      injured: 0,
    });
  }
  return {
    region,
    until: Date.UTC(2025, 0, 2),
    seed: 7,
    counts: packer.finish(),
    onProgress: (stage, done, total) => progress.push([stage, done, total]),
  };
}

describe('WorkerModelTrainer', () => {
  it('sends the request with the counts transferred, relays progress, and returns the bundle text', async () => {
    const trainer = new WorkerModelTrainer(
      workerScript(
        'echo',
        `const c = request.counts;
         parentPort.postMessage({ type: 'progress', stage: 'forecasts', done: 1, total: 2 });
         parentPort.postMessage({ type: 'done', bundle: JSON.stringify({
           region: request.region.code, until: request.until, seed: request.seed, n: c.length,
           events: Array.from(c.events), districts: c.districts }) });`,
      ),
    );
    const progress: [string, number, number][] = [];
    const request = job(progress);
    const text = await trainer.train(request);
    expect(JSON.parse(text)).toEqual({
      region: 'TN',
      until: Date.UTC(2025, 0, 2),
      seed: 7,
      n: 3,
      events: [1, 2, 3],
      districts: ['TN-CHN'],
    });
    expect(progress).toEqual([['forecasts', 1, 2]]);
    // Transferred, not copied: the sender's buffers are detached.
    expect(request.counts.events.byteLength).toBe(0);
  });

  it('rejects with the trainer refusal marked as input, and with a crash when the worker dies', async () => {
    const refusing = new WorkerModelTrainer(
      workerScript(
        'refuse',
        `parentPort.postMessage({ type: 'failed', name: 'ModelInputError', message: 'too few weeks', input: true });`,
      ),
    );
    const refused = await refusing.train(job()).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TrainingFailedError);
    expect(refused).toMatchObject({ kind: 'input', message: 'ModelInputError: too few weeks' });

    const crashing = new WorkerModelTrainer(workerScript('crash', `throw new Error('out of wasm memory');`));
    const crashed = await crashing.train(job()).catch((error: unknown) => error);
    expect(crashed).toMatchObject({
      kind: 'crash',
      message: 'the training worker crashed: out of wasm memory',
    });
  });

  it('stops a running training on cancel', async () => {
    const trainer = new WorkerModelTrainer(workerScript('hang', `setInterval(() => {}, 1000);`));
    const running = trainer.train(job());
    await new Promise((resolve) => setTimeout(resolve, 200));
    await trainer.cancel();
    await expect(running).rejects.toMatchObject({ kind: 'crash' });
    // The trainer is free again: a new training starts (and is stopped the same way).
    const again = trainer.train(job());
    await new Promise((resolve) => setTimeout(resolve, 100));
    await trainer.cancel();
    await expect(again).rejects.toMatchObject({ kind: 'crash' });
  });

  it('runs the compiled worker from backend/dist when this file runs from src', () => {
    const built = fileURLToPath(new URL('../../dist/models/train.worker.js', import.meta.url));
    if (existsSync(built)) {
      expect(fileURLToPath(trainWorkerUrl())).toBe(built);
    } else {
      expect(() => trainWorkerUrl()).toThrow(
        `the training worker is not built (${built} is missing): run npm run build`,
      );
    }
  });
});
