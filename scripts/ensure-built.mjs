// Installs dependencies and builds when missing or stale; shared by `npm start` and `npm run bench`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (path) => join(root, path);

function run(command, args) {
  console.error(`${command} ${args.join(' ')}`);
  // Progress goes to stderr: stdout belongs to the command that called us (bench --json prints JSON there).
  const result = spawnSync(command, args, { cwd: root, stdio: ['inherit', process.stderr, process.stderr] });
  if (result.status !== 0) {
    console.error(`"${command} ${args.join(' ')}" failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

/** Newest modification time under a path, skipping dependencies and build output. */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

export function ensureBuilt() {
  const installed = at('node_modules/.package-lock.json');
  if (!existsSync(installed) || statSync(at('package-lock.json')).mtimeMs > statSync(installed).mtimeMs) {
    run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=warn']);
  }
  const outputs = ['backend/dist/main.js', 'frontend/dist/index.html'].map(at);
  const sources = [
    'streams/src',
    'models/src',
    'backend/src',
    'frontend/src',
    'frontend/index.html',
    'data/regions',
  ].map(at);
  const built = outputs.every((path) => existsSync(path))
    ? Math.min(...outputs.map((path) => statSync(path).mtimeMs))
    : 0;
  if (Math.max(...sources.map(newest)) > built) run('npm', ['run', 'build']);
}
