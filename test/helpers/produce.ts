import { spawn } from 'node:child_process';
import { REPO_ROOT } from './services.js';

/**
 * Runs the producer CLI (`npm run produce -- ...`) as its own process. Only PATH is passed on, so no
 * destination or key leaks in from the test's environment: every test states its own.
 */
export function runProducer(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['data/dist/cli/produce.js', ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}
