import { CoverageBuilder } from './coverage.js';
import { countCell, fileName, readCsv, type CsvRecord } from './csv.js';
import { attribution, type RegionRegistry } from './registry.js';
import type { CountLoad, CountRow, Measure } from './rows.js';

/** The road-accident files of ../shared/data/accidents, by role. */
export const ACCIDENT_FILES = {
  units: 'road_acccidents_ML_mini_project.csv',
  timeOfDay: 'only_road_accidents_data3.csv',
  month: 'only_road_accidents_data_month2.csv',
  stateYear: 'RS_Session_265_AU_1075_A_i_0.csv',
  cityCauses: 'Regulatory Affairs of Road Accident Data 2020 India.csv',
} as const;

const accident = (row: Omit<CountRow, 'category'>): CountRow => ({ category: 'road_accident', ...row });

/** Reads a count cell; a blank, NA or malformed cell is noted and gives undefined. */
function cell(record: CsvRecord, column: string, coverage: CoverageBuilder): number | undefined {
  const value = countCell(record.values[column]);
  if (value === undefined || Number.isNaN(value)) {
    coverage.note(`row ${record.row}: ${column} is "${record.values[column] ?? ''}", read as no count`);
    return undefined;
  }
  return value;
}

const VEHICLE_DEATHS_2021 = [
  'death_by_lorries__2021',
  'death_by_buses2021',
  'death_by_carsjeeps_2021',
  'death_by_threewheelers__2021',
  'death_by_twowheelers_2021',
  'death_by_others_2021',
];

/**
 * road_acccidents_ML_mini_project.csv: Tamil Nadu's city and district police units, 2020 and 2021.
 * Rows: accidents and fatal accidents per year, people killed by vehicle type in 2021. The non-fatal
 * and total columns are checked (fatal + non-fatal = total; total_accidents = both years), not
 * emitted. Its latitude/longitude columns are not read (wrong for Salem and Salem City).
 */
export async function loadAccidentUnits(file: string | URL, registry: RegionRegistry): Promise<CountLoad> {
  const coverage = new CoverageBuilder(fileName(file), [2020, 2021]);
  const rows: CountRow[] = [];
  for await (const record of readCsv(file)) {
    coverage.read();
    const name = record.values.district?.trim() ?? '';
    const unit = registry.find(name);
    if (unit === undefined) {
      coverage.unmappedName(name, 2020, `row ${record.row}: ${name}`);
      continue;
    }
    const where = attribution(unit);
    const value = (column: string): number | undefined => cell(record, column, coverage);
    let bothYears = 0;
    for (const year of [2020, 2021]) {
      const [fatal, nonFatal, total] = [`${year}_fatal`, `${year}_nonfatal`, `total__${year}`].map(value);
      if (fatal !== undefined)
        rows.push(
          accident({ year, ...where, measure: 'fatal_accidents', head: `${year}_fatal`, count: fatal }),
        );
      if (total !== undefined)
        rows.push(accident({ year, ...where, measure: 'accidents', head: `total__${year}`, count: total }));
      if (fatal !== undefined && nonFatal !== undefined && total !== fatal + nonFatal)
        coverage.note(`${name} ${year}: total ${total ?? '?'} is not fatal ${fatal} + non-fatal ${nonFatal}`);
      bothYears += total ?? 0;
    }
    if (value('total_accidents') !== bothYears)
      coverage.note(`${name}: total_accidents is not total__2020 + total__2021 (${bothYears})`);
    for (const head of VEHICLE_DEATHS_2021) {
      const count = value(head);
      if (count !== undefined) rows.push(accident({ year: 2021, ...where, measure: 'killed', head, count }));
    }
    coverage.use([2020, 2021], where.district);
  }
  return { rows, totals: [], coverage: coverage.report(registry) };
}

/** A state-by-year table whose count columns are given; other states are skipped, the total checked. */
async function loadStateTable(
  file: string | URL,
  registry: RegionRegistry,
  layout: {
    readonly stateColumn: string;
    readonly yearColumn: string;
    readonly heads: readonly { readonly column: string; readonly month?: number }[];
    readonly totalColumn: string;
    readonly years: readonly number[];
  },
): Promise<CountLoad> {
  const coverage = new CoverageBuilder(fileName(file), layout.years);
  const rows: CountRow[] = [];
  for await (const record of readCsv(file)) {
    coverage.read();
    const state = record.values[layout.stateColumn]?.trim() ?? '';
    if (!registry.isRegionName(state)) {
      coverage.skip(`outside ${registry.region.name}`, `row ${record.row}: ${state}`);
      continue;
    }
    const year = Number(record.values[layout.yearColumn]);
    let sum = 0;
    for (const { column, month } of layout.heads) {
      const count = cell(record, column, coverage);
      if (count === undefined) continue;
      sum += count;
      rows.push(
        accident({
          year,
          ...(month === undefined ? {} : { month }),
          district: null,
          measure: 'accidents',
          head: column,
          count,
        }),
      );
    }
    const total = cell(record, layout.totalColumn, coverage);
    if (total !== sum) coverage.note(`${year}: ${layout.totalColumn} ${total ?? '?'} is not the sum ${sum}`);
    coverage.use(year);
  }
  return { rows, totals: [], coverage: coverage.report() };
}

const years2001to2014 = Array.from({ length: 14 }, (_, i) => 2001 + i);

/** only_road_accidents_data3.csv: the region's accidents per year by 3-hour slot of the day, 2001-2014. */
export function loadAccidentsByTimeOfDay(file: string | URL, registry: RegionRegistry): Promise<CountLoad> {
  const slots = [
    '0-3 hrs. (Night)',
    '3-6 hrs. (Night)',
    '6-9 hrs (Day)',
    '9-12 hrs (Day)',
    '12-15 hrs (Day)',
  ];
  const later = ['15-18 hrs (Day)', '18-21 hrs (Night)', '21-24 hrs (Night)'];
  return loadStateTable(file, registry, {
    stateColumn: 'STATE/UT',
    yearColumn: 'YEAR',
    heads: [...slots, ...later].map((column) => ({ column })),
    totalColumn: 'Total',
    years: years2001to2014,
  });
}

const MONTHS = [
  'JANUARY',
  'FEBRUARY',
  'MARCH',
  'APRIL',
  'MAY',
  'JUNE',
  'JULY',
  'AUGUST',
  'SEPTEMBER',
  'OCTOBER',
  'NOVEMBER',
  'DECEMBER',
];

/** only_road_accidents_data_month2.csv: the region's accidents per month, 2001-2014. */
export function loadAccidentsByMonth(file: string | URL, registry: RegionRegistry): Promise<CountLoad> {
  return loadStateTable(file, registry, {
    stateColumn: 'STATE/UT',
    yearColumn: 'YEAR',
    heads: MONTHS.map((column, i) => ({ column, month: i + 1 })),
    totalColumn: 'TOTAL',
    years: years2001to2014,
  });
}

/** RS_Session_265_AU_1075_A_i_0.csv (MoRTH): the region's road accidents per year, 2018-2022. */
export async function loadAccidentsByYear(file: string | URL, registry: RegionRegistry): Promise<CountLoad> {
  const years = [2018, 2019, 2020, 2021, 2022];
  const coverage = new CoverageBuilder(fileName(file), years);
  const rows: CountRow[] = [];
  for await (const record of readCsv(file)) {
    coverage.read();
    const state = record.values['States/UTs']?.trim() ?? '';
    if (!registry.isRegionName(state)) {
      coverage.skip(`outside ${registry.region.name}`, `row ${record.row}: ${state}`);
      continue;
    }
    const present: number[] = [];
    for (const year of years) {
      const count = cell(record, String(year), coverage);
      if (count === undefined) continue;
      rows.push(accident({ year, district: null, measure: 'accidents', head: String(year), count }));
      present.push(year);
    }
    coverage.use(present);
  }
  return { rows, totals: [], coverage: coverage.report() };
}

const OUTCOMES: Readonly<Record<string, Measure | 'derived'>> = {
  'Persons Killed': 'killed',
  'Greviously Injured': 'grievously_injured',
  'Minor Injury': 'minor_injured',
  'Total number of Accidents': 'accidents',
  // Grievous + minor: checked, not emitted.
  'Total Injured': 'derived',
};

/**
 * Regulatory Affairs of Road Accident Data 2020 India.csv: accidents and casualties of the
 * million-plus cities in 2020, by cause. A city is attributed to the registry district that
 * contains it (no police unit). Each cause category (weather, junction, ...) splits the same
 * accidents: `head` is "category: subcategory", so sum within one category only.
 */
export async function loadCityAccidentCauses(
  file: string | URL,
  registry: RegionRegistry,
): Promise<CountLoad> {
  const coverage = new CoverageBuilder(fileName(file), [2020]);
  const rows: CountRow[] = [];
  const injured = new Map<string, { total?: number; parts: number }>();
  for await (const record of readCsv(file)) {
    coverage.read();
    const city = record.values['Million Plus Cities']?.trim() ?? '';
    const example = `row ${record.row}: ${city}`;
    const unit = registry.find(city);
    if (unit === undefined) {
      coverage.skip(`city not in the ${registry.region.name} registry`, example);
      continue;
    }
    const outcome = record.values['Outcome of Incident']?.trim() ?? '';
    const measure = OUTCOMES[outcome];
    const count = cell(record, 'Count', coverage);
    if (measure === undefined || count === undefined) {
      coverage.skip(measure === undefined ? `unknown outcome "${outcome}"` : 'no count', example);
      continue;
    }
    const head = `${record.values['Cause category'] ?? ''}: ${record.values['Cause Subcategory'] ?? ''}`;
    const key = `${city} ${head}`;
    const sums = injured.get(key) ?? { parts: 0 };
    if (measure === 'derived') sums.total = count;
    else if (measure === 'grievously_injured' || measure === 'minor_injured') sums.parts += count;
    injured.set(key, sums);
    const { district } = attribution(unit);
    if (measure !== 'derived') rows.push(accident({ year: 2020, district, measure, head, count }));
    coverage.use(2020, district);
  }
  for (const [key, { total, parts }] of injured)
    if (total !== undefined && total !== parts)
      coverage.note(`${key}: Total Injured ${total} is not grievous + minor ${parts}`);
  return { rows, totals: [], coverage: coverage.report() };
}
