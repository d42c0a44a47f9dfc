import type { DistrictFeatures } from './features.js';

/**
 * The default `improbability` of the district no-data rule and of the board's "no data" figure: a silence
 * the district's usual rate gives at most a 1 in 10,000 chance. At the Tamil Nadu rate table's volumes a
 * working feed raised 11 such alerts in 30 simulated days in all 38 districts (docs/alerts.md, "No data").
 */
export const SILENCE_IMPROBABILITY = 0.0001;

/**
 * Events a district usually sends an hour: the expected count of its last 24 hours (the same 24 hours of
 * the 8 weeks before), incidents and road accidents together, over 24. A daily mean, so a night is quieter
 * than it says and a silence there is judged a little early.
 */
export function usualHourlyRate(features: DistrictFeatures): number {
  const day =
    features.incidents.baseline.day.expected + features.categories.road_accident.baseline.day.expected;
  return day / 24;
}

/** P(no event in `silentMs`) for a Poisson stream of `ratePerHour` events an hour. */
export function silenceProbability(silentMs: number, ratePerHour: number): number {
  if (!(ratePerHour >= 0) || !(silentMs >= 0)) {
    throw new RangeError(
      `silenceProbability: expected a rate and a silence of at least 0, got ${ratePerHour} and ${silentMs}`,
    );
  }
  return Math.exp((-ratePerHour * silentMs) / 3_600_000);
}
