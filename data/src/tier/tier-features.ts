import type { Category } from '@district-monitor/streams';
import { total, type TierTask } from './tier-task.js';

/**
 * T1's crime-statistics vector: what the NCRB tables say about a unit up to the last year before the
 * predicted one (`years[t]`), and nothing after it. The yearly analogue of the live 128 features (the
 * tables have no hours, days or weeks), documented here and pinned by a spec.
 */
const CATEGORIES_T1: readonly Category[] = [
  'crime_body',
  'crime_property',
  'crime_women',
  'crime_children',
  'harassment',
  'suicide',
  'road_accident',
  'other',
];

export const TIER_CRIME_FEATURES: readonly { readonly name: string; readonly meaning: string }[] = [
  ...[0, 1, 2].map((k) => ({
    name: `log_rate_t-${k}`,
    meaning: `natural log of IPC cases per 100,000 people in the k = ${k}-th year before the predicted one`,
  })),
  ...[0, 1, 2].map((k) => ({
    name: `rank_t-${k}`,
    meaning: `rank of that rate among the units that year divided by (units - 1): 0 lowest, 1 highest (k = ${k})`,
  })),
  ...[0, 1, 2].map((k) => ({
    name: `tier_t-${k}`,
    meaning: `the unit's tier (0, 1, 2) that year (k = ${k})`,
  })),
  { name: 'gap_low', meaning: 'log_rate_t-0 minus the log of the lowest middle-tier rate of that year' },
  { name: 'gap_high', meaning: 'log_rate_t-0 minus the log of the lowest high-tier rate of that year' },
  { name: 'change_1y', meaning: 'log_rate_t-0 minus log_rate_t-1' },
  { name: 'change_2y', meaning: 'log_rate_t-0 minus log_rate_t-2' },
  ...CATEGORIES_T1.map((category) => ({
    name: `share_${category}`,
    meaning: `the unit's ${category} cases over all its IPC cases, year t-0`,
  })),
  ...CATEGORIES_T1.map((category) => ({
    name: `log1p_rate_${category}`,
    meaning: `ln(1 + ${category} cases per 100,000 people), year t-0`,
  })),
  { name: 'literacy', meaning: 'census 2011 literacy rate (population-weighted over merged districts)' },
  { name: 'sex_ratio', meaning: 'census 2011 females per 1,000 males (population-weighted)' },
  { name: 'urban_share', meaning: 'census 2011 share of the population living in urban areas' },
  { name: 'log_density', meaning: 'ln(census 2011 people per km2)' },
];

/** The vector of unit `u` with the last known year at index `t` (needs t >= 2). */
export function tierCrimeVector(task: TierTask, u: number, t: number): number[] {
  if (t < 2) throw new RangeError(`T1 features need two years before year index ${t}`);
  const unit = task.units[u];
  const rates = task.rates[u];
  const tiers = task.tiers[u];
  const boundaries = task.boundaries[t];
  if (unit === undefined || rates === undefined || tiers === undefined || boundaries === undefined)
    throw new RangeError(`no unit ${u} or year index ${t}`);
  const rate = (k: number) => rates[t - k] ?? NaN;
  const rank = (k: number) => {
    const column = task.rates.map((r) => r[t - k] ?? NaN);
    return column.filter((x) => x < rate(k)).length / (column.length - 1);
  };
  const year = task.years[t] ?? NaN;
  const cases = unit.cases.get(year) ?? {};
  const all = total(cases);
  return [
    ...[0, 1, 2].map((k) => Math.log(rate(k))),
    ...[0, 1, 2].map(rank),
    ...[0, 1, 2].map((k) => tiers[t - k] ?? NaN),
    Math.log(rate(0)) - Math.log(boundaries[0]),
    Math.log(rate(0)) - Math.log(boundaries[1]),
    Math.log(rate(0)) - Math.log(rate(1)),
    Math.log(rate(0)) - Math.log(rate(2)),
    ...CATEGORIES_T1.map((category) => (cases[category] ?? 0) / all),
    ...CATEGORIES_T1.map((category) => Math.log1p(((cases[category] ?? 0) / unit.population) * 100_000)),
    unit.literacyRate,
    unit.sexRatio,
    unit.urbanShare,
    Math.log(unit.densityPerKm2),
  ];
}
