// `npm start`: installs and builds whatever is missing or stale, then runs the backend on its embedded
// defaults (PGlite with TimescaleDB, the in-process transport, the simulator). PORT and DATA_DIR apply.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function run(command, args) {
  console.error(`start: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`start: "${command} ${args.join(' ')}" failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

/** Newest modification time under a path (files and folders, skipping build output). */
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

const at = (path) => join(root, path);
const installed = at('node_modules/.package-lock.json');
if (!existsSync(installed) || statSync(at('package-lock.json')).mtimeMs > statSync(installed).mtimeMs) {
  run('npm', ['ci', '--no-audit', '--no-fund']);
}
const outputs = ['backend/dist/main.js', 'frontend/dist/index.html'].map(at);
const sources = ['streams/src', 'models/src', 'backend/src', 'frontend/src', 'frontend/index.html', 'data/regions'].map(at);
const built = outputs.every(existsSync) ? Math.min(...outputs.map((path) => statSync(path).mtimeMs)) : 0;
if (Math.max(...sources.map(newest)) > built) run('npm', ['run', 'build']);

await import('../backend/dist/main.js');
