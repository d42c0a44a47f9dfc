import { describe, expect, it } from 'vitest';
import { CRIME_FEATURE_NAMES } from '../features/catalog.js';
import { BRANCH_SIZES } from '../index.js';
import { PROFILE_FEATURE_NAMES, PROFILE_FEATURES, PROFILE_SLOTS } from './features.js';
import { PROFILE_INPUTS, PROFILE_KEY_INPUTS, profileInputsFromCrimeVector } from './inputs.js';

// Written out by hand: reordering, renaming or inserting a feature must fail here.
const EXPECTED_NAMES = [
  'distance.slot_1',
  'distance.slot_2',
  'distance.slot_3',
  'distance.slot_4',
  'distance.slot_5',
  'distance.slot_6',
  'distance.slot_7',
  'distance.slot_8',
  'membership.slot_1',
  'membership.slot_2',
  'membership.slot_3',
  'membership.slot_4',
  'membership.slot_5',
  'membership.slot_6',
  'membership.slot_7',
  'membership.slot_8',
  'model.cluster_count',
  'model.silhouette',
  'assigned.size_share',
  'assigned.silhouette',
  'assigned.mean_distance',
  'assigned.severity_rank',
  'assigned.key1_mean',
  'assigned.key2_mean',
  'assigned.key3_mean',
  'self.distance_ratio',
  'self.centroid_silhouette',
  'self.rank_in_cluster',
  'self.membership_entropy',
  'self.key1_delta',
  'self.key2_delta',
  'self.key3_delta',
];

describe('PROFILE_FEATURES', () => {
  it('are the 32 documented features, in order', () => {
    expect(PROFILE_FEATURE_NAMES).toEqual(EXPECTED_NAMES);
    expect(PROFILE_FEATURES).toHaveLength(BRANCH_SIZES.profile);
    expect(PROFILE_SLOTS * 2).toBe(16);
    for (const feature of PROFILE_FEATURES) expect(feature.meaning.length).toBeGreaterThan(20);
  });
});

describe('PROFILE_INPUTS', () => {
  it('are 19 crime-statistics features, rates on a log scale', () => {
    expect(PROFILE_INPUTS).toHaveLength(19);
    for (const input of PROFILE_INPUTS) {
      expect(CRIME_FEATURE_NAMES).toContain(input.name);
      expect(input.transform).toBe(input.name.includes('rate_') ? 'log1p' : 'identity');
    }
    const names = PROFILE_INPUTS.map((input) => input.name);
    for (const key of PROFILE_KEY_INPUTS) expect(names).toContain(key);
  });

  it('are picked out of a 128-feature vector by name', () => {
    const vector = CRIME_FEATURE_NAMES.map((_, index) => index);
    expect(profileInputsFromCrimeVector(vector)).toEqual(
      PROFILE_INPUTS.map((input) => CRIME_FEATURE_NAMES.indexOf(input.name)),
    );
    expect(() => profileInputsFromCrimeVector([1, 2, 3])).toThrow(/3 values, expected 128/);
  });
});
