/**
 * The one seeded random kernel of the workspace: mulberry32, a 32-bit state generator, fast and good
 * enough for simulation, bootstrap draws, permutations and shuffles. No global state: the same seed
 * always gives the same sequence, on every platform. The simulator's event ids and many specs depend
 * on these exact numbers, so the arithmetic below must not change.
 */

/** A generator of uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * Mulberry32; uniform in [0, 1).
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
