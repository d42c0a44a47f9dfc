import { spawn, type ChildProcess } from 'node:child_process';
import { REPO_ROOT, waitFor } from './services.js';

/** The admin's password in every backend the tests start, unless a test gives its own ADMIN_PASSWORD. */
export const TEST_ADMIN_PASSWORD = 'it-admin-password-0123';

export interface RunningBackend {
  readonly url: string;
  /** `performance.now()` when the process was spawned. */
  readonly spawnedAt: number;
  readonly child: ChildProcess;
  /** Logs in (`POST /api/auth/login`) and returns the session token; admin with the test password by default. */
  login(username?: string, password?: string): Promise<string>;
  /**
   * `fetch(url + path)` with `Authorization: Bearer <token>`: the admin's session (logged in once)
   * unless `token` is given.
   */
  fetch(path: string, init?: RequestInit, token?: string): Promise<Response>;
  /** Everything the process printed so far. */
  output(): string;
  /** Sends the signal and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const PASSED_THROUGH = ['PATH', 'HOME', 'TMPDIR', 'LANG'];

const baseEnv = (): Record<string, string> =>
  Object.fromEntries(PASSED_THROUGH.flatMap((key) => (process.env[key] ? [[key, process.env[key]]] : [])));

/**
 * Starts `backend/dist/main.js` as its own process with exactly `env` (plus PATH and friends), on a
 * free port, and waits until `GET /api/health` says ok (`until: 'listening'`: only until HTTP listens).
 * No backfill of simulated history unless the test asks (`BACKFILL_DAYS`; an empty value means the
 * backend's own default): tests start from the database they set up. No analysis of the yearly history
 * either (seconds of CPU per start) unless the test asks (`HISTORY_ANALYSIS: 'on'`).
 */
export async function startBackend(
  env: Record<string, string>,
  { until = 'ok' }: { until?: 'ok' | 'listening' } = {},
): Promise<RunningBackend> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, ['backend/dist/main.js'], {
    cwd: REPO_ROOT,
    env: {
      ...baseEnv(),
      PORT: '0',
      ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      BACKFILL_DAYS: '0',
      HISTORY_ANALYSIS: 'off',
      ...env,
    },
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
      return /(?:listening|board) at (http:\/\/[\d.:a-z]+)\//.exec(log)?.[1];
    },
    { timeoutMs: 90_000, intervalMs: 25 },
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`backend did not start:\n${log}`, { cause: error });
  });
  if (until === 'ok') {
    await waitFor('the backend to report healthy', async () => {
      const response = await fetch(`${url}/api/health`);
      const body = (await response.json()) as { status: string };
      return body.status === 'ok' ? true : undefined;
    });
  }
  const login = async (username = 'admin', password = TEST_ADMIN_PASSWORD): Promise<string> => {
    const response = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    const body = (await response.json()) as { token?: string; message?: string };
    if (response.status !== 200 || body.token === undefined) {
      throw new Error(`login as ${username} failed (${response.status}): ${body.message ?? ''}`);
    }
    return body.token;
  };
  let adminToken: Promise<string> | undefined;
  return {
    url,
    spawnedAt,
    child,
    login,
    async fetch(path, init = {}, token) {
      // A failed login (the database down, say) is not kept: the next call logs in again.
      adminToken ??= login().catch((error: unknown) => {
        adminToken = undefined;
        throw error;
      });
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${token ?? (await adminToken)}`);
      return fetch(`${url}${path}`, { ...init, headers });
    },
    output: () => log,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs the admin command `npm run keys -- ...args` (`backend/dist/cli/keys.js`) with exactly `env`. */
export function runKeys(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['backend/dist/cli/keys.js', ...args], {
      cwd: REPO_ROOT,
      env: { ...baseEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/** Creates a producer key with the admin command and returns it (the command prints only the key on stdout). */
export async function createKey(
  name: string,
  env: Record<string, string>,
  options: readonly string[] = [],
): Promise<string> {
  const created = await runKeys(['create', name, ...options], env);
  const key = created.stdout.trim();
  if (created.code !== 0 || !/^dmk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/.test(key)) {
    throw new Error(
      `keys create ${name} failed (${String(created.code)}):\n${created.stdout}\n${created.stderr}`,
    );
  }
  return key;
}
