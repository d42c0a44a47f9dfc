import { countLogPmf } from '../fusion/count-distribution.js';

/** The bounds of a district's weekly terciles: class 0 when y <= t1, 1 when y <= t2, else 2. */
export interface TercileBounds {
  readonly t1: number;
  readonly t2: number;
}

/**
 * Tercile probabilities of next week's count from the fusion network's count distribution (negative
 * binomial with mean `mean` and size `size`, Poisson when null) and the district's own tercile bounds:
 * P(Y <= t1), P(t1 < Y <= t2), P(Y > t2). The classes are relative to each district's history, which the
 * network's inputs do not carry, so they are read from its count distribution rather than its class head.
 */
export function tercileProbabilities(mean: number, size: number | null, bounds: TercileBounds): number[] {
  const m = Math.max(mean, 1e-6);
  let low = 0;
  let middle = 0;
  const top = Math.floor(bounds.t2);
  for (let k = 0; k <= top; k++) {
    const p = Math.exp(countLogPmf(k, m, size));
    if (k <= bounds.t1) low += p;
    else middle += p;
  }
  const high = Math.max(0, 1 - low - middle);
  const sum = low + middle + high;
  return [low / sum, middle / sum, high / sum];
}
