/**
 * K-means district profiles (`ml-kmeans`): districts grouped by crime behaviour and severity, k chosen by
 * silhouette, labels kept stable across retrains, and the 32-feature profile vector.
 *
 * Fitting, for rows X (one per district, raw inputs in the order of `inputs`):
 * 1. Transform each column (`identity` or `log1p`), then standardise it: z = (t - mean) / std with the
 *    population standard deviation (ddof 0); a constant column gets std 1 (all its z are 0). Both are
 *    stored in the model and applied to every later row.
 * 2. For each k in [kMin, kMax] (at most the number of distinct rows and rows - 1): `nInit` runs of
 *    ml-kmeans with k-means++ initialisation, seeded by (seed, k, run); each run is finished with Lloyd
 *    steps until no row changes cluster, so every centroid is the mean of its members and every member is
 *    nearest its own centroid; runs leaving a cluster empty are dropped; the run of least inertia (sum of
 *    squared distances) is kept.
 * 3. k = the one whose run has the largest mean silhouette (Euclidean, standardised inputs; ties: the
 *    smaller k).
 * 4. Labels (positive integers). Without a previous model, clusters are numbered 1..k in ascending order of
 *    their members' mean of key input 1 (the first standardised centroid coordinate when there is no key
 *    input; ties by the following coordinates). With a previous model, its centroids are carried into the
 *    new standardised space (un-standardised with its mean and std, standardised with the new ones), and
 *    new clusters are matched to old ones by least total RMS centroid distance (Hungarian assignment on the
 *    k_new x k_old distance matrix); a matched cluster keeps its old label (unless the distance exceeds
 *    `maxMatchDistance`), an unmatched new cluster gets a fresh label (never used before: the model counts
 *    `nextLabel` across retrains, in the same ascending order), an unmatched old label is retired. So a
 *    district's label does not change because k-means numbered its clusters differently.
 */
import { kmeans } from 'ml-kmeans';
import { ModelFormatError, ModelInputError } from '../errors.js';
import { mixSeed } from '../forest/rng.js';
import { checkInteger, checkMatrix, isArray, type FeatureMatrix } from '../forest/validate.js';
import { jsonReader } from '../json-read.js';
import { euclidean, hungarian, silhouettes } from './assignment.js';
import { PROFILE_SLOTS } from './features.js';
import {
  PROFILE_INPUTS,
  PROFILE_KEY_INPUTS,
  transformValue,
  type ProfileInput,
  type ProfileTransform,
} from './inputs.js';

/** The readers of `ProfileModel.load`: each error names `profiles` and the path it rejects. */
const { record: object, array: list, finite: num, text, numbers } = jsonReader('profiles');

/** Options of a profile model; defaults in {@link PROFILE_DEFAULTS}. */
export interface ProfileOptions {
  /** Fewest clusters tried (at least 2: the silhouette needs two). */
  readonly kMin: number;
  /** Most clusters tried (at most {@link PROFILE_SLOTS} = 8). */
  readonly kMax: number;
  /** k-means++ restarts per k; the least-inertia run is kept. */
  readonly nInit: number;
  /** Lloyd iterations allowed per run. */
  readonly maxIterations: number;
  /** Seed of the k-means++ initialisations. */
  readonly seed: number;
  /** Softmax temperature of the memberships (RMS units); null: the mean RMS distance of the training rows to their centroid. */
  readonly temperature: number | null;
  /** A new cluster farther than this (RMS units) from its matched old centroid gets a fresh label; null: no limit. */
  readonly maxMatchDistance: number | null;
}

/** Defaults: k from 2 to 6, 10 restarts, 100 iterations, seed 42, data-derived temperature, no match limit. */
export const PROFILE_DEFAULTS: ProfileOptions = Object.freeze({
  kMin: 2,
  kMax: 6,
  nInit: 10,
  maxIterations: 100,
  seed: 42,
  temperature: null,
  maxMatchDistance: null,
});

/** Fit options. */
export interface ProfileFitOptions extends Partial<ProfileOptions> {
  /** One per column of X; default {@link PROFILE_INPUTS} (rows from `profileInputsFromCrimeVector`). */
  readonly inputs?: readonly ProfileInput[];
  /**
   * Up to three input names whose cluster means enter the profile vector; default
   * {@link PROFILE_KEY_INPUTS} when all are among the inputs, else the first three inputs.
   */
  readonly keyInputs?: readonly string[];
  /** District code of each row, stored with its label. */
  readonly ids?: readonly string[];
  /** The model this one replaces: its labels are carried over to the matching clusters. */
  readonly previous?: ProfileModel | null;
}

/** One cluster of a fitted model. */
export interface ProfileCluster {
  /** Stable label. */
  readonly label: number;
  /** Centroid in standardised units (the mean of its members' z). */
  readonly centroid: readonly number[];
  /** Training rows in the cluster. */
  readonly size: number;
  /** Mean silhouette of its members. */
  readonly silhouette: number;
  /** Mean RMS distance of its members to the centroid. */
  readonly meanDistance: number;
  /** RMS distance of each member to the centroid, ascending. */
  readonly memberDistances: readonly number[];
  /** Mean raw (untransformed) value of each input over the members. */
  readonly memberMeans: readonly number[];
}

/** The best run found for one k. */
export interface KSelection {
  readonly k: number;
  /** Mean silhouette; null when every run left a cluster empty. */
  readonly silhouette: number | null;
  readonly inertia: number | null;
}

/** How the labels of a refit relate to the previous model's. */
export interface ProfileLineage {
  /** Labels carried over, with the RMS distance between the old and new centroid. */
  readonly matched: readonly { readonly label: number; readonly distance: number }[];
  /** Labels created by this fit. */
  readonly fresh: readonly number[];
  /** Labels of the previous model that no cluster carries any more. */
  readonly retired: readonly number[];
}

/** Serialised model (`format: 'profiles@1'`). */
export interface ProfileModelJSON {
  readonly format: 'profiles@1';
  readonly options: ProfileOptions;
  readonly inputs: readonly ProfileInput[];
  readonly keyInputs: readonly string[];
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly temperature: number;
  readonly silhouette: number;
  readonly selection: readonly KSelection[];
  /** Ordered by label: the slot order of the profile vector. */
  readonly clusters: readonly ProfileCluster[];
  readonly nextLabel: number;
  readonly lineage: ProfileLineage;
  readonly assignments: readonly { readonly id: string; readonly label: number }[];
  readonly trainingRows: number;
}

/** RMS distance: Euclidean distance / sqrt(dimensions). */
function rms(a: readonly number[], b: readonly number[]): number {
  return euclidean(a, b) / Math.sqrt(a.length);
}

function squared(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let d = 0; d < a.length; d++) sum += ((a[d] ?? 0) - (b[d] ?? 0)) ** 2;
  return sum;
}

/** Index of the nearest centroid (ties: the lower index). */
function nearest(point: readonly number[], centroids: readonly (readonly number[])[]): number {
  let best = 0;
  let bestDistance = Infinity;
  centroids.forEach((centroid, c) => {
    const distance = squared(point, centroid);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = c;
    }
  });
  return best;
}

interface Run {
  readonly assignment: number[];
  readonly centroids: number[][];
  readonly inertia: number;
}

/** Lloyd steps from the given centroids until no point moves; null when a cluster empties. */
function polish(
  Z: readonly (readonly number[])[],
  start: readonly (readonly number[])[],
  maxIterations: number,
): Run | null {
  const k = start.length;
  const width = Z[0]?.length ?? 0;
  let centroids = start.map((c) => [...c]);
  let assignment: number[] = [];
  for (let iteration = 0; iteration <= maxIterations; iteration++) {
    const next = Z.map((z) => nearest(z, centroids));
    const sums = Array.from({ length: k }, () => new Array<number>(width).fill(0));
    const sizes = new Array<number>(k).fill(0);
    next.forEach((c, i) => {
      sizes[c] = (sizes[c] ?? 0) + 1;
      const sum = sums[c];
      Z[i]?.forEach((value, d) => {
        if (sum) sum[d] = (sum[d] ?? 0) + value;
      });
    });
    if (sizes.some((size) => size === 0)) return null;
    centroids = sums.map((sum, c) => sum.map((value) => value / (sizes[c] ?? 1)));
    const unchanged = next.every((c, i) => c === assignment[i]);
    assignment = next;
    if (unchanged) break;
  }
  const inertia = Z.reduce((sum, z, i) => sum + squared(z, centroids[assignment[i] ?? 0] ?? []), 0);
  return { assignment, centroids, inertia };
}

function checkInputs(inputs: readonly ProfileInput[]): void {
  // Checked as unknown: inputs may come from JSON or a caller outside TypeScript.
  const raw: unknown = inputs;
  if (!isArray(raw) || raw.length === 0) throw new ModelInputError('profiles: no inputs');
  const names = new Set<string>();
  raw.forEach((value, i) => {
    const input = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const name = input.name;
    if (typeof name !== 'string' || name.length === 0 || names.has(name)) {
      throw new ModelInputError(`profiles: input ${i} needs a distinct non-empty name`);
    }
    if (input.transform !== 'identity' && input.transform !== 'log1p') {
      throw new ModelInputError(
        `profiles: input ${name} has an unknown transform ${String(input.transform)}`,
      );
    }
    names.add(name);
  });
}

function resolveOptions(options: Partial<ProfileOptions>): ProfileOptions {
  const merged: ProfileOptions = {
    kMin: options.kMin ?? PROFILE_DEFAULTS.kMin,
    kMax: options.kMax ?? PROFILE_DEFAULTS.kMax,
    nInit: options.nInit ?? PROFILE_DEFAULTS.nInit,
    maxIterations: options.maxIterations ?? PROFILE_DEFAULTS.maxIterations,
    seed: options.seed ?? PROFILE_DEFAULTS.seed,
    temperature: options.temperature ?? PROFILE_DEFAULTS.temperature,
    maxMatchDistance: options.maxMatchDistance ?? PROFILE_DEFAULTS.maxMatchDistance,
  };
  checkInteger(merged.kMin, 'kMin', 2, PROFILE_SLOTS);
  checkInteger(merged.kMax, 'kMax', merged.kMin, PROFILE_SLOTS);
  checkInteger(merged.nInit, 'nInit', 1, 1000);
  checkInteger(merged.maxIterations, 'maxIterations', 1, 100_000);
  checkInteger(merged.seed, 'seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  if (merged.temperature !== null && !(Number.isFinite(merged.temperature) && merged.temperature > 0)) {
    throw new ModelInputError(
      `option temperature = ${String(merged.temperature)}: expected a positive number or null`,
    );
  }
  if (
    merged.maxMatchDistance !== null &&
    !(Number.isFinite(merged.maxMatchDistance) && merged.maxMatchDistance >= 0)
  ) {
    throw new ModelInputError(
      `option maxMatchDistance = ${String(merged.maxMatchDistance)}: expected >= 0 or null`,
    );
  }
  return Object.freeze(merged);
}

/** Transforms and standardises one row (no width check). */
function standardiseRow(
  row: readonly number[],
  inputs: readonly ProfileInput[],
  mean: readonly number[],
  std: readonly number[],
): number[] {
  return inputs.map(
    (input, d) => (transformValue(input.transform, row[d] ?? 0) - (mean[d] ?? 0)) / (std[d] ?? 1),
  );
}

/** Throws when a log1p input is at or below -1 (its transform is undefined there). */
function checkDomain(X: FeatureMatrix, inputs: readonly ProfileInput[], what: string): void {
  X.forEach((row, i) => {
    inputs.forEach((input, d) => {
      if (input.transform === 'log1p' && (row[d] ?? 0) <= -1) {
        throw new ModelInputError(
          `${what}: row ${i}, input ${input.name} = ${row[d] ?? 0}, log1p needs > -1`,
        );
      }
    });
  });
}

/**
 * A fitted k-means profile model. Build one with {@link ProfileModel.fit}, restore one with
 * {@link ProfileModel.load}.
 *
 * @example
 * ```ts
 * const rows = districts.map((d) => profileInputsFromCrimeVector(d.vector.values));
 * const model = ProfileModel.fit(rows, { ids: districts.map((d) => d.code), previous: lastModel });
 * const vector = profileVector(model, rows[0]); // 32 numbers, see PROFILE_FEATURES
 * ```
 */
export class ProfileModel {
  readonly options: ProfileOptions;
  readonly inputs: readonly ProfileInput[];
  readonly keyInputs: readonly string[];
  /** Mean of each transformed input over the training rows. */
  readonly mean: readonly number[];
  /** Population standard deviation of each transformed input (1 for a constant input). */
  readonly std: readonly number[];
  /** Softmax temperature of the memberships, RMS units. */
  readonly temperature: number;
  /** Mean silhouette of the chosen clustering over the training rows. */
  readonly silhouette: number;
  /** The best run for each k tried. */
  readonly selection: readonly KSelection[];
  /** Clusters by label ascending: slot s of the profile vector is `clusters[s - 1]`. */
  readonly clusters: readonly ProfileCluster[];
  /** The label the next new cluster will get. */
  readonly nextLabel: number;
  readonly lineage: ProfileLineage;
  /** Label of each training row that came with an id. */
  readonly assignments: readonly { readonly id: string; readonly label: number }[];
  readonly trainingRows: number;
  /** Slot indices ordered by the members' mean of key input 1 (then label): the severity order. */
  private readonly severityOrder: readonly number[];
  private readonly keyIndexes: readonly number[];

  private constructor(json: Omit<ProfileModelJSON, 'format'>) {
    this.options = json.options;
    this.inputs = json.inputs;
    this.keyInputs = json.keyInputs;
    this.mean = json.mean;
    this.std = json.std;
    this.temperature = json.temperature;
    this.silhouette = json.silhouette;
    this.selection = json.selection;
    this.clusters = json.clusters;
    this.nextLabel = json.nextLabel;
    this.lineage = json.lineage;
    this.assignments = json.assignments;
    this.trainingRows = json.trainingRows;
    this.keyIndexes = json.keyInputs.map((name) => json.inputs.findIndex((input) => input.name === name));
    const key1 = this.keyIndexes[0];
    this.severityOrder = json.clusters
      .map((cluster, slot) => ({
        slot,
        value: key1 === undefined ? 0 : (cluster.memberMeans[key1] ?? 0),
        label: cluster.label,
      }))
      .sort((a, b) => a.value - b.value || a.label - b.label)
      .map((entry) => entry.slot);
  }

  /** Number of clusters. */
  get k(): number {
    return this.clusters.length;
  }

  /** Labels in slot order. */
  get labels(): readonly number[] {
    return this.clusters.map((cluster) => cluster.label);
  }

  /**
   * Fits a profile model.
   *
   * @param X - One row per district, raw inputs in the order of `options.inputs`; at least 3 rows.
   * @throws ModelInputError on a ragged row, a non-finite value, a log1p input at or below -1, too few
   *   (distinct) rows for kMin clusters, bad ids, bad options, or a previous model with other inputs.
   */
  static fit(X: FeatureMatrix, options: ProfileFitOptions = {}): ProfileModel {
    const inputs = options.inputs ? [...options.inputs] : [...PROFILE_INPUTS];
    checkInputs(inputs);
    const width = inputs.length;
    checkMatrix(X, 'ProfileModel.fit X', 3, width);
    checkDomain(X, inputs, 'ProfileModel.fit X');
    const resolved = resolveOptions(options);
    const names = inputs.map((input) => input.name);
    const keyInputs = options.keyInputs
      ? [...options.keyInputs]
      : PROFILE_KEY_INPUTS.every((name) => names.includes(name))
        ? [...PROFILE_KEY_INPUTS]
        : names.slice(0, 3);
    if (
      keyInputs.length > 3 ||
      new Set(keyInputs).size !== keyInputs.length ||
      keyInputs.some((n) => !names.includes(n))
    ) {
      throw new ModelInputError('profiles: keyInputs must be at most three distinct input names');
    }
    const ids = options.ids ? [...options.ids] : null;
    if (
      ids &&
      (ids.length !== X.length ||
        new Set(ids).size !== ids.length ||
        ids.some((id) => typeof id !== 'string' || id === ''))
    ) {
      throw new ModelInputError(`profiles: ids must be ${X.length} distinct non-empty strings`);
    }
    const previous = options.previous ?? null;
    const sameInputs = (other: readonly ProfileInput[]) =>
      other.length === inputs.length &&
      other.every((input, d) => {
        const own = inputs[d];
        return own !== undefined && input.name === own.name && input.transform === own.transform;
      });
    if (previous && !sameInputs(previous.inputs)) {
      throw new ModelInputError('profiles: the previous model was fitted on other inputs');
    }

    const n = X.length;
    const transformed = X.map((row) =>
      inputs.map((input, d) => transformValue(input.transform, row[d] ?? 0)),
    );
    const mean = inputs.map((_, d) => transformed.reduce((sum, row) => sum + (row[d] ?? 0), 0) / n);
    const std = inputs.map((_, d) => {
      const variance = transformed.reduce((sum, row) => sum + ((row[d] ?? 0) - (mean[d] ?? 0)) ** 2, 0) / n;
      return variance > 0 ? Math.sqrt(variance) : 1;
    });
    const Z = transformed.map((row) => row.map((value, d) => (value - (mean[d] ?? 0)) / (std[d] ?? 1)));

    const distinct = new Set(Z.map((z) => z.join(','))).size;
    const kHigh = Math.min(resolved.kMax, distinct, n - 1);
    if (kHigh < resolved.kMin) {
      throw new ModelInputError(
        `profiles: ${n} rows (${distinct} distinct) cannot make ${resolved.kMin} clusters with a silhouette`,
      );
    }

    const selection: KSelection[] = [];
    let chosen: { run: Run; k: number; scores: number[]; silhouette: number } | null = null;
    for (let k = resolved.kMin; k <= kHigh; k++) {
      let best: Run | null = null;
      for (let run = 0; run < resolved.nInit; run++) {
        const result = kmeans(Z, k, {
          initialization: 'kmeans++',
          seed: mixSeed(resolved.seed, k, run) >>> 0,
          maxIterations: resolved.maxIterations,
          tolerance: 1e-6,
        });
        const polished = polish(Z, result.centroids, resolved.maxIterations);
        if (polished && (best === null || polished.inertia < best.inertia)) best = polished;
      }
      if (!best) {
        selection.push({ k, silhouette: null, inertia: null });
        continue;
      }
      const scores = silhouettes(Z, best.assignment, k);
      const silhouette = scores.reduce((a, b) => a + b, 0) / n;
      selection.push({ k, silhouette, inertia: best.inertia });
      if (chosen === null || silhouette > chosen.silhouette) chosen = { run: best, k, scores, silhouette };
    }
    if (!chosen) throw new ModelInputError('profiles: every k-means run left a cluster empty');

    const { run, k, scores } = chosen;
    const distances = Z.map((z, i) => rms(z, run.centroids[run.assignment[i] ?? 0] ?? []));
    const key1 = names.indexOf(keyInputs[0] ?? '');
    const memberMeans = run.centroids.map((_, c) => {
      const members = X.filter((__, i) => run.assignment[i] === c);
      return inputs.map((__, d) => members.reduce((sum, row) => sum + (row[d] ?? 0), 0) / members.length);
    });
    // Canonical order of fresh clusters: key input 1 ascending, else the centroid coordinates.
    const orderKey = (c: number): number[] =>
      key1 >= 0 ? [memberMeans[c]?.[key1] ?? 0, ...(run.centroids[c] ?? [])] : [...(run.centroids[c] ?? [])];
    const canonical = Array.from({ length: k }, (_, c) => c).sort((a, b) => {
      const ka = orderKey(a);
      const kb = orderKey(b);
      for (let d = 0; d < ka.length; d++) {
        const diff = (ka[d] ?? 0) - (kb[d] ?? 0);
        if (diff !== 0) return diff;
      }
      return a - b;
    });

    const labelOf = new Array<number>(k).fill(0);
    const matched: { label: number; distance: number }[] = [];
    const fresh: number[] = [];
    let nextLabel = previous ? previous.nextLabel : 1;
    const carried = new Set<number>();
    if (previous) {
      const oldCentroids = previous.clusters.map((cluster) =>
        cluster.centroid.map(
          (z, d) => (z * (previous.std[d] ?? 1) + (previous.mean[d] ?? 0) - (mean[d] ?? 0)) / (std[d] ?? 1),
        ),
      );
      const cost = run.centroids.map((centroid) => oldCentroids.map((old) => rms(centroid, old)));
      hungarian(cost).forEach((j, c) => {
        const distance = cost[c]?.[j] ?? Infinity;
        const old = previous.clusters[j];
        if (j < 0 || !old) return;
        if (resolved.maxMatchDistance !== null && distance > resolved.maxMatchDistance) return;
        labelOf[c] = old.label;
        carried.add(old.label);
        matched.push({ label: old.label, distance });
      });
    }
    for (const c of canonical) {
      if (labelOf[c] !== 0) continue;
      labelOf[c] = nextLabel;
      fresh.push(nextLabel);
      nextLabel += 1;
    }
    const retired = previous ? previous.labels.filter((label) => !carried.has(label)) : [];

    const clusters = Array.from({ length: k }, (_, c): ProfileCluster => {
      const members = run.assignment.flatMap((a, i) => (a === c ? [i] : []));
      const memberDistances = members.map((i) => distances[i] ?? 0).sort((a, b) => a - b);
      return {
        label: labelOf[c] ?? 0,
        centroid: run.centroids[c] ?? [],
        size: members.length,
        silhouette: members.reduce((sum, i) => sum + (scores[i] ?? 0), 0) / members.length,
        meanDistance: memberDistances.reduce((a, b) => a + b, 0) / members.length,
        memberDistances,
        memberMeans: memberMeans[c] ?? [],
      };
    }).sort((a, b) => a.label - b.label);
    const meanDistance = distances.reduce((a, b) => a + b, 0) / n;

    return new ProfileModel({
      options: resolved,
      inputs,
      keyInputs,
      mean,
      std,
      temperature: resolved.temperature ?? (meanDistance > 0 ? meanDistance : 1),
      silhouette: chosen.silhouette,
      selection,
      clusters,
      nextLabel,
      lineage: { matched: matched.sort((a, b) => a.label - b.label), fresh, retired },
      assignments: ids ? ids.map((id, i) => ({ id, label: labelOf[run.assignment[i] ?? 0] ?? 0 })) : [],
      trainingRows: n,
    });
  }

  /** Standardised inputs of raw rows, after checking them. */
  private standardise(X: FeatureMatrix, what: string): number[][] {
    checkMatrix(X, what, 1, this.inputs.length);
    checkDomain(X, this.inputs, what);
    return X.map((row) => standardiseRow(row, this.inputs, this.mean, this.std));
  }

  /** The label of the nearest centroid for each raw row. */
  assign(X: FeatureMatrix): number[] {
    const centroids = this.clusters.map((cluster) => cluster.centroid);
    return this.standardise(X, 'ProfileModel.assign X').map(
      (z) => this.clusters[nearest(z, centroids)]?.label ?? 0,
    );
  }

  /** The 32-feature profile vector of each raw row (see `PROFILE_FEATURES`). */
  vectors(X: FeatureMatrix): number[][] {
    return this.standardise(X, 'ProfileModel.vectors X').map((z, i) => this.vectorOf(z, X[i] ?? []));
  }

  private vectorOf(z: readonly number[], raw: readonly number[]): number[] {
    const k = this.clusters.length;
    const d = this.clusters.map((cluster) => rms(z, cluster.centroid));
    let a = 0;
    d.forEach((value, s) => {
      if (value < (d[a] ?? Infinity)) a = s;
    });
    const dA = d[a] ?? 0;
    // Shifted by the least distance: the same softmax, without underflow far from every centroid.
    const weights = d.map((value) => Math.exp(-(value - dA) / this.temperature));
    const total = weights.reduce((x, y) => x + y, 0);
    const membership = weights.map((w) => w / total);
    const cluster = this.clusters[a];
    if (!cluster) throw new ModelFormatError('profiles: model has no clusters');

    const out = new Array<number>(4 * PROFILE_SLOTS).fill(0);
    for (let s = 0; s < PROFILE_SLOTS; s++) {
      out[s] = s < k ? (d[s] ?? 0) : -1;
      out[PROFILE_SLOTS + s] = s < k ? (membership[s] ?? 0) : 0;
    }
    out[16] = k;
    out[17] = this.silhouette;
    out[18] = cluster.size / this.trainingRows;
    out[19] = cluster.silhouette;
    out[20] = cluster.meanDistance;
    out[21] = k > 1 ? this.severityOrder.indexOf(a) / (k - 1) : 0;
    const ratio = cluster.meanDistance > 0 ? dA / cluster.meanDistance : dA > 0 ? 10 : 0;
    out[25] = Math.min(ratio, 10);
    const b = Math.min(...d.filter((_, s) => s !== a));
    const scale = Math.max(dA, b);
    out[26] = scale > 0 && Number.isFinite(b) ? (b - dA) / scale : 0;
    out[27] = cluster.memberDistances.filter((distance) => distance < dA).length / cluster.size;
    out[28] =
      k > 1 ? -membership.reduce((sum, m) => sum + (m > 0 ? m * Math.log(m) : 0), 0) / Math.log(k) : 0;
    for (let n = 0; n < 3; n++) {
      const index = this.keyIndexes[n];
      if (index === undefined || index < 0) continue;
      const clusterMean = cluster.memberMeans[index] ?? 0;
      out[22 + n] = clusterMean;
      out[29 + n] = (raw[index] ?? 0) - clusterMean;
    }
    return out;
  }

  /** Plain JSON (`format: 'profiles@1'`). */
  toJSON(): ProfileModelJSON {
    return {
      format: 'profiles@1',
      options: { ...this.options },
      inputs: this.inputs.map((input) => ({ ...input })),
      keyInputs: [...this.keyInputs],
      mean: [...this.mean],
      std: [...this.std],
      temperature: this.temperature,
      silhouette: this.silhouette,
      selection: this.selection.map((entry) => ({ ...entry })),
      clusters: this.clusters.map((cluster) => ({
        ...cluster,
        centroid: [...cluster.centroid],
        memberDistances: [...cluster.memberDistances],
        memberMeans: [...cluster.memberMeans],
      })),
      nextLabel: this.nextLabel,
      lineage: {
        matched: this.lineage.matched.map((entry) => ({ ...entry })),
        fresh: [...this.lineage.fresh],
        retired: [...this.lineage.retired],
      },
      assignments: this.assignments.map((entry) => ({ ...entry })),
      trainingRows: this.trainingRows,
    };
  }

  /**
   * Restores a model from {@link ProfileModel.toJSON}'s output.
   *
   * @throws ModelFormatError when the format tag is not `profiles@1` or the content is malformed.
   */
  static load(json: unknown): ProfileModel {
    const record = object(json, 'profiles');
    if (record.format !== 'profiles@1') {
      throw new ModelFormatError(`expected format profiles@1, got ${String(record.format)}`);
    }
    const inputs = list(record.inputs, 'inputs').map((value, i): ProfileInput => {
      const input = object(value, `inputs[${i}]`);
      const transform = input.transform;
      if (transform !== 'identity' && transform !== 'log1p')
        throw new ModelFormatError(`inputs[${i}]: bad transform`);
      return { name: text(input.name, `inputs[${i}].name`), transform: transform satisfies ProfileTransform };
    });
    const width = inputs.length;
    let options: ProfileOptions;
    try {
      checkInputs(inputs);
      const stored = object(record.options, 'options');
      options = resolveOptions({
        kMin: num(stored.kMin, 'options.kMin'),
        kMax: num(stored.kMax, 'options.kMax'),
        nInit: num(stored.nInit, 'options.nInit'),
        maxIterations: num(stored.maxIterations, 'options.maxIterations'),
        seed: num(stored.seed, 'options.seed'),
        temperature: stored.temperature === null ? null : num(stored.temperature, 'options.temperature'),
        maxMatchDistance:
          stored.maxMatchDistance === null ? null : num(stored.maxMatchDistance, 'options.maxMatchDistance'),
      });
    } catch (error) {
      if (error instanceof ModelFormatError) throw error;
      throw new ModelFormatError('profiles: invalid options or inputs', { cause: error });
    }
    const names = inputs.map((input) => input.name);
    const keyInputs = list(record.keyInputs, 'keyInputs').map((value, i) => text(value, `keyInputs[${i}]`));
    if (keyInputs.length > 3 || keyInputs.some((name) => !names.includes(name))) {
      throw new ModelFormatError('profiles: keyInputs must be at most three input names');
    }
    const clusters = list(record.clusters, 'clusters').map((value, c): ProfileCluster => {
      const cluster = object(value, `clusters[${c}]`);
      const size = num(cluster.size, `clusters[${c}].size`);
      const memberDistances = numbers(cluster.memberDistances, `clusters[${c}].memberDistances`);
      if (!Number.isInteger(size) || size < 1 || memberDistances.length !== size) {
        throw new ModelFormatError(`clusters[${c}]: size and member distances disagree`);
      }
      return {
        label: num(cluster.label, `clusters[${c}].label`),
        centroid: numbers(cluster.centroid, `clusters[${c}].centroid`, width),
        size,
        silhouette: num(cluster.silhouette, `clusters[${c}].silhouette`),
        meanDistance: num(cluster.meanDistance, `clusters[${c}].meanDistance`),
        memberDistances,
        memberMeans: numbers(cluster.memberMeans, `clusters[${c}].memberMeans`, width),
      };
    });
    if (clusters.length < 1 || clusters.length > PROFILE_SLOTS) {
      throw new ModelFormatError(`profiles: ${clusters.length} clusters, expected 1-${PROFILE_SLOTS}`);
    }
    if (clusters.some((cluster, c) => c > 0 && cluster.label <= (clusters[c - 1]?.label ?? 0))) {
      throw new ModelFormatError('profiles: clusters must be ordered by increasing label');
    }
    const lineage = object(record.lineage, 'lineage');
    return new ProfileModel({
      options,
      inputs,
      keyInputs,
      mean: numbers(record.mean, 'mean', width),
      std: numbers(record.std, 'std', width),
      temperature: num(record.temperature, 'temperature'),
      silhouette: num(record.silhouette, 'silhouette'),
      selection: list(record.selection, 'selection').map((value, i) => {
        const entry = object(value, `selection[${i}]`);
        return {
          k: num(entry.k, `selection[${i}].k`),
          silhouette: entry.silhouette === null ? null : num(entry.silhouette, `selection[${i}].silhouette`),
          inertia: entry.inertia === null ? null : num(entry.inertia, `selection[${i}].inertia`),
        };
      }),
      clusters,
      nextLabel: num(record.nextLabel, 'nextLabel'),
      lineage: {
        matched: list(lineage.matched, 'lineage.matched').map((value, i) => {
          const entry = object(value, `lineage.matched[${i}]`);
          return { label: num(entry.label, 'label'), distance: num(entry.distance, 'distance') };
        }),
        fresh: numbers(lineage.fresh, 'lineage.fresh'),
        retired: numbers(lineage.retired, 'lineage.retired'),
      },
      assignments: list(record.assignments, 'assignments').map((value, i) => {
        const entry = object(value, `assignments[${i}]`);
        return {
          id: text(entry.id, `assignments[${i}].id`),
          label: num(entry.label, `assignments[${i}].label`),
        };
      }),
      trainingRows: num(record.trainingRows, 'trainingRows'),
    });
  }
}

/**
 * The 32-feature profile vector of one district (see `PROFILE_FEATURES`).
 *
 * @param row - The district's raw inputs, in the order of `model.inputs`.
 * @throws ModelInputError on the wrong width, a non-finite value or a log1p input at or below -1.
 */
export function profileVector(model: ProfileModel, row: readonly number[]): number[] {
  return model.vectors([row])[0] ?? [];
}
