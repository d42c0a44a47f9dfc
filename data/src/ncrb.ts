import type { RegionUnit } from '@district-monitor/streams';
import { NCRB_HEADS, type HeadRule, type NcrbLayout } from './categories.js';
import { CoverageBuilder, yearsAcross } from './coverage.js';
import { countCell, readCsv, type CsvRecord } from './csv.js';
import { inDirectory } from './paths.js';
import { attribution, type RegionRegistry } from './registry.js';
import type { CountLoad, CountRow } from './rows.js';

/** Where an NCRB file keeps its identifying columns, and what it is documented to hold. */
export interface NcrbFileSpec {
  readonly file: string;
  readonly layout: NcrbLayout;
  /** Years the file is documented to hold (../shared/data/README.md). */
  readonly years: readonly number[];
  readonly stateColumn: string;
  readonly yearColumn: string;
  /** The reporting unit: a district or police unit (2016 on: the registration circle). */
  readonly unitColumn: string;
  /** 2016 on: the revenue district NCRB files the circle under, cross-checked with the registry. */
  readonly districtColumn?: string;
  /** Other columns that identify a row rather than count anything. */
  readonly keyColumns: readonly string[];
}

const range = (first: number, last: number): number[] =>
  Array.from({ length: last - first + 1 }, (_, i) => first + i);

const OLD = { stateColumn: 'STATE/UT', yearColumn: 'YEAR', unitColumn: 'DISTRICT', keyColumns: [] };
const NEW = {
  stateColumn: 'state_name',
  yearColumn: 'year',
  unitColumn: 'registration_circles',
  districtColumn: 'district_name',
  keyColumns: ['id', 'state_code', 'district_code'],
};

/** The NCRB district-wise tables in ../shared/data/ncrb. */
export const NCRB_FILES: readonly NcrbFileSpec[] = [
  {
    file: '01_District_wise_crimes_committed_IPC_2001_2012.csv',
    layout: 'ipc-2001-2013',
    years: range(2001, 2012),
    ...OLD,
  },
  { file: '01_District_wise_crimes_committed_IPC_2013.csv', layout: 'ipc-2001-2013', years: [2013], ...OLD },
  {
    file: '01_District_wise_crimes_committed_IPC_2014.csv',
    layout: 'ipc-2014',
    years: [2014],
    ...OLD,
    stateColumn: 'States/UTs',
    yearColumn: 'Year',
    unitColumn: 'District',
  },
  { file: 'districtwise-ipc-crimes-2016_TamilNadu_rows.csv', layout: 'ipc-2016', years: [2016], ...NEW },
  { file: 'districtwise-ipc-crimes-2017-onwards.csv', layout: 'ipc-2017', years: range(2017, 2022), ...NEW },
  {
    file: '42_District_wise_crimes_committed_against_women_2001_2012.csv',
    layout: 'women-2001-2012',
    years: range(2001, 2012),
    ...OLD,
  },
  {
    file: 'districtwise-crime-against-women-2017-onwards.csv',
    layout: 'women-2017',
    years: range(2017, 2022),
    ...NEW,
  },
  {
    file: '02_01_District_wise_crimes_committed_against_SC_2001_2012.csv',
    layout: 'sc-2001-2012',
    years: range(2001, 2012),
    ...OLD,
  },
  {
    file: '03_District_wise_crimes_committed_against_children_2001_2012.csv',
    layout: 'children-2001-2012',
    years: range(2001, 2012),
    ...OLD,
    yearColumn: 'Year',
  },
];

/** Unit names that are the state's own total row. */
const STATE_TOTAL_NAMES = new Set(['total', 'zztotal']);
const isStateTotal = (name: string): boolean => STATE_TOTAL_NAMES.has(name.toLowerCase().replace(/\s+/g, ''));

/** Per-file findings that become one note per topic; a repeated detail is counted, not repeated. */
class Findings {
  private readonly byTopic = new Map<string, Map<string, number>>();

  add(topic: string, detail: string): void {
    const details = this.byTopic.get(topic) ?? new Map<string, number>();
    details.set(detail, (details.get(detail) ?? 0) + 1);
    this.byTopic.set(topic, details);
  }

  notes(): string[] {
    return [...this.byTopic].map(
      ([topic, details]) =>
        `${topic}: ${[...details].map(([detail, n]) => (n > 1 ? `${detail} (x${n})` : detail)).join('; ')}`,
    );
  }
}

/** Reads the counted heads of one row, checking subtotals and the total against their parts. */
function readHeads(
  record: CsvRecord,
  heads: readonly (readonly [string, HeadRule])[],
  source: { readonly name: string; readonly year: number },
  findings: Findings,
): { head: string; category: CountRow['category']; count: number }[] {
  const where = `${source.name} ${source.year}`;
  const value = (head: string): number | undefined => {
    const count = countCell(record.values[head]);
    if (count === undefined) findings.add('blank or NA cells, read as no count', `${head} ${source.year}`);
    else if (Number.isNaN(count))
      findings.add('cells that are not whole numbers, read as no count', `${where} ${head}`);
    return count === undefined || Number.isNaN(count) ? undefined : count;
  };
  const counts = [];
  let sum = 0;
  let reportedTotal: number | undefined;
  for (const [head, rule] of heads) {
    if (rule.kind === 'count') {
      const count = value(head);
      if (count === undefined) continue;
      counts.push({ head, category: rule.category, count });
      sum += count;
    } else if (rule.kind === 'total') {
      reportedTotal = value(head);
    } else {
      const reported = value(head);
      const parts = rule.parts.reduce((acc, part) => acc + (countCell(record.values[part]) ?? 0), 0);
      if (reported !== undefined && reported !== parts)
        findings.add('subtotals that differ from their parts', `${where} ${head} ${reported} vs ${parts}`);
    }
  }
  if (reportedTotal !== undefined && reportedTotal !== sum)
    findings.add('totals that differ from the sum of their heads', `${where} ${reportedTotal} vs ${sum}`);
  return counts;
}

/** The file's count columns with their rules; columns the mapping does not know are reported. */
function headsOf(
  header: readonly string[],
  spec: NcrbFileSpec,
  coverage: CoverageBuilder,
): [string, HeadRule][] {
  const keys = new Set([
    spec.stateColumn,
    spec.yearColumn,
    spec.unitColumn,
    ...(spec.districtColumn === undefined ? [] : [spec.districtColumn]),
    ...spec.keyColumns,
  ]);
  const table = NCRB_HEADS[spec.layout];
  const heads: [string, HeadRule][] = [];
  for (const column of header) {
    if (keys.has(column)) continue;
    const rule = table[column];
    if (rule === undefined) coverage.unmappedHead(column);
    else heads.push([column, rule]);
  }
  return heads;
}

/**
 * Loads one NCRB district-wise table for the registry's region: one row per unit, year and counted
 * head (`measure: 'cases'`), police units attributed to their parent district, state totals apart.
 */
export async function loadNcrbFile(
  directory: string | URL,
  spec: NcrbFileSpec,
  registry: RegionRegistry,
): Promise<CountLoad> {
  const coverage = new CoverageBuilder(spec.file, spec.years);
  const findings = new Findings();
  const rows: CountRow[] = [];
  const totals: CountRow[] = [];
  const sources = new Map<string, Set<string>>();
  let heads: [string, HeadRule][] | undefined;

  for await (const record of readCsv(inDirectory(directory, spec.file))) {
    coverage.read();
    heads ??= headsOf(Object.keys(record.values), spec, coverage);
    const state = record.values[spec.stateColumn]?.trim() ?? '';
    const name = record.values[spec.unitColumn]?.trim() ?? '';
    const example = `row ${record.row}: ${state} / ${name}`;
    if (!registry.isRegionName(state)) {
      coverage.skip(`outside ${registry.region.name}`, example);
      continue;
    }
    const year = Number(record.values[spec.yearColumn]);
    if (!Number.isInteger(year)) {
      coverage.skip('year is not a whole number', example);
      continue;
    }
    if (isStateTotal(name)) {
      for (const count of readHeads(record, heads, { name, year }, findings))
        totals.push({ year, district: null, measure: 'cases', ...count });
      coverage.skip('state total row (returned in totals)', example);
      continue;
    }
    const unit = registry.find(name);
    if (unit === undefined) {
      coverage.unmappedName(name, year, example);
      continue;
    }
    const place = attribution(unit);
    checkFiledDistrict(record, spec, registry, unit, place.district, findings);
    const key = `${unit.code} ${year}`;
    const seen = sources.get(key) ?? new Set<string>();
    if (seen.has(name)) findings.add('rows repeated in the same year', `${name} ${year}`);
    sources.set(key, seen.add(name));
    for (const count of readHeads(record, heads, { name, year }, findings))
      rows.push({ year, ...place, measure: 'cases', ...count });
    coverage.use(year, place.district);
  }
  for (const [key, names] of sources) {
    const code = key.split(' ')[0] ?? key;
    if (names.size > 1)
      findings.add(
        'source units summed into one registry unit (years)',
        `${code}: ${[...names].join(' + ')}`,
      );
  }
  for (const note of findings.notes()) coverage.note(note);
  return { rows, totals, coverage: coverage.report(registry) };
}

/** 2016 on, NCRB files each circle under a district: note where the registry attributes it elsewhere. */
function checkFiledDistrict(
  record: CsvRecord,
  spec: NcrbFileSpec,
  registry: RegionRegistry,
  unit: RegionUnit,
  district: string | null,
  findings: Findings,
): void {
  if (spec.districtColumn === undefined) return;
  const filed = record.values[spec.districtColumn]?.trim() ?? '';
  const filedUnit = registry.find(filed);
  if (filedUnit === undefined) {
    findings.add(`${spec.districtColumn} not in the region registry`, filed);
  } else if (filedUnit.code !== district) {
    findings.add(
      `${spec.districtColumn} differs from the registry's district`,
      `${unit.code} filed under ${filedUnit.code}, registry: ${district ?? 'statewide'}`,
    );
  }
}

/** Every NCRB file of a directory, loaded with `loadNcrbFile`, and the years none of them covers. */
export async function loadNcrb(
  directory: string | URL,
  registry: RegionRegistry,
): Promise<{ files: CountLoad[]; years: number[]; missingYears: number[] }> {
  const files: CountLoad[] = [];
  for (const spec of NCRB_FILES) files.push(await loadNcrbFile(directory, spec, registry));
  return { files, ...yearsAcross(files.map((load) => load.coverage)) };
}
