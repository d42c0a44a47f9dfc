import { ForestClassifier, ProfileModel, type ProfileInput } from '@district-monitor/models';
import { oneHot } from './metrics.js';
import { TIER_CRIME_FEATURES, tierCrimeVector } from './tier-features.js';
import type { TierModel, TierSample } from './tier-eval.js';
import type { TierTask } from './tier-task.js';

const CRIME_NAMES = TIER_CRIME_FEATURES.map((f) => f.name);

/** T1 profile inputs: the crime mix and the overall rate (what a district is like, not where it ranks). */
export const TIER_PROFILE_INPUTS: readonly ProfileInput[] = [
  { name: 'log_rate_t-0', transform: 'identity' },
  ...CRIME_NAMES.filter((name) => name.startsWith('share_')).map((name): ProfileInput => ({
    name,
    transform: 'identity',
  })),
  { name: 'literacy', transform: 'identity' },
  { name: 'urban_share', transform: 'identity' },
];
const PROFILE_COLUMNS = TIER_PROFILE_INPUTS.map((input) => CRIME_NAMES.indexOf(input.name));

export const crimeMatrix = (task: TierTask, samples: readonly TierSample[]): number[][] =>
  samples.map((s) => tierCrimeVector(task, s.unit, s.last));

export const profileRows = (crime: readonly (readonly number[])[]): number[][] =>
  crime.map((row) => PROFILE_COLUMNS.map((j) => row[j] ?? NaN));

/** The random forest alone: tier probabilities (the share of trees voting each tier) from the crime vector. */
export function tierForest(seed: number): TierModel {
  return {
    name: 'random-forest',
    kind: 'branch',
    how: `ml-random-forest classifier (${CRIME_NAMES.length} yearly crime-statistics features), tier probabilities = share of trees voting`,
    fitPredict: (task, training, test) => {
      let started = performance.now();
      const forest = ForestClassifier.fit(
        crimeMatrix(task, training),
        training.map((s) => s.truth),
        { classes: [0, 1, 2], featureNames: CRIME_NAMES, seed },
      );
      const fitMs = performance.now() - started;
      started = performance.now();
      const probabilities = forest.predictProba(crimeMatrix(task, test));
      return Promise.resolve({ probabilities, fitMs, predictMs: performance.now() - started });
    },
  };
}

/**
 * K-means alone: districts are clustered on their crime mix and rate (k by silhouette); a test district
 * gets the distribution of next-year tiers of the training samples in its cluster.
 */
export function tierProfiles(seed: number): TierModel {
  return {
    name: 'k-means',
    kind: 'branch',
    how: 'ml-kmeans profiles (rate, crime mix, literacy, urban share; k by silhouette 2-6): tier distribution of the training samples in the same cluster',
    fitPredict: (task, training, test) => {
      let started = performance.now();
      const rows = profileRows(crimeMatrix(task, training));
      const model = ProfileModel.fit(rows, { inputs: TIER_PROFILE_INPUTS, seed });
      const labels = model.assign(rows);
      const tally = new Map<number, number[]>();
      labels.forEach((label, i) => {
        const counts = tally.get(label) ?? [0, 0, 0];
        const tier = training[i]?.truth ?? 0;
        counts[tier] = (counts[tier] ?? 0) + 1;
        tally.set(label, counts);
      });
      const fitMs = performance.now() - started;
      started = performance.now();
      const probabilities = model.assign(profileRows(crimeMatrix(task, test))).map((label) => {
        const counts = tally.get(label);
        if (counts === undefined) return oneHot(1, 3);
        const n = counts.reduce((a, b) => a + b, 0);
        return counts.map((c) => c / n);
      });
      return Promise.resolve({ probabilities, fitMs, predictMs: performance.now() - started });
    },
  };
}
