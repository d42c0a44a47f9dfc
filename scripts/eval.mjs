// `npm run eval [-- --json] [-- --task t1|t2] [-- --data FILE] [-- --nab DIR]`: builds if needed, then runs the
// evaluation (data/src/cli/eval.ts). Progress goes to stderr, the report to stdout.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from './ensure-built.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
ensureBuilt();
const result = spawnSync(process.execPath, ['data/dist/cli/eval.js', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
