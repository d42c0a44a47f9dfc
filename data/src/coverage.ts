import type { RegionRegistry } from './registry.js';

/** Source rows a loader did not turn into output rows, by reason. */
export interface SkippedRows {
  readonly reason: string;
  readonly rows: number;
  /** Up to five examples (row number and what was read). */
  readonly examples: readonly string[];
}

/** A unit name of the source that no registry unit spells that way. */
export interface UnmappedName {
  readonly name: string;
  readonly years: readonly number[];
  readonly rows: number;
}

/** A registry district without any row in some of the source's years. */
export interface MissingDistrict {
  readonly code: string;
  readonly name: string;
  readonly years: readonly number[];
}

/**
 * What a loader read and what it could not use: every source row is either used or counted under
 * a skip reason (`rowsRead = rowsUsed + sum of skipped rows`), so nothing is dropped silently.
 */
export interface CoverageReport {
  /** File name, without its directory. */
  readonly file: string;
  readonly rowsRead: number;
  readonly rowsUsed: number;
  /** Years present in the used rows, ascending. */
  readonly years: readonly number[];
  /** Years the source is documented to hold but has no row for, plus gaps inside its range. */
  readonly missingYears: readonly number[];
  readonly unmappedNames: readonly UnmappedName[];
  /** Source columns with counts that the category mapping does not know. */
  readonly unmappedHeads: readonly string[];
  /** Registry districts with no row in some of the years present (empty for state-level sources). */
  readonly missingDistricts: readonly MissingDistrict[];
  readonly skipped: readonly SkippedRows[];
  /** Anything else worth knowing: sums that disagree, blank cells, merged source units. */
  readonly notes: readonly string[];
}

const MAX_EXAMPLES = 5;

/** Collects a loader's coverage as it reads; `report()` freezes it. */
export class CoverageBuilder {
  private rowsRead = 0;
  private rowsUsed = 0;
  private readonly years = new Set<number>();
  private readonly skipped = new Map<string, { rows: number; examples: string[] }>();
  private readonly unmapped = new Map<string, { years: Set<number>; rows: number }>();
  private readonly heads = new Set<string>();
  private readonly districtYears = new Map<string, Set<number>>();
  private readonly notes: string[] = [];

  constructor(
    private readonly file: string,
    private readonly expectedYears: readonly number[] = [],
  ) {}

  /** Counts a source row; call once per row before `use` or `skip`. */
  read(): void {
    this.rowsRead += 1;
  }

  /** A source row turned into output for `year` (or several years), attributed to `district` when it has one. */
  use(year: number | readonly number[], district?: string | null): void {
    this.rowsUsed += 1;
    for (const each of typeof year === 'number' ? [year] : year) {
      this.years.add(each);
      if (district !== undefined && district !== null) this.covered(district, each);
    }
  }

  /** Marks a district as present in a year. */
  private covered(district: string, year: number): void {
    const years = this.districtYears.get(district) ?? new Set<number>();
    years.add(year);
    this.districtYears.set(district, years);
  }

  skip(reason: string, example: string): void {
    const entry = this.skipped.get(reason) ?? { rows: 0, examples: [] };
    entry.rows += 1;
    if (entry.examples.length < MAX_EXAMPLES) entry.examples.push(example);
    this.skipped.set(reason, entry);
  }

  /** A row whose unit name the registry does not know; also counted as skipped. */
  unmappedName(name: string, year: number, example: string): void {
    const entry = this.unmapped.get(name) ?? { years: new Set<number>(), rows: 0 };
    entry.years.add(year);
    entry.rows += 1;
    this.unmapped.set(name, entry);
    this.skip('unit name not in the region registry', example);
  }

  unmappedHead(head: string): void {
    this.heads.add(head);
  }

  note(text: string): void {
    this.notes.push(text);
  }

  /**
   * The finished report. With a registry, districts missing from some present year are listed;
   * pass none for state-level sources.
   */
  report(registry?: RegionRegistry): CoverageReport {
    const years = [...this.years].sort((a, b) => a - b);
    return {
      file: this.file,
      rowsRead: this.rowsRead,
      rowsUsed: this.rowsUsed,
      years,
      missingYears: missingYears(years, this.expectedYears),
      unmappedNames: [...this.unmapped].map(([name, entry]) => ({
        name,
        years: [...entry.years].sort((a, b) => a - b),
        rows: entry.rows,
      })),
      unmappedHeads: [...this.heads],
      missingDistricts: registry === undefined ? [] : this.missingDistricts(registry, years),
      skipped: [...this.skipped].map(([reason, entry]) => ({ reason, ...entry })),
      notes: [...this.notes],
    };
  }

  private missingDistricts(registry: RegionRegistry, years: readonly number[]): MissingDistrict[] {
    return registry
      .districts()
      .map((unit) => {
        const present = this.districtYears.get(unit.code) ?? new Set<number>();
        return { code: unit.code, name: unit.name, years: years.filter((year) => !present.has(year)) };
      })
      .filter((missing) => missing.years.length > 0);
  }
}

/** Expected years without data plus the gaps between the first and last year present. */
function missingYears(present: readonly number[], expected: readonly number[]): number[] {
  const have = new Set(present);
  const wanted = new Set(expected);
  const first = present[0];
  const last = present.at(-1);
  if (first !== undefined && last !== undefined)
    for (let year = first; year <= last; year++) wanted.add(year);
  return [...wanted].filter((year) => !have.has(year)).sort((a, b) => a - b);
}

/** Years present in any of the reports, and the years between the first and last that none holds. */
export function yearsAcross(reports: readonly CoverageReport[]): { years: number[]; missingYears: number[] } {
  const years = [...new Set(reports.flatMap((report) => report.years))].sort((a, b) => a - b);
  return { years, missingYears: missingYears(years, []) };
}
