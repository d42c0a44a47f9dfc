#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { tierAblation, weeklyAblation } from '../eval/ablation.js';
import type { ModelRow } from '../eval/report.js';

/**
 * `node data/dist/cli/fusion-ablation.js [--task t1|t2] [--seed N] [--digits N (3)] [--set main|skip|season|interval|factor|factor2|quantile|adaptive|boost|ceiling|momentum (t2)|district|ordinal (t1)]`: the fusion ablations of docs/fusion.md,
 * scored on validation periods carved out of the training data (never on the test periods). Markdown tables
 * on stdout, progress on stderr.
 */
const { values } = parseArgs({
  options: {
    task: { type: 'string' },
    seed: { type: 'string' },
    set: { type: 'string' },
    digits: { type: 'string' },
  },
  allowPositionals: false,
});
const task = values.task;
if (task !== undefined && task !== 't1' && task !== 't2') {
  process.stderr.write(`fusion-ablation: --task must be t1 or t2, not "${task}"\n`);
  process.exit(2);
}
const seed = values.seed === undefined ? 1 : Number(values.seed);
if (!Number.isSafeInteger(seed) || seed < 0) {
  process.stderr.write(`fusion-ablation: --seed must be a whole number, not "${values.seed}"\n`);
  process.exit(2);
}
const digits = values.digits === undefined ? 3 : Number(values.digits);
if (!Number.isInteger(digits) || digits < 0 || digits > 8) {
  process.stderr.write(
    `fusion-ablation: --digits must be a whole number from 0 to 8, not "${values.digits}"\n`,
  );
  process.exit(2);
}
const progress = (line: string) => process.stderr.write(`${line}\n`);

const T1_SETS = ['main', 'district', 'ordinal'] as const;
const T2_SETS = [
  'main',
  'skip',
  'season',
  'interval',
  'factor',
  'factor2',
  'quantile',
  'adaptive',
  'boost',
  'ceiling',
  'momentum',
] as const;

// A set names one task's ablation; without --task, the other task runs its main set. A typo is refused
// before anything runs, rather than running another set for minutes.
const set = values.set ?? 'main';
const t1Set = T1_SETS.find((name) => name === set);
const t2Set = T2_SETS.find((name) => name === set);
const fits = task === 't1' ? t1Set : task === 't2' ? t2Set : (t1Set ?? t2Set);
if (fits === undefined) {
  const lists =
    task === undefined
      ? `t1: ${T1_SETS.join(', ')}; t2: ${T2_SETS.join(', ')}`
      : (task === 't1' ? T1_SETS : T2_SETS).join(', ');
  process.stderr.write(`fusion-ablation: --set ${set} is not a set of ${task ?? 't1 or t2'} (${lists})\n`);
  process.exit(2);
}

function table(rows: readonly ModelRow[]): string {
  const names = Object.keys(rows[0]?.metrics ?? {});
  const lines = [
    `| model | ${names.join(' | ')} | s |`,
    `|---|${names.map(() => '---:').join('|')}|---:|`,
    ...rows.map(
      (r) =>
        `| ${r.model} | ${names
          .map((n) => {
            const v = r.metrics[n];
            return v === null || v === undefined ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(digits);
          })
          .join(' | ')} | ${((r.fitMs + r.predictMs) / 1000).toFixed(1)} |`,
    ),
  ];
  return lines.join('\n');
}

if (task === undefined || task === 't1')
  process.stdout.write(
    `T1 validation years (seed ${seed})\n\n${table(await tierAblation(seed, progress, t1Set ?? 'main'))}\n\n`,
  );

/** The rows whose trees said how many rounds they kept (the boosted-trees set), a line each. */
function rounds(rows: readonly ModelRow[]): string {
  const kept = rows.flatMap((r) => {
    if (r.model.startsWith('mean of the')) return [];
    const said = /the last fit kept \d+ rounds \(intercept [-\d.]+\)/.exec(r.how)?.[0];
    return said === undefined ? [] : [`- ${r.model}: ${said.slice('the last fit '.length)}`];
  });
  return kept.length === 0 ? '' : `Boosted trees:\n\n${kept.join('\n')}\n\n`;
}

if (task === undefined || task === 't2') {
  const rows = await weeklyAblation(seed, progress, t2Set ?? 'main');
  process.stdout.write(`T2 validation weeks (seed ${seed})\n\n${table(rows)}\n\n${rounds(rows)}`);
}
