import {
  silenceProbability,
  usualHourlyRate,
  type AlertRule,
  type CategoryFeatures,
  type DistrictFeatures,
  type DistrictScore,
} from '@district-monitor/streams';
import type { BlackSpot } from './black-spot.js';
import type { Observation } from './lifecycle.js';
import type { MinuteCounts } from './minute-counts.js';

/** What the rules read, kept current by the engine. */
export interface SignalSources {
  features(district: string): DistrictFeatures | undefined;
  score(district: string): DistrictScore | undefined;
  readonly minutes: MinuteCounts;
  /** The densest accident spot of the district's last `hours`, as last computed; undefined until then. */
  blackSpot(rule: AlertRule, district: string): BlackSpot | null | undefined;
  /** Last arrival of an event from the district (or the time the engine started watching it). */
  lastSeen(district: string): number;
  /** The spike rule's verdict, from its detector. */
  spike(rule: AlertRule, district: string, now: number): Observation | null;
}

/** A probability as a percentage with two significant digits: "7.3%", "0.012%", "< 0.0001%". */
const formatProbability = (p: number): string =>
  p < 1e-6 ? '< 0.0001%' : `${Number((p * 100).toPrecision(2))}%`;

const pct = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(0)}%`;

/** Evaluates one rule for one district; null when it cannot be evaluated yet (no model, no history). */
export function observe(
  rule: AlertRule,
  district: string,
  sources: SignalSources,
  now: number,
): Observation | null {
  const c = rule.condition;
  const what = rule.category ?? 'incidents';
  switch (c.kind) {
    case 'risk': {
      const score = sources.score(district);
      if (score === undefined) return null;
      const value = score.elevated;
      return {
        active: value >= c.threshold,
        cleared: value < c.clear,
        value,
        summary: `P(high week) ${(value * 100).toFixed(0)}% (fires at ${(c.threshold * 100).toFixed(0)}%, clears below ${(c.clear * 100).toFixed(0)}%)`,
      };
    }
    case 'surge': {
      const features = sources.features(district);
      if (features === undefined) return null;
      const category: CategoryFeatures =
        rule.category === null ? features.incidents : features.categories[rule.category];
      const { current, previous, changePct } = category.compstat.days28;
      const active = changePct !== null && changePct >= c.changePct && current >= c.minCount;
      const cleared =
        changePct === null ? current < c.minCount : changePct < c.clearPct || current < c.minCount;
      return {
        active,
        cleared,
        value: changePct ?? 0,
        summary: `${what} last 28 days ${current} vs ${previous} before (${changePct === null ? 'no earlier count' : pct(changePct)}; fires at ${pct(c.changePct)} with at least ${c.minCount})`,
      };
    }
    case 'category': {
      // Whole minutes, counting the minute `windowMinutes` ago in full: a report 59 s old is never missed.
      const from = Math.floor((now - c.windowMinutes * 60_000) / 60_000) * 60_000;
      const count = sources.minutes.sum(district, rule.category, from, now + 60_000);
      return {
        active: count >= c.threshold,
        cleared: count < c.clear,
        value: count,
        summary: `${count} ${what} in the last ${c.windowMinutes} min (fires at ${c.threshold}, clears below ${c.clear})`,
      };
    }
    case 'black_spot': {
      const spot = sources.blackSpot(rule, district);
      if (spot === undefined) return null;
      const accidents = spot?.accidents ?? 0;
      return {
        active: accidents >= c.minAccidents,
        cleared: accidents < c.minAccidents,
        value: accidents,
        summary:
          spot === null
            ? `no located road accident in the last ${c.hours} h`
            : `${accidents} road accidents within ${c.radiusKm} km of ${spot.centre.lat.toFixed(4)}, ${spot.centre.lon.toFixed(4)} in the last ${c.hours} h (fires at ${c.minAccidents})`,
      };
    }
    case 'no_data': {
      const silentMs = now - sources.lastSeen(district);
      const silentMinutes = silentMs / 60_000;
      const minutes = Math.floor(silentMinutes);
      // Clears only when an event arrives: the silence grows until then, so it cannot flap.
      const cleared = silentMinutes < c.minutes;
      if (c.improbability === undefined) {
        return {
          active: !cleared,
          cleared,
          value: minutes,
          summary: `no event for ${minutes} min (fires at ${c.minutes})`,
        };
      }
      const features = sources.features(district);
      if (features === undefined) return null;
      const rate = usualHourlyRate(features);
      const probability = silenceProbability(Math.max(0, silentMs), rate);
      return {
        active: !cleared && probability <= c.improbability,
        cleared,
        value: minutes,
        summary:
          `no event for ${minutes} min, ${((rate * silentMinutes) / 60).toFixed(1)} expected at its usual ` +
          `${rate.toFixed(2)} an hour: P ${formatProbability(probability)} ` +
          `(fires at ${formatProbability(c.improbability)} or less after ${c.minutes} min)`,
      };
    }
    case 'spike':
      return sources.spike(rule, district, now);
  }
}
