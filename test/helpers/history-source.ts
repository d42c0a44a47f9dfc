import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { NCRB_FILES, NCRB_HEADS, loadRegion, type RegionRegistry } from '@district-monitor/data';
import type { HistoryHead } from '@district-monitor/streams';
import { REPO_ROOT } from './services.js';

/**
 * Recomputes a history figure straight from its source CSV, apart from the build's code path
 * (data/src/history-build.ts and the NCRB loader): parses the file itself, picks the region's rows of the
 * year, resolves each row's unit with the region registry (its spellings and `parent` are the merge rules),
 * and adds up the columns that the category vocabulary (NCRB_HEADS) counts. Blank and NA cells count 0.
 */
export class HistorySourceCsv {
  private readonly files = new Map<string, Record<string, string>[]>();

  private constructor(
    private readonly shared: string,
    private readonly registry: RegionRegistry,
  ) {}

  static async open(regionFile = join(REPO_ROOT, 'data/regions/tamil-nadu.json')): Promise<HistorySourceCsv> {
    return new HistorySourceCsv(join(REPO_ROOT, '../shared/data'), await loadRegion(regionFile));
  }

  private rows(file: string): Record<string, string>[] {
    let rows = this.files.get(file);
    if (rows === undefined) {
      rows = parse<Record<string, string>>(readFileSync(join(this.shared, file)), {
        columns: true,
        bom: true,
        record_delimiter: ['\r\n', '\n', '\r'],
        skip_empty_lines: true,
      });
      this.files.set(file, rows);
    }
    return rows;
  }

  /** The registry unit a source name counts in: its district, a police unit's parent, or a statewide unit itself. */
  private placeOf(name: string): string | undefined {
    const unit = this.registry.find(name);
    if (unit === undefined) return undefined;
    return unit.kind === 'district' ? unit.code : (unit.parent ?? unit.code);
  }

  /** The figure of `unit`, `head` and `year` in `file` (path under ../shared/data); null when no row counts there. */
  expected(
    file: string,
    head: Pick<HistoryHead, 'group' | 'category' | 'measure'>,
    unit: string,
    year: number,
  ): number | null {
    const rows = this.rows(file);
    const header = Object.keys(rows[0] ?? {});
    const pick = (pattern: RegExp): string => {
      const column = header.find((name) => pattern.test(name));
      if (column === undefined) throw new Error(`${file}: no column matches ${String(pattern)}`);
      return column;
    };
    if (head.group === 'accidents') {
      const mine = rows.filter((row) => this.placeOf(row.district ?? '') === unit);
      if (mine.length === 0) return null;
      const columns =
        head.measure === 'accidents'
          ? [`total__${year}`]
          : head.measure === 'fatal_accidents'
            ? [`${year}_fatal`]
            : header.filter((name) => name.startsWith('death_by_') && name.endsWith(String(year)));
      return sum(mine, columns);
    }
    const spec = NCRB_FILES.find((candidate) => `ncrb/${candidate.file}` === file);
    if (spec === undefined) throw new Error(`${file} is no NCRB file`);
    const stateColumn = pick(/^(STATE\/UT|States\/UTs|state_name)$/);
    const yearColumn = pick(/^year$/i);
    const unitColumn = pick(/^(DISTRICT|District|registration_circles)$/);
    const mine = rows.filter(
      (row) =>
        this.registry.isRegionName(row[stateColumn] ?? '') &&
        Number(row[yearColumn]) === year &&
        this.placeOf(row[unitColumn] ?? '') === unit,
    );
    if (mine.length === 0) return null;
    const columns = Object.entries(NCRB_HEADS[spec.layout])
      .filter(
        ([, rule]) =>
          rule.kind === 'count' && (head.category === undefined || rule.category === head.category),
      )
      .map(([column]) => column);
    return sum(mine, columns);
  }
}

function sum(rows: readonly Record<string, string>[], columns: readonly string[]): number {
  let total = 0;
  for (const row of rows)
    for (const column of columns) {
      const text = (row[column] ?? '').trim();
      if (text === '' || text.toUpperCase() === 'NA') continue;
      const value = Number(text);
      if (!Number.isInteger(value) || value < 0) throw new Error(`cell ${column} is "${text}", not a count`);
      total += value;
    }
  return total;
}
