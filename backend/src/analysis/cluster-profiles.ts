import {
  CATEGORIES,
  type Category,
  type ClusterProfile,
  type DistrictFeatures,
  type DistrictScore,
} from '@district-monitor/streams';

/**
 * The active model's k-means profiles from its latest scores: districts grouped by cluster label (in the
 * order of `scores`), the mean P(elevated) of each group, and the mean 28-day rate per 100,000 people of
 * each category over the group's districts with a known population (0 when none has one). Profiles are
 * ordered by label.
 */
export function clusterProfiles(
  scores: readonly DistrictScore[],
  features: ReadonlyMap<string, DistrictFeatures>,
): ClusterProfile[] {
  const groups = new Map<number, DistrictScore[]>();
  for (const score of scores) {
    const group = groups.get(score.cluster.label) ?? [];
    group.push(score);
    groups.set(score.cluster.label, group);
  }
  return [...groups]
    .sort(([a], [b]) => a - b)
    .map(([label, members]) => {
      const rated = members.flatMap((score) => {
        const categories = features.get(score.district)?.categories;
        return categories !== undefined && CATEGORIES.every((c) => categories[c].ratePer100k !== null)
          ? [categories]
          : [];
      });
      const ratePer100k = Object.fromEntries(
        CATEGORIES.map((category) => [
          category,
          rated.length === 0
            ? 0
            : rated.reduce((sum, categories) => sum + (categories[category].ratePer100k?.['28d'] ?? 0), 0) /
              rated.length,
        ]),
      ) as Record<Category, number>;
      return {
        label,
        districts: members.map((score) => score.district),
        ratePer100k,
        elevated: members.reduce((sum, score) => sum + score.elevated, 0) / members.length,
      };
    });
}
