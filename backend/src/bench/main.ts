import { cpus } from 'node:os';
import { Logger } from '@nestjs/common';
import { benchEnv, type BenchRow } from './bench-kit.js';
import { featuresSection } from './features.bench.js';
import { modelsSection } from './models.bench.js';
import { ingestSection } from './ingest.bench.js';
import { replaySection } from './replay.bench.js';
import { alertsSection } from './alerts.bench.js';
import { firstStartSection } from './first-start.bench.js';

/**
 * `npm run bench [-- --json] [-- --events N] [-- --only ingest|replay|features|models|alerts|first-start]
 * [-- --engine postgres|pglite] [-- --path-only]`: every figure beside a baseline
 * measured in the same run. `scripts/bench.mjs` starts Kafka and PostgreSQL and creates the topics.
 */
const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const json = args.includes('--json');
const count = Number(option('--events') ?? 100_000);
const only = option('--only');
const engine = option('--engine');
const pathOnly = args.includes('--path-only');
const SECTIONS = ['ingest', 'replay', 'features', 'models', 'alerts', 'first-start'];
const DECIMALS: Readonly<Record<string, number>> = { 'events/s': 0, s: 1, ms: 2, MiB: 0 };

async function main(): Promise<void> {
  if (!Number.isInteger(count) || count < 1000) throw new Error(`--events must be a whole number >= 1000`);
  if (only !== undefined && !SECTIONS.includes(only)) throw new Error(`--only takes ${SECTIONS.join(', ')}`);
  if (engine !== undefined && engine !== 'postgres' && engine !== 'pglite')
    throw new Error('--engine takes postgres or pglite');
  Logger.overrideLogger(['error']);
  const env = benchEnv();
  const rows: BenchRow[] = [];
  const runs = (section: string) => only === undefined || only === section;
  if (runs('ingest'))
    rows.push(
      ...(await ingestSection(env, count, { ...(engine === undefined ? {} : { engine }), pathOnly })),
    );
  if (runs('replay')) rows.push(...(await replaySection(env)));
  if (runs('features')) rows.push(...(await featuresSection(env)));
  if (runs('models')) rows.push(...(await modelsSection()));
  if (runs('alerts')) rows.push(...(await alertsSection(env)));
  if (runs('first-start')) rows.push(...(await firstStartSection()));

  const meta = { ingestEvents: count, partitions: 6, cpus: cpus().length, node: process.version };
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...meta, rows }, null, 2)}\n`);
    return;
  }
  const fmt = (row: BenchRow) =>
    row.unit === 'events/s'
      ? `${Math.round(row.value).toLocaleString('en-US')} events/s`
      : `${row.value.toFixed(DECIMALS[row.unit] ?? 3)} ${row.unit}`;
  const lines = [
    `bench: ${count.toLocaleString('en-US')} simulated events for ingest, ${meta.cpus} cores, Node ${meta.node}`,
    '',
    '| section | path | figure | vs baseline | goal |',
    '|---|---|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.section} | ${r.path} | ${fmt(r)} | ${r.vsBaseline === null ? '' : r.vsBaseline.toFixed(2)} | ${r.goal ?? ''} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
