import { existsSync, readFileSync } from 'node:fs';
import { parseRateTable, type RateTable, type Region } from '@district-monitor/streams';

/**
 * The simulator's rate table for a region (`data/rates/*.json`), or undefined when the file is absent or
 * belongs to another region (the simulator then draws districts evenly). A malformed table throws: it was
 * meant to be used.
 */
export function readRateTable(file: string, region: Region): RateTable | undefined {
  if (!existsSync(file)) return undefined;
  const table = parseRateTable(JSON.parse(readFileSync(file, 'utf8')), file);
  return table.region === region.code ? table : undefined;
}
