/**
 * Small seeded random helpers shared by the forest and the profiles: a 32-bit generator, a seed mixer that
 * derives independent sub-seeds from (seed, a, b, ...), and a Fisher-Yates permutation. No global state:
 * the same seed always gives the same numbers, on every platform.
 */

/** A generator of uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * Mulberry32: a 32-bit state generator, fast and good enough for bootstrap draws and permutations.
 *
 * @param seed - Any integer; only its low 32 bits matter.
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Mixes a seed with further integers into a new signed 32-bit seed (murmur3's finaliser after each part),
 * so that, for example, tree 7 and tree 8 of a forest get unrelated generators.
 *
 * @returns A signed 32-bit integer, as ml-random-forest and ml-kmeans accept.
 */
export function mixSeed(seed: number, ...parts: readonly number[]): number {
  let h = seed >>> 0;
  for (const part of [...parts, parts.length]) {
    h = Math.imul(h ^ (part >>> 0), 0x9e3779b1);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h | 0;
}

/** An integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
export function permutation(n: number, random: Random): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    const swap = order[i] ?? 0;
    order[i] = order[j] ?? 0;
    order[j] = swap;
  }
  return order;
}
