import type {
  ProphetInitialParams,
  ProphetOptimizeOptions,
  ProphetOptimizeOutput,
  ProphetStanDataJSON,
} from '@bsull/augurs/prophet';
import { ModelInputError } from '../errors.js';
import type { ProphetOptimizer } from './runtime.js';

/**
 * The part of Prophet's Stan data (`prophet.stan`) this solver reads; augurs sends it as JSON.
 * `X` holds `T` rows of `K` features.
 */
interface StanData {
  readonly T: number;
  readonly y: readonly number[];
  readonly t: readonly number[];
  readonly S: number;
  readonly t_change: readonly number[];
  readonly trend_indicator: number;
  readonly K: number;
  readonly s_a: readonly number[];
  readonly s_m: readonly number[];
  readonly X: readonly (readonly number[])[];
  readonly sigmas: readonly number[];
  readonly tau: number;
}

/** What one solve did, for the logs and the specs. */
export interface MapSolveReport {
  /** Negative log posterior at the optimum (Stan's objective, constants dropped). */
  readonly objective: number;
  readonly sigma: number;
  /** Outer (noise scale) iterations. */
  readonly outerIterations: number;
  /** Feature-sign steps over all outer iterations. */
  readonly steps: number;
}

const MAX_OUTER = 200;
const SIGMA_FLOOR = 1e-9;
/** Relative change of sigma^2 at which the alternation stops (the objective then moves by far less than Stan's tolerances). */
const SIGMA_TOLERANCE = 1e-10;

/**
 * An exact solver for the maximum a posteriori estimate of Prophet's Stan model with a linear trend and
 * additive features, behind augurs' optimizer interface (the same function `@bsull/augurs-prophet-wasmstan`
 * provides). It minimises the same objective as Stan's L-BFGS in `prophet.stan` (constants dropped,
 * no Jacobian, as Prophet's `optimize` does):
 *
 *   F(k, m, delta, beta, sigma) = RSS / (2 sigma^2) + T log sigma + 2 sigma^2 + k^2/50 + m^2/50
 *                                 + sum |delta_j| / tau + sum beta_i^2 / (2 sigmas_i^2),
 *
 * where RSS is the sum of squares of y - (k t + m + sum_j delta_j (t - s_j)+ + X beta). For a fixed sigma it
 * is an L1-penalised least-squares problem in (k, m, delta, beta), solved exactly by feature-sign search on
 * the Gram matrix (Lee, Battle, Raina and Ng, "Efficient sparse coding algorithms", NIPS 2006); for fixed
 * coefficients the best sigma solves 4 sigma^4 + T sigma^2 - RSS = 0. The two updates alternate until
 * sigma stops moving (relative change of sigma^2 below 1e-10). Each update lowers F, so it converges to the
 * optimum Stan approaches iteratively, in a few milliseconds instead of tens.
 *
 * Logistic or flat trends and multiplicative features are passed to `fallback` (Stan), or refused
 * when there is none.
 */
export function createMapOptimizer(
  fallback?: ProphetOptimizer,
  onSolve?: (report: MapSolveReport) => void,
): ProphetOptimizer {
  return {
    optimize(
      init: ProphetInitialParams,
      dataJson: ProphetStanDataJSON,
      opts: ProphetOptimizeOptions,
    ): ProphetOptimizeOutput {
      const data = JSON.parse(dataJson) as StanData;
      const supported = data.trend_indicator === 0 && data.s_m.every((flag) => flag === 0);
      if (!supported) {
        if (fallback !== undefined) return fallback.optimize(init, dataJson, opts);
        throw new ModelInputError('the MAP solver handles a linear trend with additive features only');
      }
      const solution = solveProphetMap(data);
      onSolve?.(solution.report);
      return {
        logs: {
          debug: '',
          info:
            `map-optimizer: objective ${solution.report.objective}, sigma ${solution.report.sigma}, ` +
            `${solution.report.outerIterations} outer iterations, ${solution.report.steps} feature-sign steps`,
          warn: '',
          error: '',
          fatal: '',
        },
        params: {
          k: solution.k,
          m: solution.m,
          sigmaObs: solution.report.sigma,
          delta: solution.delta,
          beta: solution.beta,
          trend: solution.trend,
        },
      };
    },
  };
}

interface MapSolution {
  readonly k: number;
  readonly m: number;
  readonly delta: Float64Array;
  readonly beta: Float64Array;
  readonly trend: Float64Array;
  readonly report: MapSolveReport;
}

/** Solves the MAP problem described at {@link createMapOptimizer}. Exported for the specs. */
export function solveProphetMap(data: StanData): MapSolution {
  const { T, S, K } = data;
  if (data.y.length !== T || data.t.length !== T || data.X.length !== T || data.t_change.length !== S) {
    throw new ModelInputError('malformed Prophet Stan data: lengths disagree with T, S and K');
  }
  const p = 2 + S + K;
  // Design row r: [t, 1, (t - s_1)+ ... (t - s_S)+, X_r1 s_a1 ... X_rK s_aK]; Gram G = Z'Z, b = Z'y.
  const z = new Float64Array(T * p);
  for (let r = 0; r < T; r++) {
    const t = data.t[r] as number;
    const row = r * p;
    const features = data.X[r] as readonly number[];
    if (features.length !== K)
      throw new ModelInputError(
        `malformed Prophet Stan data: row ${r} of X has ${features.length} features, not ${K}`,
      );
    z[row] = t;
    z[row + 1] = 1;
    for (let j = 0; j < S; j++) {
      const s = data.t_change[j] as number;
      z[row + 2 + j] = t >= s ? t - s : 0;
    }
    for (let i = 0; i < K; i++)
      z[row + 2 + S + i] = (data.s_a[i] as number) === 0 ? 0 : (features[i] as number);
  }
  const gram = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let r = 0; r < T; r++) {
    const row = r * p;
    const y = data.y[r] as number;
    for (let i = 0; i < p; i++) {
      const zi = z[row + i] as number;
      if (zi === 0) continue;
      b[i] = (b[i] as number) + zi * y;
      const gi = i * p;
      for (let j = i; j < p; j++) gram[gi + j] = (gram[gi + j] as number) + zi * (z[row + j] as number);
    }
  }
  for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) gram[i * p + j] = gram[j * p + i] as number;

  // Ridge weights rho (prior: rho * theta^2) and which coordinates carry the Laplace prior.
  const rho = new Float64Array(p);
  const isL1 = new Uint8Array(p);
  rho[0] = 1 / 50;
  rho[1] = 1 / 50;
  for (let j = 0; j < S; j++) isL1[2 + j] = 1;
  for (let i = 0; i < K; i++) {
    const sigma = data.sigmas[i] as number;
    rho[2 + S + i] = 1 / (2 * sigma * sigma);
  }

  // Start from zero: few changepoints end up non-zero, so adding them one by one takes few steps.
  const theta = new Float64Array(p);
  const hessian = new Float64Array(p * p);
  const lambda = new Float64Array(p);
  let sigma2 = 0.01;
  let steps = 0;
  let outer = 0;
  for (; outer < MAX_OUTER; outer++) {
    // With sigma fixed, F * sigma^2 = 1/2 |y - Z theta|^2 + sigma^2 sum rho theta^2 + sigma^2/tau sum |delta|.
    hessian.set(gram);
    for (let i = 0; i < p; i++) {
      hessian[i * p + i] = (hessian[i * p + i] as number) + 2 * sigma2 * (rho[i] as number);
      lambda[i] = isL1[i] === 1 ? sigma2 / data.tau : 0;
    }
    steps += featureSignSearch(hessian, b, lambda, isL1, p, theta);
    const rss = residualSumOfSquares(z, data.y, theta, T, p);
    const next = Math.max(SIGMA_FLOOR * SIGMA_FLOOR, (-T + Math.sqrt(T * T + 16 * rss)) / 8);
    const change = Math.abs(next - sigma2) / next;
    sigma2 = next;
    if (change < SIGMA_TOLERANCE) break;
  }
  const sigma = Math.sqrt(sigma2);
  const rss = residualSumOfSquares(z, data.y, theta, T, p);
  let objective = rss / (2 * sigma2) + T * Math.log(sigma) + 2 * sigma2;
  for (let i = 0; i < p; i++) {
    const v = theta[i] as number;
    objective += (rho[i] as number) * v * v + (isL1[i] === 1 ? Math.abs(v) / data.tau : 0);
  }
  const delta = theta.slice(2, 2 + S);
  const beta = theta.slice(2 + S);
  const trend = new Float64Array(T);
  for (let r = 0; r < T; r++) {
    let value = (theta[0] as number) * (z[r * p] as number) + (theta[1] as number);
    for (let j = 0; j < S; j++) value += (delta[j] as number) * (z[r * p + 2 + j] as number);
    trend[r] = value;
  }
  return {
    k: theta[0] as number,
    m: theta[1] as number,
    delta,
    beta,
    trend,
    report: { objective, sigma, outerIterations: outer + 1, steps },
  };
}

function residualSumOfSquares(
  z: Float64Array,
  y: readonly number[],
  theta: Float64Array,
  T: number,
  p: number,
): number {
  let rss = 0;
  for (let r = 0; r < T; r++) {
    let fit = 0;
    const row = r * p;
    for (let i = 0; i < p; i++) fit += (z[row + i] as number) * (theta[i] as number);
    const e = (y[r] as number) - fit;
    rss += e * e;
  }
  return rss;
}

/**
 * Feature-sign search for min 1/2 x'Hx - b'x + sum lambda_i |x_i| (lambda_i = 0 off the L1 set), starting
 * from and updating `theta`. Returns the number of feature-sign steps taken.
 */
function featureSignSearch(
  h: Float64Array,
  b: Float64Array,
  lambda: Float64Array,
  isL1: Uint8Array,
  p: number,
  theta: Float64Array,
): number {
  const gradient = new Float64Array(p);
  let scale = 0;
  for (let i = 0; i < p; i++)
    scale = Math.max(scale, Math.abs(b[i] as number), Math.abs(h[i * p + i] as number));
  const tolerance = 1e-11 * Math.max(scale, 1);
  const sign = new Float64Array(p);
  const active = new Uint8Array(p);
  for (let i = 0; i < p; i++) {
    const v = theta[i] as number;
    active[i] = isL1[i] === 0 || v !== 0 ? 1 : 0;
    sign[i] = isL1[i] === 1 ? Math.sign(v) : 0;
  }
  let steps = 0;
  // After a step that reached the active-set solution, the active coordinates are stationary up to rounding
  // (the changepoint columns make the system ill-conditioned, so the gradient is not exactly zero there).
  let stationary = false;
  for (let guard = 0; guard < 50 * p; guard++) {
    for (let i = 0; i < p; i++) {
      let g = -(b[i] as number);
      const row = i * p;
      for (let j = 0; j < p; j++) g += (h[row + j] as number) * (theta[j] as number);
      gradient[i] = g;
    }
    if (!stationary) {
      let activeViolation = 0;
      for (let i = 0; i < p; i++) {
        if (active[i] === 0) continue;
        activeViolation = Math.max(
          activeViolation,
          Math.abs((gradient[i] as number) + (lambda[i] as number) * (sign[i] as number)),
        );
      }
      stationary = activeViolation <= tolerance;
    }
    if (stationary) {
      // Zero coordinates must stay inside their subgradient interval; activate the worst one.
      let worst = -1;
      let worstExcess = tolerance;
      for (let i = 0; i < p; i++) {
        if (active[i] === 1) continue;
        const excess = Math.abs(gradient[i] as number) - (lambda[i] as number);
        if (excess > worstExcess) {
          worstExcess = excess;
          worst = i;
        }
      }
      if (worst < 0) return steps;
      active[worst] = 1;
      sign[worst] = -Math.sign(gradient[worst] as number);
    }
    stationary = featureSignStep(h, b, lambda, isL1, p, theta, active, sign);
    steps++;
  }
  return steps;
}

/**
 * Solves the equality-constrained problem on the active set for the current signs, then line-searches to it.
 * Returns whether it moved to that solution with the signs unchanged (so the active set is stationary).
 */
function featureSignStep(
  h: Float64Array,
  b: Float64Array,
  lambda: Float64Array,
  isL1: Uint8Array,
  p: number,
  theta: Float64Array,
  active: Uint8Array,
  sign: Float64Array,
): boolean {
  const index: number[] = [];
  const rhs: number[] = [];
  for (let i = 0; i < p; i++) {
    if (active[i] === 0) continue;
    index.push(i);
    rhs.push((b[i] as number) - (lambda[i] as number) * (sign[i] as number));
  }
  const solved = solveSubsystem(h, p, index, rhs);
  const target = new Float64Array(p);
  index.forEach((i, n) => (target[i] = solved[n] as number));
  // The objective is piecewise quadratic along the segment: check the end and every zero crossing.
  let best = target;
  let bestValue = objective(h, b, lambda, p, target);
  const current = objective(h, b, lambda, p, theta);
  for (const i of index) {
    if (isL1[i] === 0) continue;
    const from = theta[i] as number;
    const to = target[i] as number;
    if (from === 0 || Math.sign(from) === Math.sign(to)) continue;
    const alpha = from / (from - to);
    const point = new Float64Array(p);
    for (let j = 0; j < p; j++)
      point[j] = (theta[j] as number) + alpha * ((target[j] as number) - (theta[j] as number));
    point[i] = 0;
    const value = objective(h, b, lambda, p, point);
    if (value < bestValue) {
      best = point;
      bestValue = value;
    }
  }
  const moved = bestValue <= current || !Number.isFinite(current);
  if (moved) theta.set(best);
  // Not moving means no point of the segment beats the current one: it is the active-set optimum up to rounding.
  let signsKept = !moved || best === target;
  for (let i = 0; i < p; i++) {
    if (isL1[i] === 0) continue;
    const v = theta[i] as number;
    const next = Math.abs(v) < 1e-300 ? 0 : Math.sign(v);
    if (active[i] === 1 && next !== sign[i]) signsKept = false;
    theta[i] = next === 0 ? 0 : v;
    active[i] = next === 0 ? 0 : 1;
    sign[i] = next;
  }
  return signsKept;
}

function objective(
  h: Float64Array,
  b: Float64Array,
  lambda: Float64Array,
  p: number,
  x: Float64Array,
): number {
  let value = 0;
  for (let i = 0; i < p; i++) {
    const xi = x[i] as number;
    if (xi === 0) continue;
    let hx = 0;
    const row = i * p;
    for (let j = 0; j < p; j++) hx += (h[row + j] as number) * (x[j] as number);
    value += 0.5 * xi * hx - (b[i] as number) * xi + (lambda[i] as number) * Math.abs(xi);
  }
  return value;
}

/**
 * Solves H[index, index] x = rhs by Cholesky factorisation; a near-singular block gets a growing jitter on
 * its diagonal (the changepoint columns are strongly correlated).
 */
function solveSubsystem(
  h: Float64Array,
  p: number,
  index: readonly number[],
  rhs: readonly number[],
): Float64Array {
  const n = index.length;
  let jitter = 0;
  let trace = 0;
  for (const i of index) trace += h[i * p + i] as number;
  const meanDiagonal = n > 0 ? trace / n : 1;
  for (let attempt = 0; attempt < 12; attempt++) {
    const l = new Float64Array(n * n);
    let ok = true;
    for (let r = 0; r < n && ok; r++) {
      const hr = (index[r] as number) * p;
      for (let c = 0; c <= r; c++) {
        let sum = (h[hr + (index[c] as number)] as number) + (r === c ? jitter : 0);
        for (let k = 0; k < c; k++) sum -= (l[r * n + k] as number) * (l[c * n + k] as number);
        if (r === c) {
          if (!(sum > 0)) {
            ok = false;
            break;
          }
          l[r * n + r] = Math.sqrt(sum);
        } else {
          l[r * n + c] = sum / (l[c * n + c] as number);
        }
      }
    }
    if (!ok) {
      jitter = jitter === 0 ? 1e-12 * meanDiagonal : jitter * 100;
      continue;
    }
    const y = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      let sum = rhs[r] as number;
      for (let k = 0; k < r; k++) sum -= (l[r * n + k] as number) * (y[k] as number);
      y[r] = sum / (l[r * n + r] as number);
    }
    const x = new Float64Array(n);
    for (let r = n - 1; r >= 0; r--) {
      let sum = y[r] as number;
      for (let k = r + 1; k < n; k++) sum -= (l[k * n + r] as number) * (x[k] as number);
      x[r] = sum / (l[r * n + r] as number);
    }
    return x;
  }
  throw new ModelInputError('the Prophet design matrix is singular');
}
