import { kmeans } from 'ml-kmeans';
import { describe, expect, it } from 'vitest';
import { ModelFormatError, ModelInputError } from '../errors.js';
import { mulberry32 } from '../forest/rng.js';
import { PROFILE_FEATURE_NAMES } from './features.js';
import { PROFILE_INPUTS } from './inputs.js';
import { ProfileModel, profileVector } from './model.js';

const X_ONLY = [{ name: 'x', transform: 'identity' as const }];

/** Points scattered by at most ±spread around each centre, `perBlob` each, in centre order. */
function blobs(
  centres: readonly (readonly number[])[],
  perBlob: number,
  spread: number,
  seed: number,
): number[][] {
  const random = mulberry32(seed);
  return centres.flatMap((centre) =>
    Array.from({ length: perBlob }, () => centre.map((value) => value + spread * (2 * random() - 1))),
  );
}

const identity = (width: number) =>
  Array.from({ length: width }, (_, d) => ({ name: `in${d}`, transform: 'identity' as const }));

describe('ProfileModel on a line (every number by hand)', () => {
  // Mean 11; squared deviations 121 + 100 + 81 + 1 + 0 + 1 + 81 + 100 + 121 = 606, so std = sqrt(606 / 9).
  const X = [[0], [1], [2], [10], [11], [12], [20], [21], [22]];
  const sigma = Math.sqrt(606 / 9);
  const model = ProfileModel.fit(X, { inputs: X_ONLY, temperature: 1, ids: 'abcdefghi'.split('') });

  it('chooses k = 3 and numbers the clusters by their mean of x', () => {
    expect(model.k).toBe(3);
    expect(model.labels).toEqual([1, 2, 3]);
    expect(model.assign(X)).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3]);
    expect(model.assignments.map((a) => a.label)).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3]);
    expect(model.mean[0]).toBeCloseTo(11, 12);
    expect(model.std[0]).toBeCloseTo(sigma, 12);
    // Silhouettes: ends of the line 9.5/11, middles of clusters 0.9, the four inner ends 7.5/9.
    const expected = (2 * (9.5 / 11) + 3 * 0.9 + 4 * (7.5 / 9)) / 9;
    expect(model.silhouette).toBeCloseTo(expected, 12);
    expect(model.selection.map((s) => s.k)).toEqual([2, 3, 4, 5, 6]);
    const best = Math.max(...model.selection.map((s) => s.silhouette ?? -1));
    expect(best).toBeCloseTo(expected, 12);
  });

  it('gives the documented vector for x = 12', () => {
    const v = profileVector(model, [12]);
    expect(v).toHaveLength(32);
    const d = [11 / sigma, 1 / sigma, 9 / sigma];
    d.forEach((value, s) => {
      expect(v[s]).toBeCloseTo(value, 12);
    });
    for (let s = 3; s < 8; s++) expect(v[s]).toBe(-1);
    const weights = d.map((value) => Math.exp(-value));
    const sum = weights.reduce((a, b) => a + b, 0);
    weights.forEach((w, s) => {
      expect(v[8 + s]).toBeCloseTo(w / sum, 12);
    });
    for (let s = 11; s < 16; s++) expect(v[s]).toBe(0);
    const m = weights.map((w) => w / sum);
    const named = Object.fromEntries(PROFILE_FEATURE_NAMES.map((name, i) => [name, v[i]]));
    expect(named['model.cluster_count']).toBe(3);
    expect(named['model.silhouette']).toBeCloseTo(model.silhouette, 12);
    expect(named['assigned.size_share']).toBeCloseTo(3 / 9, 12);
    expect(named['assigned.silhouette']).toBeCloseTo((7.5 / 9 + 0.9 + 7.5 / 9) / 3, 12);
    expect(named['assigned.mean_distance']).toBeCloseTo(2 / (3 * sigma), 12);
    expect(named['assigned.severity_rank']).toBe(0.5);
    expect(named['assigned.key1_mean']).toBeCloseTo(11, 12);
    expect(named['assigned.key2_mean']).toBe(0);
    expect(named['self.distance_ratio']).toBeCloseTo(1.5, 12);
    expect(named['self.centroid_silhouette']).toBeCloseTo(8 / 9, 12);
    expect(named['self.rank_in_cluster']).toBeCloseTo(1 / 3, 12);
    expect(named['self.membership_entropy']).toBeCloseTo(
      -m.reduce((a, p) => a + p * Math.log(p), 0) / Math.log(3),
      12,
    );
    expect(named['self.key1_delta']).toBeCloseTo(1, 12);
    expect(named['self.key3_delta']).toBe(0);
  });

  it('defaults the temperature to the mean distance of the training rows to their centroid', () => {
    const plain = ProfileModel.fit(X, { inputs: X_ONLY });
    // Each cluster: distances 1, 0, 1 (in x), so 2/3 in x, divided by sigma.
    expect(plain.temperature).toBeCloseTo(2 / (3 * sigma), 12);
  });
});

describe('ProfileModel on three well-separated blobs', () => {
  const centres = [
    [0, 0, 0, 0],
    [10, 0, 10, 0],
    [0, 10, 0, 10],
  ];
  const X = blobs(centres, 10, 0.1, 1);
  const inputs = identity(4);
  const model = ProfileModel.fit(X, { inputs, seed: 1 });

  it('chooses k = 3 with a silhouette near 1, one label per blob', () => {
    expect(model.k).toBe(3);
    expect(model.silhouette).toBeGreaterThan(0.95);
    const labels = model.assign(X);
    for (let blob = 0; blob < 3; blob++) {
      expect(new Set(labels.slice(blob * 10, blob * 10 + 10)).size).toBe(1);
    }
    expect(new Set(labels).size).toBe(3);
  });

  it('gives memberships that sum to 1 over the live slots', () => {
    for (const v of model.vectors(X)) {
      expect(v.slice(8, 11).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(v.slice(11, 16)).toEqual([0, 0, 0, 0, 0]);
      expect(Math.max(...v.slice(8, 11))).toBeGreaterThan(0.99);
    }
  });

  it('round-trips through JSON with identical vectors', () => {
    const restored = ProfileModel.load(JSON.parse(JSON.stringify(model.toJSON())));
    expect(restored.vectors(X)).toEqual(model.vectors(X));
    expect(restored.toJSON()).toEqual(model.toJSON());
  });

  it('is deterministic given the seed', () => {
    expect(JSON.stringify(ProfileModel.fit(X, { inputs, seed: 1 }).toJSON())).toBe(
      JSON.stringify(model.toJSON()),
    );
  });

  it('keeps labels when a refit with another seed numbers the clusters differently', () => {
    // Find a seed whose raw ml-kmeans numbering differs from seed 1's: the permutation labels must survive.
    const raw = (seed: number) => kmeans(X, 3, { seed, initialization: 'kmeans++' }).clusters.join(',');
    const seed = [2, 3, 4, 5, 6, 7, 8, 9].find((candidate) => raw(candidate) !== raw(1));
    expect(seed).toBeDefined();
    const ids = X.map((_, i) => `d${i}`);
    const first = ProfileModel.fit(X, { inputs, seed: 1, ids });
    const refit = ProfileModel.fit(X, { inputs, seed: seed ?? 2, ids, previous: first });
    expect(refit.assignments).toEqual(first.assignments);
    expect(refit.lineage.matched.map((m) => m.label)).toEqual([1, 2, 3]);
    refit.lineage.matched.forEach((m) => {
      expect(m.distance).toBeLessThan(1e-9);
    });
    expect(refit.lineage.fresh).toEqual([]);
    expect(refit.lineage.retired).toEqual([]);
    expect(refit.nextLabel).toBe(4);
  });
});

describe('stable labels across retrains', () => {
  // Six inputs: input 0 (key input 1) orders the clusters; inputs 1-5 carry their identity.
  const centre = (key: number, identity: number) => [key, identity, identity, identity, identity, identity];
  const inputs = identity(6);
  const before = blobs([centre(0, 0), centre(0.2, 10), centre(0.4, 20)], 8, 0.01, 2);
  const first = ProfileModel.fit(before, { inputs, seed: 3 });

  it('numbers a first fit by key input 1', () => {
    expect(first.assign(before.filter((_, i) => i % 8 === 0))).toEqual([1, 2, 3]);
  });

  it('follows the centroids, not the order of key input 1', () => {
    // The key input now runs the other way; the identity inputs have not moved.
    const after = blobs([centre(0.4, 0), centre(0.2, 10), centre(0, 20)], 8, 0.01, 4);
    const matched = ProfileModel.fit(after, { inputs, seed: 5, previous: first });
    expect(matched.assign(after.filter((_, i) => i % 8 === 0))).toEqual([1, 2, 3]);
    const fresh = ProfileModel.fit(after, { inputs, seed: 5 });
    expect(fresh.assign(after.filter((_, i) => i % 8 === 0))).toEqual([3, 2, 1]);
  });

  it('gives a new cluster a fresh label, retires a vanished one, and never reuses it', () => {
    const grown = blobs([centre(0, 0), centre(0.2, 10), centre(0.4, 20), centre(0.1, 40)], 8, 0.01, 6);
    const four = ProfileModel.fit(grown, { inputs, seed: 7, previous: first });
    expect(four.k).toBe(4);
    expect(four.assign(grown.filter((_, i) => i % 8 === 0))).toEqual([1, 2, 3, 4]);
    expect(four.lineage.fresh).toEqual([4]);

    const shrunk = blobs([centre(0, 0), centre(0.4, 20)], 8, 0.01, 8);
    const two = ProfileModel.fit(shrunk, { inputs, seed: 9, previous: four });
    expect(two.labels).toEqual([1, 3]);
    expect(two.lineage.retired).toEqual([2, 4]);
    expect(two.nextLabel).toBe(5);

    const back = blobs([centre(0, 0), centre(0.2, 10), centre(0.4, 20)], 8, 0.01, 10);
    const three = ProfileModel.fit(back, { inputs, seed: 11, previous: two });
    expect(three.assign(back.filter((_, i) => i % 8 === 0))).toEqual([1, 5, 3]);
  });

  it('refuses a match farther than maxMatchDistance', () => {
    const moved = blobs([centre(0, 0), centre(0.2, 10), centre(0.4, 20)], 8, 0.01, 12).map((row, i) =>
      i < 8 ? row : row.map((value, d) => (d === 0 ? value : value + 3)),
    );
    const strict = ProfileModel.fit(moved, { inputs, seed: 3, previous: first, maxMatchDistance: 0.05 });
    expect(strict.lineage.matched.map((m) => m.label)).not.toContain(2);
    expect(strict.lineage.fresh.length).toBeGreaterThan(0);
  });
});

describe('ProfileModel with the live inputs', () => {
  it('fits 38 districts of 19 inputs and gives 32 finite numbers each', () => {
    const random = mulberry32(21);
    const X = Array.from({ length: 38 }, (_, i) =>
      PROFILE_INPUTS.map((input) =>
        input.transform === 'log1p' ? (i < 12 ? 400 : 60) * (0.5 + random()) : 0.1 + 0.3 * random(),
      ),
    );
    const model = ProfileModel.fit(X, { ids: X.map((_, i) => `D${i}`) });
    expect(model.k).toBeGreaterThanOrEqual(2);
    expect(model.keyInputs).toEqual([
      'incidents.rate_365d',
      'road_accident.rate_365d',
      'accidents.killed_per_accident_365d',
    ]);
    for (const v of model.vectors(X)) {
      expect(v).toHaveLength(32);
      expect(v.every((value) => Number.isFinite(value))).toBe(true);
    }
  });
});

describe('ProfileModel input checks', () => {
  const X = [[0], [1], [2], [10], [11], [12]];
  it('rejects bad rows and options before fitting', () => {
    expect(() => ProfileModel.fit([[0], [1, 2], [3]], { inputs: X_ONLY })).toThrow(/row 1 has 2 values/);
    expect(() => ProfileModel.fit([[0], [Number.NaN], [3]], { inputs: X_ONLY })).toThrow(ModelInputError);
    expect(() => ProfileModel.fit([[0], [1]], { inputs: X_ONLY })).toThrow(/2 rows, at least 3/);
    expect(() => ProfileModel.fit([[1], [1], [1], [1]], { inputs: X_ONLY })).toThrow(/1 distinct/);
    expect(() =>
      ProfileModel.fit([[0], [-1], [3]], { inputs: [{ name: 'rate', transform: 'log1p' }] }),
    ).toThrow(/log1p needs > -1/);
    expect(() => ProfileModel.fit(X, { inputs: X_ONLY, kMax: 9 })).toThrow(/kMax/);
    expect(() => ProfileModel.fit(X, { inputs: X_ONLY, ids: ['a', 'a', 'b', 'c', 'd', 'e'] })).toThrow(/ids/);
    expect(() => ProfileModel.fit(X)).toThrow(/expected 19/);
    const model = ProfileModel.fit(X, { inputs: X_ONLY });
    expect(() =>
      ProfileModel.fit(X, { inputs: [{ name: 'y', transform: 'identity' }], previous: model }),
    ).toThrow(/other inputs/);
    expect(() => profileVector(model, [1, 2])).toThrow(ModelInputError);
  });

  it('refuses JSON of another format', () => {
    const model = ProfileModel.fit(X, { inputs: X_ONLY });
    expect(() => ProfileModel.load({ ...model.toJSON(), format: 'profiles@2' })).toThrow(ModelFormatError);
    expect(() => ProfileModel.load({ ...model.toJSON(), clusters: [] })).toThrow(ModelFormatError);
  });
});
