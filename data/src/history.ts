import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseHistoryDataset, type HistoryDataset, type Region } from '@district-monitor/streams';

/**
 * The committed yearly district history of a region (format: `HistoryDataset` in streams/src/history.ts,
 * built by data/scripts/build-history.mjs), read and validated, with the file's content hash.
 */
export interface LoadedHistory {
  readonly dataset: HistoryDataset;
  /** sha256 of the file's bytes (hex): the version the database load compares. */
  readonly version: string;
  /** Absolute path of the file. */
  readonly file: string;
}

/** The absolute path of a region's history file (its `history` field, relative to the region file), if any. */
export function historyFileOf(region: Region, regionFile: string | URL): string | undefined {
  if (region.history === undefined) return undefined;
  const path = typeof regionFile === 'string' ? regionFile : fileURLToPath(regionFile);
  return resolve(dirname(path), region.history);
}

/** Reads and validates a history file; errors name the file. */
export async function loadHistory(file: string | URL): Promise<LoadedHistory> {
  const path = typeof file === 'string' ? resolve(file) : fileURLToPath(file);
  const bytes = await readFile(path);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new Error(`history file ${path} is not valid JSON`, { cause: error });
  }

  return {
    dataset: parseHistoryDataset(json, path),
    version: createHash('sha256').update(bytes).digest('hex'),
    file: path,
  };
}
