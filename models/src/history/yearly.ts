import { ModelInputError } from '../errors.js';

/**
 * A yearly series on a regular grid of calendar years, for forecasters that need regular steps: a year
 * missing inside the range (2015 in the NCRB tables) gets the linear interpolation of its neighbours.
 *
 * @param years - Years with data, strictly ascending integers.
 * @param values - One finite value per year.
 * @returns `years` from the first to the last year, every year present, and their values.
 * @throws ModelInputError on unequal lengths, unordered or fractional years, or a non-finite value.
 */
export function yearlyGrid(
  years: readonly number[],
  values: readonly number[],
): { readonly years: number[]; readonly values: number[]; readonly filled: number[] } {
  if (years.length !== values.length)
    throw new ModelInputError(`yearlyGrid: ${years.length} years but ${values.length} values`);
  if (years.length === 0) throw new ModelInputError('yearlyGrid: no years');
  years.forEach((year, i) => {
    if (!Number.isInteger(year)) throw new ModelInputError(`yearlyGrid: year ${year} is not a whole number`);
    if (i > 0 && year <= (years[i - 1] ?? -Infinity))
      throw new ModelInputError(`yearlyGrid: years must be strictly ascending (${years[i - 1]}, ${year})`);
    if (!Number.isFinite(values[i]))
      throw new ModelInputError(`yearlyGrid: the value of ${year} is not finite`);
  });
  const outYears: number[] = [];
  const outValues: number[] = [];
  const filled: number[] = [];
  years.forEach((year, i) => {
    const value = values[i] ?? NaN;
    if (i > 0) {
      const previousYear = years[i - 1] ?? year;
      const previous = values[i - 1] ?? value;
      for (let missing = previousYear + 1; missing < year; missing++) {
        const share = (missing - previousYear) / (year - previousYear);
        outYears.push(missing);
        outValues.push(previous + share * (value - previous));
        filled.push(missing);
      }
    }
    outYears.push(year);
    outValues.push(value);
  });
  return { years: outYears, values: outValues, filled };
}

/** Calendar years inside [first, last] of `years` that are not in it. */
export function missingYears(years: readonly number[]): number[] {
  const present = new Set(years);
  const first = Math.min(...years);
  const last = Math.max(...years);
  const missing: number[] = [];
  for (let year = first; year <= last; year++) if (!present.has(year)) missing.push(year);
  return missing;
}
