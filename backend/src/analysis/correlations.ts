import {
  CATEGORIES,
  type Category,
  type CorrelationVariable,
  type RegionUnit,
} from '@district-monitor/streams';

/** Pearson's r of two equally long series; null when either is constant (or shorter than 2). */
export function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  if (xs.length !== ys.length) {
    throw new RangeError(`pearson: series of different lengths (${xs.length} and ${ys.length})`);
  }
  const n = xs.length;
  if (n < 2 || isConstant(xs) || isConstant(ys)) return null;
  const meanX = xs.reduce((sum, x) => sum + x, 0) / n;
  const meanY = ys.reduce((sum, y) => sum + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] ?? 0) - meanX;
    const dy = (ys[i] ?? 0) - meanY;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return null;
  // Rounding can carry |r| a hair past 1 for (anti-)proportional series.
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

// Exact equality: a constant series' mean can differ from its values in the last bit, which would turn
// rounding noise into a correlation.
const isConstant = (values: readonly number[]): boolean => values.every((value) => value === values[0]);

/** r of every pair of `columns` (one series per variable), rounded to 4 decimals; symmetric. */
export function correlationMatrix(columns: readonly (readonly number[])[]): (number | null)[][] {
  const values = columns.map(() => columns.map((): number | null => null));
  columns.forEach((x, i) => {
    for (let j = i; j < columns.length; j++) {
      const r = pearson(x, columns[j] ?? []);
      const rounded = r === null ? null : Math.round(r * 10_000) / 10_000;
      (values[i] ?? [])[j] = rounded;
      (values[j] ?? [])[i] = rounded;
    }
  });
  return values;
}

const CATEGORY_LABELS: Readonly<Record<Category, string>> = {
  crime_body: 'Crimes against the body /100k',
  crime_property: 'Property crimes /100k',
  crime_women: 'Crimes against women /100k',
  crime_children: 'Crimes against children /100k',
  suicide: 'Suicides /100k',
  harassment: 'Harassment /100k',
  other: 'Other offences /100k',
  road_accident: 'Road accidents /100k',
};

/** The districts' census indicators that join the event rates. */
const SOCIOECONOMIC = [
  { key: 'literacy_rate', label: 'Literacy rate', value: (unit: KnownUnit) => unit.literacyRate },
  {
    key: 'sex_ratio',
    label: 'Sex ratio (females per 1,000 males)',
    value: (unit: KnownUnit) => unit.sexRatio,
  },
  { key: 'urban_share', label: 'Urban share', value: (unit: KnownUnit) => unit.urbanShare },
  {
    key: 'population_density',
    label: 'Population density (people/km²)',
    value: (unit: KnownUnit) => unit.population / unit.areaKm2,
  },
] as const;

/** The variables of the matrix, in its order: the 8 category rates, road deaths, the census indicators. */
export const CORRELATION_VARIABLES: readonly CorrelationVariable[] = [
  ...CATEGORIES.map((category) => ({
    key: category,
    label: CATEGORY_LABELS[category],
    group: category === 'road_accident' ? ('accident' as const) : ('crime' as const),
  })),
  { key: 'road_deaths', label: 'Road deaths /100k', group: 'accident' },
  ...SOCIOECONOMIC.map(({ key, label }) => ({ key, label, group: 'socioeconomic' as const })),
];

/** A district's events of one category over the basis period, and the people they killed. */
export interface DistrictCategoryTotal {
  readonly district: string;
  readonly category: string;
  readonly events: number;
  readonly killed: number;
}

type KnownUnit = RegionUnit &
  Required<Pick<RegionUnit, 'population' | 'areaKm2' | 'literacyRate' | 'sexRatio' | 'urbanShare'>>;

const isKnown = (unit: RegionUnit): unit is KnownUnit =>
  unit.kind === 'district' &&
  unit.population !== undefined &&
  unit.population > 0 &&
  unit.areaKm2 !== undefined &&
  unit.areaKm2 > 0 &&
  unit.literacyRate !== undefined &&
  unit.sexRatio !== undefined &&
  unit.urbanShare !== undefined;

/**
 * One series per {@link CORRELATION_VARIABLES} entry, over the districts whose population, area and
 * census indicators are all known (a district without events has rate 0). Returns those districts too.
 */
export function correlationColumns(
  units: readonly RegionUnit[],
  totals: readonly DistrictCategoryTotal[],
): { districts: string[]; columns: number[][] } {
  const known = units.filter(isKnown);
  const index = new Map(known.map((unit, i) => [unit.code, i]));
  const events = new Map<string, number[]>(CATEGORIES.map((category) => [category, known.map(() => 0)]));
  const killed = known.map(() => 0);
  for (const row of totals) {
    const i = index.get(row.district);
    const column = events.get(row.category);
    if (i === undefined || column === undefined) continue;
    column[i] = (column[i] ?? 0) + row.events;
    killed[i] = (killed[i] ?? 0) + row.killed;
  }
  const per100k = (counts: readonly number[]) =>
    counts.map((count, i) => (count * 100_000) / (known[i]?.population ?? Number.NaN));
  return {
    districts: known.map((unit) => unit.code),
    columns: [
      ...CATEGORIES.map((category) => per100k(events.get(category) ?? [])),
      per100k(killed),
      ...SOCIOECONOMIC.map(({ value }) => known.map(value)),
    ],
  };
}
