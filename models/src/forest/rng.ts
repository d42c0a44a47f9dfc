/**
 * Small seeded random helpers shared by the forest and the profiles: the workspace's 32-bit generator
 * (mulberry32, written once in `@district-monitor/streams/random`), a seed mixer that derives independent
 * sub-seeds from (seed, a, b, ...), and a Fisher-Yates permutation. No global state: the same seed always
 * gives the same numbers, on every platform.
 */
import type { Random } from '@district-monitor/streams/random';

export { mulberry32, type Random } from '@district-monitor/streams/random';

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
