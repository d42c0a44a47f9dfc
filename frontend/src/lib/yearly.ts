import type { HistoryCell } from '@district-monitor/streams';

/**
 * The yearly history view's arithmetic: the ranked table of one head and year (rate per 100,000, its
 * change against the previous year with data and against the mean of the five years with data before),
 * and the choropleth's classes, fixed over all years of a head so that 2001 and 2022 read alike.
 */

/** How many earlier years with data the "5-year mean" takes. */
export const MEAN_YEARS = 5;

export interface YearRow {
  readonly code: string;
  readonly name: string;
  readonly kind: HistoryCell['kind'];
  readonly value: number | null;
  readonly ratePer100k: number | null;
  /** The previous year with data for this head (2014 before 2016: 2015 is absent). */
  readonly previousYear: number | null;
  readonly previousRate: number | null;
  /** Percent change of the rate against the previous year; null when either rate is missing or 0. */
  readonly changePct: number | null;
  /** Mean rate over up to {@link MEAN_YEARS} earlier years with a rate, and how many it took. */
  readonly meanRate: number | null;
  readonly meanYears: number;
  /** Percent change against that mean; null without a mean (or a mean of 0). */
  readonly vsMeanPct: number | null;
  readonly estimated: boolean;
  /** Districts this figure also covers (they did not report on their own that year). */
  readonly carries: readonly string[];
  readonly source: string | null;
}

function percentChange(now: number | null, before: number | null): number | null {
  if (now === null || before === null || before === 0) return null;
  return ((now - before) / before) * 100;
}

/**
 * The rows of `year`: every unit of that year's cells, highest rate first (units without a rate last,
 * by name). `byYear` holds the cells of the head for the years loaded so far; `years` is every year of
 * the dataset, ascending (a missing year is simply not in it).
 */
export function rankYear(
  byYear: ReadonlyMap<number, readonly HistoryCell[]>,
  years: readonly number[],
  year: number,
): YearRow[] {
  const cells = byYear.get(year);
  if (cells === undefined) return [];
  const earlier = years.filter((y) => y < year).reverse();
  const rateOf = (y: number, unit: string): number | null =>
    byYear.get(y)?.find((cell) => cell.unit === unit)?.ratePer100k ?? null;
  const rows = cells.map((cell): YearRow => {
    const previousYear = earlier[0] ?? null;
    const previousRate = previousYear === null ? null : rateOf(previousYear, cell.unit);
    const window = earlier
      .map((y) => rateOf(y, cell.unit))
      .filter((rate): rate is number => rate !== null)
      .slice(0, MEAN_YEARS);
    const meanRate = window.length === 0 ? null : window.reduce((sum, rate) => sum + rate, 0) / window.length;
    return {
      code: cell.unit,
      name: cell.name,
      kind: cell.kind,
      value: cell.value,
      ratePer100k: cell.ratePer100k,
      previousYear,
      previousRate,
      changePct: percentChange(cell.ratePer100k, previousRate),
      meanRate,
      meanYears: window.length,
      vsMeanPct: percentChange(cell.ratePer100k, meanRate),
      estimated: cell.estimated,
      carries: cell.carries,
      source: cell.source,
    };
  });
  return rows.sort(
    (a, b) =>
      (b.ratePer100k ?? -Infinity) - (a.ratePer100k ?? -Infinity) ||
      (b.value ?? -1) - (a.value ?? -1) ||
      a.name.localeCompare(b.name),
  );
}

/** Sequential ramp for rates, low to high (dark teal to red): distinct in lightness too. */
export const RATE_COLOURS = ['#16405a', '#1f7a8c', '#7fb069', '#e0a526', '#e5484d'] as const;
export const NO_RATE_COLOUR = '#3a4761';

/**
 * Class breaks for the choropleth: the quintiles of every rate of the head over all loaded years (so a
 * colour means the same rate in every year). Four ascending breaks for five classes; fewer when the
 * rates do not spread (equal quantiles merged).
 */
export function rateBreaks(rates: readonly number[]): number[] {
  const sorted = rates.filter((rate) => Number.isFinite(rate)).sort((a, b) => a - b);
  if (sorted.length === 0) return [];
  const breaks: number[] = [];
  for (let k = 1; k < RATE_COLOURS.length; k++) {
    const position = (k / RATE_COLOURS.length) * (sorted.length - 1);
    const low = sorted[Math.floor(position)] ?? 0;
    const high = sorted[Math.ceil(position)] ?? low;
    const quantile = low + (high - low) * (position - Math.floor(position));
    if (breaks.length === 0 || quantile > (breaks[breaks.length - 1] ?? -Infinity)) breaks.push(quantile);
  }
  return breaks;
}

/** The class (0 = lowest) of a rate: the number of breaks at or below it. */
export function rateClass(rate: number, breaks: readonly number[]): number {
  let k = 0;
  while (k < breaks.length && rate >= (breaks[k] ?? Infinity)) k++;
  return k;
}

export function rateColour(rate: number | null, breaks: readonly number[]): string {
  if (rate === null) return NO_RATE_COLOUR;
  const colours = RATE_COLOURS;
  // With fewer breaks, spread the classes over the ramp's ends rather than leave the reds unused.
  const k = rateClass(rate, breaks);
  const index = breaks.length === 0 ? 0 : Math.round((k / breaks.length) * (colours.length - 1));
  return colours[index] ?? NO_RATE_COLOUR;
}

export interface MapFill {
  readonly colour: string;
  /** What the district's shape says in words (its accessible name and tooltip). */
  readonly label: string;
  /** Drawn hatched: the shape shows another unit's figure (it reported with its parent that year). */
  readonly borrowed: boolean;
}

/**
 * Fills per registry district for one year. A district that did not report on its own that year takes
 * the figure of the unit that carried it, said in its label and drawn as borrowed.
 */
export function yearFills(
  cells: readonly HistoryCell[],
  breaks: readonly number[],
  describe: (rate: number) => string,
  nameOf: (code: string) => string,
): Map<string, MapFill> {
  const fills = new Map<string, MapFill>();
  for (const cell of cells) {
    if (cell.kind !== 'district') continue;
    const text = cell.ratePer100k === null ? 'no figure' : describe(cell.ratePer100k);
    fills.set(cell.unit, {
      colour: rateColour(cell.ratePer100k, breaks),
      label: `${cell.name}: ${text}`,
      borrowed: false,
    });
  }
  for (const cell of cells) {
    if (cell.kind !== 'district' || cell.ratePer100k === null) continue;
    for (const carried of cell.carries) {
      const own = fills.get(carried);
      if (own !== undefined && !own.label.endsWith('no figure')) continue;
      fills.set(carried, {
        colour: rateColour(cell.ratePer100k, breaks),
        label: `${nameOf(carried)}: reported with ${cell.name}, ${describe(cell.ratePer100k)}`,
        borrowed: true,
      });
    }
  }
  return fills;
}
