import { mulberry32 } from '@district-monitor/streams/random';

/**
 * Seeded pseudo-random numbers for the fusion network: epoch shuffles and the per-step dropout seeds,
 * so that two fits with the same seed see the same batches and the same dropout masks.
 */

/** A 32-bit integer mix of a seed and any number of integer parts (MurmurHash3's finaliser per part). */
export function deriveSeed(seed: number, ...parts: readonly number[]): number {
  let h = Math.trunc(seed) >>> 0;
  for (const part of [0x9e3779b9, ...parts]) {
    h ^= Math.trunc(part) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** Mulberry32 (the workspace's one kernel) seeded through `deriveSeed`: same seed, same sequence. */
export function createRng(seed: number): () => number {
  return mulberry32(deriveSeed(seed));
}

/** Fisher-Yates shuffle in place, drawing from `random`. */
export function shuffleInPlace(values: Int32Array | number[], random: () => number): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const vi = values[i];
    const vj = values[j];
    if (vi === undefined || vj === undefined) continue;
    values[i] = vj;
    values[j] = vi;
  }
}
