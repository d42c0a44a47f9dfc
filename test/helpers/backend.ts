import { spawn, type ChildProcess } from 'node:child_process';
import { REPO_ROOT, waitFor } from './services.js';

export interface RunningBackend {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** Sends the signal and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const PASSED_THROUGH = ['PATH', 'HOME', 'TMPDIR', 'LANG'];

/**
 * Starts `backend/dist/main.js` as its own process with exactly `env` (plus PATH and friends), on a
 * free port, and waits until `GET /api/health` says ok.
 */
export async function startBackend(env: Record<string, string>): Promise<RunningBackend> {
  const base = Object.fromEntries(
    PASSED_THROUGH.flatMap((key) => (process.env[key] ? [[key, process.env[key]]] : [])),
  );
  const child = spawn(process.execPath, ['backend/dist/main.js'], {
    cwd: REPO_ROOT,
    env: { ...base, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });

  const url = await waitFor(
    'the backend to print its URL',
    () => {
      if (child.exitCode !== null) throw new Error(`backend exited with ${child.exitCode}:\n${log}`);
      return /board at (http:\/\/[\d.:a-z]+)\//.exec(log)?.[1];
    },
    { timeoutMs: 90_000 },
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`backend did not start:\n${log}`, { cause: error });
  });
  await waitFor('the backend to report healthy', async () => {
    const response = await fetch(`${url}/api/health`);
    const body = (await response.json()) as { status: string };
    return body.status === 'ok' ? true : undefined;
  });
  return {
    url,
    child,
    output: () => log,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
