/**
 * The 32-feature profile vector (the k-means branch's output and inputs 193-224 of the fusion network),
 * defined here and nowhere else. Notation, for a row x (raw inputs) and a fitted profile model:
 * - z = standardised transformed inputs, z_d = (t_d(x_d) - mean_d) / std_d (see `ProfileModel`);
 * - D = number of inputs; the live clusters sorted by stable label ascending fill slots 1..k (k <= 8);
 * - d_s = ||z - c_s|| / sqrt(D), the RMS distance to the centroid c_s of slot s (standardised space);
 * - the assigned slot a is the nearest centroid (ties: the lower slot);
 * - tau = the model's temperature (by default the mean d over the training rows to their own centroid);
 * - m_s = exp(-d_s / tau) / sum over live slots of exp(-d_s' / tau).
 * Slots above k hold -1 (distance) and 0 (membership). The key inputs are the model's `keyInputs` (for the
 * live inputs: incidents.rate_365d, road_accident.rate_365d, accidents.killed_per_accident_365d); a model
 * with fewer than three key inputs gives 0 for the missing ones.
 */
/** Slots for per-cluster features: the largest k a profile model may choose. */
export const PROFILE_SLOTS = 8;

/** Documentation of one feature. */
export interface ProfileFeature {
  /** Dotted name, `block.feature`. */
  readonly name: string;
  /** One sentence from which the value can be recomputed from the model and the row. */
  readonly meaning: string;
}

const slots = Array.from({ length: PROFILE_SLOTS }, (_, s) => s + 1);

/** The 32 profile features, in vector order. */
export const PROFILE_FEATURES: readonly ProfileFeature[] = Object.freeze([
  ...slots.map((s): ProfileFeature => ({
    name: `distance.slot_${s}`,
    meaning: `d_${s}: RMS distance (standardised units) from the row to the centroid in slot ${s}; -1 when k < ${s}.`,
  })),
  ...slots.map((s): ProfileFeature => ({
    name: `membership.slot_${s}`,
    meaning: `m_${s} = exp(-d_${s} / tau) / sum over live slots of exp(-d / tau); 0 when k < ${s}. Live slots sum to 1.`,
  })),
  {
    name: 'model.cluster_count',
    meaning: 'k, the number of clusters the model chose by mean silhouette (2-8).',
  },
  {
    name: 'model.silhouette',
    meaning:
      "The model's mean silhouette over its training rows (Euclidean, standardised inputs), in [-1, 1].",
  },
  {
    name: 'assigned.size_share',
    meaning: 'Training rows in the assigned cluster / all training rows.',
  },
  {
    name: 'assigned.silhouette',
    meaning: "Mean silhouette of the assigned cluster's training members (0 for a cluster of one).",
  },
  {
    name: 'assigned.mean_distance',
    meaning: "Mean RMS distance of the assigned cluster's training members to its centroid.",
  },
  {
    name: 'assigned.severity_rank',
    meaning:
      "Rank of the assigned cluster among the k clusters ordered by their members' mean of key input 1 " +
      '(ascending; ties: lower label first), divided by k - 1: 0 = least, 1 = most severe cluster.',
  },
  ...[1, 2, 3].map((n): ProfileFeature => ({
    name: `assigned.key${n}_mean`,
    meaning: `Mean raw (untransformed) value of key input ${n} over the assigned cluster's training members.`,
  })),
  {
    name: 'self.distance_ratio',
    meaning:
      'd_a / assigned.mean_distance, at most 10; 0 when both are 0 and 10 when only the mean distance is 0.',
  },
  {
    name: 'self.centroid_silhouette',
    meaning:
      'Simplified silhouette (b - a) / max(a, b) with a = d_a and b = the least d over the other live slots; ' +
      '0 when both are 0.',
  },
  {
    name: 'self.rank_in_cluster',
    meaning:
      "Fraction of the assigned cluster's training members strictly nearer its centroid than the row " +
      '(0 = the most central).',
  },
  {
    name: 'self.membership_entropy',
    meaning:
      '-(sum over live slots of m_s ln m_s) / ln k, terms with m_s = 0 counted as 0: 0 = certain, 1 = uniform.',
  },
  ...[1, 2, 3].map((n): ProfileFeature => ({
    name: `self.key${n}_delta`,
    meaning: `The row's raw value of key input ${n} minus assigned.key${n}_mean.`,
  })),
]);

/** {@link PROFILE_FEATURES} names, in vector order. */
export const PROFILE_FEATURE_NAMES: readonly string[] = Object.freeze(PROFILE_FEATURES.map((f) => f.name));
