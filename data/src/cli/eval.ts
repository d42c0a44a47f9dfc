#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { NabCorpusError, readNabCorpus } from '../eval/nab/corpus.js';
import { formatNabReport, type NabReport } from '../eval/nab/evaluate.js';
import { runNabTask } from '../eval/nab/run.js';
import { combineSeeds, formatReport, type TaskReport } from '../eval/report.js';
import { runTierTask, runWeeklyTask, type EvalOptions } from '../eval/run.js';
import {
  formatSurveillanceReport,
  readHourlyCounts,
  SURVEILLANCE_FILES,
  runSurveillance,
  type SurveillanceReport,
} from '../eval/surveillance.js';

const HELP = `npm run eval -- [options]   the models against baselines and the Python reference, on real data

  --task t1|t2       one task only (default: both, unless --nab is given)
                     t1: Tamil Nadu district risk tier next year, NCRB tables, rolling origin
                     t2: next-week incident count and tercile per police district, an incident stream
  --nab DIR          the surge detector, BOCPD and the spike detector on a NAB-format corpus
                     (DIR/data/<group>/<file>.csv and DIR/labels/combined_windows.json), scored as NAB scores,
                     beside a static threshold and the null detector; runs alone unless --task is given too (e.g. --nab ../shared/data/nab)
  --surveillance     surge detectors (surge scan, NB-CUSUM, EARS C1/C2/C3, SurgeDetector) on injected surges
                     in real hourly counts per Chicago district (--data files, default 2016 and 2017): tuned on
                     the first year, reported on the last; runs alone unless --task is given too
  --data FILE        t2 on another incident CSV in the replay format (the Chicago export's columns);
                     repeatable; default ../shared/data/incidents/chicago_crimes_2016.csv and _2017.csv
  --region FILE      the region registry of --data (default data/regions/chicago.json)
  --ncrb DIR         the NCRB tables for t1 (default ../shared/data/ncrb)
  --no-reference     leave out the Python reference rows (prophet, scikit-learn)
  --seed N           seed of every model (default 1)
  --seeds N          run every task N times, seeds seed .. seed + N - 1; each row is the mean ± sd over them
  --test-weeks N     t2: the last N complete weeks are the test weeks (default 13; 26 for the rolling test)
  --json             one JSON document on stdout instead of tables: { generatedAt, seed, tasks?, nab? }
  -h, --help`;

class UsageError extends Error {}

function parse():
  | {
      options: EvalOptions;
      tasks: ('t1' | 't2')[];
      nab: string | undefined;
      surveillance: boolean;
      json: boolean;
      seeds: number;
    }
  | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        task: { type: 'string' },
        data: { type: 'string', multiple: true },
        region: { type: 'string' },
        ncrb: { type: 'string' },
        nab: { type: 'string' },
        surveillance: { type: 'boolean' },
        'no-reference': { type: 'boolean' },
        seed: { type: 'string' },
        seeds: { type: 'string' },
        'test-weeks': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help === true) return 'help';
  const task = values.task;
  if (task !== undefined && task !== 't1' && task !== 't2')
    throw new UsageError(`--task must be t1 or t2, not "${task}"`);
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new UsageError(`--seed must be a whole number, not "${values.seed}"`);
  const seeds = values.seeds === undefined ? 1 : Number(values.seeds);
  if (!Number.isSafeInteger(seeds) || seeds < 1)
    throw new UsageError(`--seeds must be a whole number ≥ 1, not "${values.seeds}"`);
  const testWeeks = values['test-weeks'] === undefined ? undefined : Number(values['test-weeks']);
  if (testWeeks !== undefined && (!Number.isSafeInteger(testWeeks) || testWeeks < 1))
    throw new UsageError(`--test-weeks must be a whole number ≥ 1, not "${values['test-weeks']}"`);
  if (testWeeks !== undefined && task === 't1') throw new UsageError('--test-weeks is for t2 only');
  if (values.data !== undefined && task === 't1')
    throw new UsageError('--data is an incident stream, for t2 only');
  const nab = values.nab;
  if (nab?.trim() === '') throw new UsageError('--nab needs a directory');
  const surveillance = values.surveillance === true;
  const tasks: ('t1' | 't2')[] =
    task !== undefined ? [task] : nab === undefined && !surveillance ? ['t1', 't2'] : [];
  if (tasks.length === 0) {
    for (const option of surveillance
      ? (['region', 'ncrb'] as const)
      : (['data', 'region', 'ncrb'] as const)) {
      if (values[option] !== undefined)
        throw new UsageError(`--${option} is for --task t1/t2, not --nab alone`);
    }
  }
  return {
    tasks,
    nab,
    surveillance,
    json: values.json === true,
    seeds,
    options: {
      seed,
      ...(testWeeks === undefined ? {} : { testWeeks }),
      reference: values['no-reference'] !== true,
      ...(values.data === undefined ? {} : { incidentFiles: values.data }),
      ...(values.region === undefined ? {} : { regionFile: values.region }),
      ...(values.ncrb === undefined ? {} : { ncrbDirectory: values.ncrb }),
      progress: (line) => process.stderr.write(`${line}\n`),
    },
  };
}

async function main(): Promise<number> {
  const args = parse();
  if (args === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  // A bad corpus is refused before any long task starts.
  const corpus = args.nab === undefined ? undefined : await readNabCorpus(args.nab);
  const reports: TaskReport[] = [];
  /** With several seeds, each seed's own report (in the JSON document as `runs`). */
  const perSeed: TaskReport[] = [];
  const seeds = Array.from({ length: args.seeds }, (_, i) => args.options.seed + i);
  for (const task of args.tasks) {
    const runs: TaskReport[] = [];
    for (const seed of seeds) {
      if (seeds.length > 1) args.options.progress(`${task}: seed ${seed}`);
      // The Python reference (minutes per run) runs with the first seed only; its rows say so.
      const options = { ...args.options, seed, reference: args.options.reference && seed === seeds[0] };
      runs.push(task === 't1' ? await runTierTask(options) : await runWeeklyTask(options));
    }
    const report = seeds.length > 1 ? combineSeeds(runs, seeds) : (runs[0] as TaskReport);
    reports.push(report);
    if (seeds.length > 1) perSeed.push(...runs);
    if (!args.json) process.stdout.write(`${formatReport(report)}\n\n`);
  }
  let nab: NabReport | undefined;
  if (corpus !== undefined) {
    nab = await runNabTask(corpus, { progress: (line) => process.stderr.write(`${line}\n`) });
    if (!args.json) process.stdout.write(`${formatNabReport(nab)}\n`);
  }
  let surveillance: SurveillanceReport | undefined;
  if (args.surveillance) {
    const files = args.options.incidentFiles ?? SURVEILLANCE_FILES;
    const counts = await readHourlyCounts(files);
    surveillance = runSurveillance(counts, {
      seed: args.options.seed,
      progress: (line) => process.stderr.write(`${line}\n`),
    });
    if (!args.json) process.stdout.write(`${formatSurveillanceReport(surveillance)}\n`);
  }
  if (args.json) {
    const document = {
      generatedAt: new Date().toISOString(),
      seed: args.options.seed,
      seeds,
      ...(args.tasks.length > 0 ? { tasks: reports } : {}),
      ...(perSeed.length > 0 ? { runs: perSeed } : {}),
      ...(nab === undefined ? {} : { nab }),
      ...(surveillance === undefined ? {} : { surveillance }),
    };
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const usage = error instanceof UsageError || error instanceof NabCorpusError;
    process.stderr.write(
      `eval: ${error instanceof Error ? error.message : String(error)}\n${usage ? '(--help lists the options)\n' : ''}`,
    );
    process.exit(usage ? 2 : 1);
  },
);
