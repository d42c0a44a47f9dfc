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
    ...report.metricNames.map((name) => formatNumber(row.metrics[name] ?? null)),
    (row.fitMs / 1000).toFixed(2),
    (row.predictMs / 1000).toFixed(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => (line[i] ?? '').length)));
  const pad = (cells: string[]) =>
    cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  const data = Object.entries(report.data).map(([key, value]) => `  ${key}: ${value}`);
  const how = report.rows.map((row) => `  ${row.model}: ${row.how}`);
  return [
    `${report.task.toUpperCase()} ${report.title}`,
    ...data,
    '',
    pad(header),
    pad(header.map((_, i) => '-'.repeat(widths[i] ?? 0))),
    ...lines.map(pad),
    '',
    'rows',
    ...how,
    ...(report.notes.length > 0 ? ['', 'notes', ...report.notes.map((note) => `  - ${note}`)] : []),
  ].join('\n');
}

function formatNumber(value: number | null): string {
  return value === null ? '-' : value.toFixed(3);
}
