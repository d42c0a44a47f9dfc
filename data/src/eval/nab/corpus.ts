import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readCsv } from '../../csv.js';
import type { LabelWindow } from './scoring.js';

/** One NAB data file with its labelled windows. */
export interface NabSeries {
  /** Path relative to `DIR/data`, as NAB names files: `realKnownCause/nyc_taxi.csv`. */
  readonly path: string;
  /** Record times, epoch ms (NAB's timestamps carry no zone; read as UTC). Not always increasing. */
  readonly timestamps: readonly number[];
  readonly values: readonly number[];
  readonly windows: readonly LabelWindow[];
}

/** A NAB-format corpus: the data files that have labels, and what did not match. */
export interface NabCorpus {
  readonly directory: string;
  /** Sorted by path. */
  readonly series: readonly NabSeries[];
  /** Data files without an entry in the labels (NAB's runner skips them too). */
  readonly unlabelled: readonly string[];
  /** Label entries without a data file. */
  readonly missing: readonly string[];
}

/** The directory is not a readable NAB corpus (a usage error, not a failure of the evaluation). */
export class NabCorpusError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NabCorpusError';
  }
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/** A NAB timestamp (`2014-04-10 07:15:00`, optionally with microseconds) as UTC epoch ms. */
export function parseNabTimestamp(text: string): number {
  const m = TIMESTAMP.exec(text.trim());
  if (m === null) throw new NabCorpusError(`not a NAB timestamp: ${JSON.stringify(text)}`);
  const [, y, mo, d, h, mi, s, fraction] = m;
  const ms = fraction === undefined ? 0 : Math.floor(Number(fraction.padEnd(6, '0')) / 1000);
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
}

/**
 * Reads `DIR/data/<group>/<file>.csv` (columns `timestamp,value`) and `DIR/labels/combined_windows.json`.
 * @throws NabCorpusError when DIR, its data folder or its labels file is missing, or a file is malformed.
 */
export async function readNabCorpus(directory: string): Promise<NabCorpus> {
  const dataDir = join(directory, 'data');
  const labelsFile = join(directory, 'labels', 'combined_windows.json');
  await requireExisting(directory, 'directory', 'the NAB corpus directory');
  await requireExisting(dataDir, 'directory', 'its data folder (DIR/data/<group>/<file>.csv)');
  await requireExisting(labelsFile, 'file', 'its labels (DIR/labels/combined_windows.json)');

  const labels = parseLabels(await readFile(labelsFile, 'utf8'), labelsFile);
  const files: string[] = [];
  for (const group of (await readdir(dataDir, { withFileTypes: true })).filter((e) => e.isDirectory())) {
    for (const entry of await readdir(join(dataDir, group.name), { withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith('.csv')) files.push(`${group.name}/${entry.name}`);
    }
  }
  files.sort();
  const series: NabSeries[] = [];
  const unlabelled: string[] = [];
  for (const path of files) {
    const windows = labels.get(path);
    if (windows === undefined) {
      unlabelled.push(path);
      continue;
    }
    const timestamps: number[] = [];
    const values: number[] = [];
    const file = join(dataDir, path);
    for await (const record of readCsv(file)) {
      const { timestamp, value } = record.values;
      if (timestamp === undefined || value === undefined) {
        throw new NabCorpusError(`${file} row ${record.row}: needs the columns timestamp and value`);
      }
      const v = Number(value);
      if (value.trim() === '' || !Number.isFinite(v)) {
        throw new NabCorpusError(`${file} row ${record.row}: value ${JSON.stringify(value)} is not a number`);
      }
      try {
        timestamps.push(parseNabTimestamp(timestamp));
      } catch (error) {
        throw new NabCorpusError(`${file} row ${record.row}: ${(error as Error).message}`, { cause: error });
      }
      values.push(v);
    }
    if (values.length === 0) throw new NabCorpusError(`${file} has no records`);
    series.push({ path, timestamps, values, windows });
  }
  const missing = [...labels.keys()].filter((path) => !files.includes(path)).sort();
  if (series.length === 0) throw new NabCorpusError(`no labelled data file under ${dataDir}`);
  return { directory, series, unlabelled, missing };
}

function parseLabels(text: string, file: string): Map<string, LabelWindow[]> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new NabCorpusError(`${file} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new NabCorpusError(`${file} must map each data file to its list of [start, end] windows`);
  }
  const labels = new Map<string, LabelWindow[]>();
  for (const [path, windows] of Object.entries(json as Record<string, unknown>)) {
    if (!Array.isArray(windows)) throw new NabCorpusError(`${file}: ${path} must be a list of windows`);
    labels.set(
      path,
      (windows as unknown[]).map((w, i) => {
        const [start, end, ...rest] = Array.isArray(w) ? (w as unknown[]) : [];
        if (typeof start !== 'string' || typeof end !== 'string' || rest.length > 0) {
          throw new NabCorpusError(`${file}: ${path} window ${i} must be [start, end] timestamps`);
        }
        return { start: parseNabTimestamp(start), end: parseNabTimestamp(end) };
      }),
    );
  }
  return labels;
}

async function requireExisting(path: string, kind: 'file' | 'directory', what: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new NabCorpusError(
      `${path} ${missing ? 'does not exist' : `cannot be read (${(error as Error).message})`}: expected ${what}`,
      { cause: error },
    );
  }
  if (kind === 'file' ? !info.isFile() : !info.isDirectory()) {
    throw new NabCorpusError(`${path} is not a ${kind}: expected ${what}`);
  }
}
