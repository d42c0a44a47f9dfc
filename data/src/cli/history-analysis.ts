#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { analyseHistory, datasetHistorySource } from '../history-analysis/index.js';
import { historyFileOf } from '../history.js';
import { loadRegion } from '../registry.js';
import { initModelRuntime } from '../runtime/index.js';

const HELP = `node data/dist/cli/history-analysis.js [--region FILE] [--seed N] [--json]

Trains the analysis of the region's yearly history as the backend does at start (in this process) and
prints what it found and how long each stage took: statewide factor importance, the k-means profiles in
words, next year's structural tier per unit with each branch's tier. --json prints the whole bundle.`;

const { values } = parseArgs({
  options: {
    region: {
      type: 'string',
      default: fileURLToPath(new URL('../../regions/tamil-nadu.json', import.meta.url)),
    },
    seed: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const seed = Number(values.seed);
if (!Number.isInteger(seed)) {
  console.error(`--seed: expected a whole number, got ${values.seed}`);
  process.exit(2);
}
const registry = await loadRegion(values.region);
const file = historyFileOf(registry.region, values.region);
if (file === undefined) {
  console.error(`${values.region} names no history file`);
  process.exit(2);
}
let started = performance.now();
const table = await datasetHistorySource(file, registry).load();
const loadS = (performance.now() - started) / 1000;
started = performance.now();
const runtime = await initModelRuntime();
const initS = (performance.now() - started) / 1000;
started = performance.now();
const cpu = process.cpuUsage();
const bundle = await analyseHistory(table, runtime.augurs, { seed });
const analyseS = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
const cpuS = (used.user + used.system) / 1e6;
if (values.json) {
  console.log(JSON.stringify(bundle));
  process.exit(0);
}
const s = (x: number) => `${x.toFixed(1)} s`;
console.log(
  `history ${bundle.historyHash.slice(0, 12)}: ${table.units.length} units, ${table.years.length} years ${bundle.years.join('-')} (missing ${bundle.missingYears.join(', ') || 'none'})`,
);
console.log(
  `time: load ${s(loadS)}, runtime ${s(initS)}, analysis ${s(analyseS)} wall, ${s(cpuS)} CPU (${Object.entries(
    bundle.timings,
  )
    .map(([k, v]) => `${k} ${s(v)}`)
    .join(', ')})`,
);
const { importance } = bundle;
console.log(
  `\nfactor importance (R² drop on ${importance.testYears.join('-')}, held-out R² ${importance.heldOutR2}):`,
);
for (const f of importance.factors.slice(0, 8))
  console.log(`  ${f.importance.toFixed(4)} ± ${f.sd.toFixed(4)}  ${f.label}`);
console.log(`\nprofiles (k = ${bundle.profiles.k}, silhouette ${bundle.profiles.silhouette}):`);
for (const p of bundle.profiles.profiles)
  console.log(`  ${p.label}: ${p.description} — ${p.units.join(' ')}`);
console.log(
  `\nstructural tier ${bundle.tiers.year} (fusion / random forest / Prophet / k-means; last observed):`,
);
const name = ['low', 'middle', 'high'];
for (const u of bundle.units) {
  const t = u.tier;
  console.log(
    `  ${u.code.padEnd(7)} ${(name[t.tier] ?? '').padEnd(6)} p=${t.probability.toFixed(2)}  rf ${name[t.branches.randomForest.tier] ?? ''}, prophet ${name[t.branches.prophet.tier] ?? ''}, k-means ${name[t.branches.kMeans.tier] ?? ''}; last ${name[t.lastObservedTier] ?? ''}`,
  );
}
