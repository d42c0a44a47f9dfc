/**
 * What a district profile is clustered on. The model is generic (any columns, each with a transform); the
 * live product uses {@link PROFILE_INPUTS}: long-run crime behaviour and road-accident severity taken from
 * the 128 crime-statistics features. Only 365-day (and one 28-day mix) features: a profile describes what a
 * district is like, not what happened this week. Rates are heavy-tailed (a city commissionerate can have
 * ten times a rural district's rate), so they enter as ln(1 + rate); shares and per-accident ratios enter
 * as they are. The model then standardises every transformed column (z-score).
 */
import { CATEGORIES } from '@district-monitor/streams';
import { CRIME_FEATURE_NAMES } from '../features/catalog.js';
import { ModelInputError } from '../errors.js';

/** How a raw input value is transformed before standardisation. */
export type ProfileTransform = 'identity' | 'log1p';

/** One clustering input: a named column and its transform. */
export interface ProfileInput {
  readonly name: string;
  readonly transform: ProfileTransform;
}

/** The live product's 19 profile inputs, all names of `CRIME_FEATURE_NAMES`. */
export const PROFILE_INPUTS: readonly ProfileInput[] = Object.freeze([
  ...CATEGORIES.map((category): ProfileInput => ({ name: `${category}.rate_365d`, transform: 'log1p' })),
  { name: 'incidents.rate_365d', transform: 'log1p' },
  { name: 'accidents.killed_rate_365d', transform: 'log1p' },
  { name: 'accidents.injured_rate_365d', transform: 'log1p' },
  { name: 'accidents.killed_per_accident_365d', transform: 'identity' },
  { name: 'accidents.injured_per_accident_365d', transform: 'identity' },
  { name: 'mix.women_share_365d', transform: 'identity' },
  { name: 'mix.property_share_365d', transform: 'identity' },
  { name: 'mix.body_share_365d', transform: 'identity' },
  { name: 'mix.children_share_365d', transform: 'identity' },
  { name: 'mix.accidents_per_incident_365d', transform: 'identity' },
  { name: 'mix.night_share_28d', transform: 'identity' },
]);

/**
 * The three inputs whose cluster means (in raw units) the profile vector carries, for the live inputs:
 * overall incident rate, road-accident rate and deaths per accident. The first also orders clusters from
 * least to most severe (`assigned.severity_rank`).
 */
export const PROFILE_KEY_INPUTS: readonly string[] = Object.freeze([
  'incidents.rate_365d',
  'road_accident.rate_365d',
  'accidents.killed_per_accident_365d',
]);

const CRIME_INDEX = new Map(CRIME_FEATURE_NAMES.map((name, index) => [name, index]));

/**
 * Picks the {@link PROFILE_INPUTS} columns (raw, untransformed) out of a 128-feature crime-statistics vector
 * (`computeDistrictFeatures(...).vector.values`).
 *
 * @throws ModelInputError when the vector does not have one value per crime-statistics feature.
 */
export function profileInputsFromCrimeVector(vector: readonly number[]): number[] {
  if (vector.length !== CRIME_FEATURE_NAMES.length) {
    throw new ModelInputError(
      `profileInputsFromCrimeVector: ${vector.length} values, expected ${CRIME_FEATURE_NAMES.length}`,
    );
  }
  return PROFILE_INPUTS.map((input) => vector[CRIME_INDEX.get(input.name) ?? -1] ?? Number.NaN);
}

/** Applies an input's transform to a raw value. */
export function transformValue(transform: ProfileTransform, value: number): number {
  switch (transform) {
    case 'identity':
      return value;
    case 'log1p':
      return Math.log1p(value);
  }
}
