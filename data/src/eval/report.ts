import type { ReliabilityBin } from '../tier/metrics.js';

/** One model's line in an evaluation table. Metrics a model cannot produce are `null`. */
export interface ModelRow {
  /** Short name, e.g. `persistence`, `prophet`, `fusion`, `python-prophet`. */
  readonly model: string;
  readonly kind: 'baseline' | 'branch' | 'fusion' | 'reference';
  readonly metrics: Readonly<Record<string, number | null>>;
  /** Wall time of all fits, and of all predictions, over the task (milliseconds). */
  readonly fitMs: number;
  readonly predictMs: number;
  /** How the row's predictions are made, in one sentence. */
  readonly how: string;
  /** With several seeds: `metrics` are the means over the seeds and these their standard deviations. */
  readonly sd?: Readonly<Record<string, number | null>>;
  /** The seeds the row was run with (one run per seed). */
  readonly seeds?: readonly number[];
  /** Reliability of the row's class probabilities (pooled over the seeds). */
  readonly reliability?: readonly ReliabilityBin[];
}

export interface TaskReport {
  readonly task: 't1' | 't2';
  readonly title: string;
  /** What was evaluated: data files, units, periods, sample counts. */
  readonly data: Readonly<Record<string, string | number>>;
  readonly metricNames: readonly string[];
  readonly rows: readonly ModelRow[];
  /** Findings worth reading next to the table (targets met or not, and why). */
  readonly notes: readonly string[];
}

/** A fixed-width text table of a task report, for people. */
export function formatReport(report: TaskReport): string {
  const header = ['model', 'kind', ...report.metricNames, 'fit s', 'predict s'];
  const lines = report.rows.map((row) => [
    row.model,
    row.kind,
    ...report.metricNames.map(
      (name) =>
        formatNumber(row.metrics[name] ?? null) +
        (row.sd === undefined ? '' : ` ± ${formatNumber(row.sd[name] ?? null)}`),
    ),
    (row.fitMs / 1000).toFixed(2),
    (row.predictMs / 1000).toFixed(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => (line[i] ?? '').length)));
  const pad = (cells: string[]) =>
    cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  const data = Object.entries(report.data).map(([key, value]) => `  ${key}: ${value}`);
  const how = report.rows.map((row) => `  ${row.model}: ${row.how}`);
  const seeds = report.rows[0]?.seeds;
  const single = report.rows.filter((row) => row.seeds?.length === 1).map((row) => row.model);
  return [
    `${report.task.toUpperCase()} ${report.title}`,
    ...data,
    ...(seeds !== undefined && seeds.length > 1
      ? [
          `  seeds: ${seeds.join(', ')} (metrics: mean ± sd over the seeds; times: mean per seed)${single.length > 0 ? `; ${single.join(', ')}: first seed only` : ''}`,
        ]
      : []),
    '',
    pad(header),
    pad(header.map((_, i) => '-'.repeat(widths[i] ?? 0))),
    ...lines.map(pad),
    '',
    'rows',
    ...how,
    ...(report.notes.length > 0 ? ['', 'notes', ...report.notes.map((note) => `  - ${note}`)] : []),
    ...formatReliability(report.rows),
  ].join('\n');
}

/**
 * The reliability table: per model, the observed frequency of the class in each bin of predicted
 * probability (one-vs-rest over the classes), with the number of class probabilities in the bin.
 */
function formatReliability(rows: readonly ModelRow[]): string[] {
  const withBins = rows.filter((row) => row.reliability !== undefined);
  const first = withBins[0]?.reliability;
  if (first === undefined) return [];
  const header = ['model', ...first.map((b) => `${b.from.toFixed(1)}-${b.to.toFixed(1)}`)];
  const lines = withBins.map((row) => [
    row.model,
    ...(row.reliability ?? []).map((b) => (b.observed === null ? '-' : `${b.observed.toFixed(2)} (${b.n})`)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => (line[i] ?? '').length)));
  const pad = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  return [
    '',
    'reliability: observed frequency of the class (and how many class probabilities) per bin of predicted probability',
    pad(header),
    ...lines.map(pad),
  ];
}

/** Rows of several runs of a task (one per seed, same rows in the same order) as one: means ± sd. */
export function combineSeeds(reports: readonly TaskReport[], seeds: readonly number[]): TaskReport {
  const [first] = reports;
  if (first === undefined) throw new RangeError('combineSeeds: no reports');
  const rows = first.rows.map((row, r) => {
    // A row of the first run only (the Python reference runs once) keeps its one seed.
    const runs = reports.flatMap((report, i) => {
      const run = report.rows[r];
      if (run === undefined && i > 0) return [];
      if (run?.model !== row.model)
        throw new RangeError(`combineSeeds: row ${r} is ${run?.model ?? 'missing'}, expected ${row.model}`);
      return [run];
    });
    const stat = (name: string) => {
      const values = runs.map((run) => run.metrics[name]);
      if (values.some((v) => v === null || v === undefined)) return { mean: null, sd: null };
      const xs = values as number[];
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd =
        xs.length < 2 ? null : Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
      return { mean, sd };
    };
    const names = Object.keys(row.metrics);
    const bins = row.reliability?.map((bin, b) => {
      const parts = runs.map((run) => run.reliability?.[b]);
      const n = parts.reduce((a, p) => a + (p?.n ?? 0), 0);
      const weighted = (pick: (p: NonNullable<(typeof parts)[number]>) => number | null) =>
        n === 0 ? null : parts.reduce((a, p) => a + (p === undefined ? 0 : (pick(p) ?? 0) * p.n), 0) / n;
      return {
        from: bin.from,
        to: bin.to,
        n,
        predicted: weighted((p) => p.predicted),
        observed: weighted((p) => p.observed),
      };
    });
    return {
      ...row,
      metrics: Object.fromEntries(names.map((name) => [name, stat(name).mean])),
      sd: Object.fromEntries(names.map((name) => [name, stat(name).sd])),
      fitMs: runs.reduce((a, run) => a + run.fitMs, 0) / runs.length,
      predictMs: runs.reduce((a, run) => a + run.predictMs, 0) / runs.length,
      seeds: seeds.slice(0, runs.length),
      ...(bins === undefined ? {} : { reliability: bins }),
    };
  });
  return { ...first, rows, notes: [...new Set(reports.flatMap((report) => report.notes))] };
}

function formatNumber(value: number | null): string {
  return value === null ? '-' : value.toFixed(3);
}
