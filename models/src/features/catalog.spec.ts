import { describe, expect, it } from 'vitest';
import { BRANCH_SIZES } from '../index.js';
import { CRIME_FEATURE_NAMES, CRIME_FEATURES } from './catalog.js';

// Written out by hand from the specification: reordering, renaming or inserting a feature must fail here.
const EXPECTED_NAMES = [
  'crime_body.count_1h',
  'crime_body.count_24h',
  'crime_body.count_7d',
  'crime_body.count_28d',
  'crime_body.count_365d',
  'crime_body.rate_28d',
  'crime_body.rate_365d',
  'crime_body.change_wow',
  'crime_body.change_28d',
  'crime_body.change_ytd',
  'crime_body.surprise_hour',
  'crime_body.surprise_24h',
  'crime_property.count_1h',
  'crime_property.count_24h',
  'crime_property.count_7d',
  'crime_property.count_28d',
  'crime_property.count_365d',
  'crime_property.rate_28d',
  'crime_property.rate_365d',
  'crime_property.change_wow',
  'crime_property.change_28d',
  'crime_property.change_ytd',
  'crime_property.surprise_hour',
  'crime_property.surprise_24h',
  'crime_women.count_1h',
  'crime_women.count_24h',
  'crime_women.count_7d',
  'crime_women.count_28d',
  'crime_women.count_365d',
  'crime_women.rate_28d',
  'crime_women.rate_365d',
  'crime_women.change_wow',
  'crime_women.change_28d',
  'crime_women.change_ytd',
  'crime_women.surprise_hour',
  'crime_women.surprise_24h',
  'crime_children.count_1h',
  'crime_children.count_24h',
  'crime_children.count_7d',
  'crime_children.count_28d',
  'crime_children.count_365d',
  'crime_children.rate_28d',
  'crime_children.rate_365d',
  'crime_children.change_wow',
  'crime_children.change_28d',
  'crime_children.change_ytd',
  'crime_children.surprise_hour',
  'crime_children.surprise_24h',
  'suicide.count_1h',
  'suicide.count_24h',
  'suicide.count_7d',
  'suicide.count_28d',
  'suicide.count_365d',
  'suicide.rate_28d',
  'suicide.rate_365d',
  'suicide.change_wow',
  'suicide.change_28d',
  'suicide.change_ytd',
  'suicide.surprise_hour',
  'suicide.surprise_24h',
  'harassment.count_1h',
  'harassment.count_24h',
  'harassment.count_7d',
  'harassment.count_28d',
  'harassment.count_365d',
  'harassment.rate_28d',
  'harassment.rate_365d',
  'harassment.change_wow',
  'harassment.change_28d',
  'harassment.change_ytd',
  'harassment.surprise_hour',
  'harassment.surprise_24h',
  'other.count_1h',
  'other.count_24h',
  'other.count_7d',
  'other.count_28d',
  'other.count_365d',
  'other.rate_28d',
  'other.rate_365d',
  'other.change_wow',
  'other.change_28d',
  'other.change_ytd',
  'other.surprise_hour',
  'other.surprise_24h',
  'road_accident.count_1h',
  'road_accident.count_24h',
  'road_accident.count_7d',
  'road_accident.count_28d',
  'road_accident.count_365d',
  'road_accident.rate_28d',
  'road_accident.rate_365d',
  'road_accident.change_wow',
  'road_accident.change_28d',
  'road_accident.change_ytd',
  'road_accident.surprise_hour',
  'road_accident.surprise_24h',
  'incidents.count_24h',
  'incidents.count_28d',
  'incidents.count_365d',
  'incidents.rate_365d',
  'incidents.change_28d',
  'incidents.surprise_24h',
  'accidents.killed_24h',
  'accidents.injured_24h',
  'accidents.killed_28d',
  'accidents.injured_28d',
  'accidents.killed_365d',
  'accidents.injured_365d',
  'accidents.killed_per_accident_28d',
  'accidents.injured_per_accident_28d',
  'accidents.killed_per_accident_365d',
  'accidents.injured_per_accident_365d',
  'accidents.killed_rate_365d',
  'accidents.injured_rate_365d',
  'population.log10',
  'population.density_log10',
  'population.share_of_region',
  'socio.literacy_rate',
  'socio.sex_ratio',
  'socio.urban_share',
  'mix.women_share_365d',
  'mix.property_share_365d',
  'mix.body_share_365d',
  'mix.children_share_365d',
  'mix.accidents_per_incident_365d',
  'mix.night_share_28d',
  'mix.weekend_share_28d',
  'recency.hours_since_last_event',
];

describe('crime feature catalog', () => {
  it('has exactly the 128 features the fusion network expects', () => {
    expect(CRIME_FEATURES).toHaveLength(128);
    expect(CRIME_FEATURES).toHaveLength(BRANCH_SIZES.crimeStatistics);
    expect(CRIME_FEATURE_NAMES).toHaveLength(BRANCH_SIZES.crimeStatistics);
  });

  it('has unique names', () => {
    expect(new Set(CRIME_FEATURE_NAMES).size).toBe(CRIME_FEATURE_NAMES.length);
  });

  it('keeps the pinned order', () => {
    expect(EXPECTED_NAMES).toHaveLength(128);
    expect(CRIME_FEATURE_NAMES).toEqual(EXPECTED_NAMES);
    expect(CRIME_FEATURES.map((feature) => feature.name)).toEqual(EXPECTED_NAMES);
  });

  it('gives every feature a one-sentence meaning', () => {
    for (const { name, meaning } of CRIME_FEATURES) {
      expect(meaning, name).toMatch(/^\S.*\.$/);
      expect(meaning.length, name).toBeGreaterThan(20);
    }
  });
});
