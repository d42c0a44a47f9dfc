// `npm run bench [-- --json] [-- --events N] [-- --only ingest|replay|features|models|alerts|first-start]`: builds if needed, starts Kafka and PostgreSQL, creates
// topics unique to this run, then runs the ingest benchmark (backend/src/bench/ingest.bench.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from './ensure-built.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
ensureBuilt();

/** Runs an idempotent deploy script and reads its one `NAME=value` line. */
function service(script, args, env = {}) {
  const out = execFileSync('bash', [`deploy/${script}`, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [name, ...value] = out.toString().trim().split('\n').at(-1).split('=');
  return { [name]: value.join('=') };
}

const prefix = `bench-${Date.now().toString(36)}-`;
const env = {
  ...process.env,
  ...service('postgres.sh', ['start']),
  ...service('kafka.sh', ['start']),
  KAFKA_TOPIC_PREFIX: prefix,
};
// The ingest section uses `prefix`; the replay section its baseline, replay, end-to-end and floor prefixes;
// the alerts section its own.
for (const topicPrefix of [
  prefix,
  `${prefix}bare-`,
  `${prefix}replay-`,
  `${prefix}e2e-`,
  `${prefix}alerts-`,
  `${prefix}floor-`,
]) {
  service('kafka.sh', ['topics'], { KAFKA_TOPIC_PREFIX: topicPrefix });
}
const result = spawnSync(process.execPath, ['backend/dist/bench/main.js', ...process.argv.slice(2)], {
  cwd: root,
  env,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
