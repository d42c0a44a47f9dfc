import { beforeAll, describe, expect, it } from 'vitest';
// models/ does no I/O: the Node runtime that reads augurs' wasm lives in data/, and the specs borrow it.
import { initAugurs } from '@district-monitor/data/runtime';
import { ModelInputError } from '../errors.js';
import { createMapOptimizer, solveProphetMap } from './map-optimizer.js';
import { Random } from './random.js';
import type { AugursRuntime } from './runtime.js';

let runtime: AugursRuntime;
beforeAll(async () => {
  runtime = await initAugurs();
});

interface Data {
  T: number;
  y: number[];
  t: number[];
  S: number;
  t_change: number[];
  K: number;
  X: number[][];
  s_a: number[];
  s_m: number[];
  sigmas: number[];
  tau: number;
  trend_indicator: number;
}

/** The Stan data augurs builds for a weekly-seasonal series with a trend break, captured from Prophet itself. */
function stanData(): Data {
  const random = new Random(3);
  const ds = Array.from({ length: 300 }, (_, i) => 1_700_000_000 + i * 86_400);
  const y = ds.map((_, i) =>
    Math.sqrt(random.poisson(6 + (i > 150 ? 0.05 * (i - 150) : 0) + 2 * Math.sin((2 * Math.PI * i) / 7))),
  );
  let captured = '';
  const model = new runtime.Prophet({
    optimizer: {
      optimize: (init, data, opts) => {
        captured = data;
        return runtime.optimizer.optimize(init, data, opts);
      },
    },
    uncertaintySamples: 0,
  });
  model.fit({ ds, y });
  model.free();
  return JSON.parse(captured) as Data;
}

/** Stan's objective (negative log posterior, constants dropped) and its gradient in the coefficients. */
function objective(
  data: Data,
  k: number,
  m: number,
  delta: ArrayLike<number>,
  beta: ArrayLike<number>,
  sigma: number,
) {
  const p = 2 + data.S + data.K;
  const gradient = new Float64Array(p);
  let rss = 0;
  for (let r = 0; r < data.T; r++) {
    const t = data.t[r] as number;
    const row = [
      t,
      1,
      ...data.t_change.map((s) => (t >= s ? t - s : 0)),
      ...(data.X[r] as number[]).map((x, i) => (data.s_a[i] === 1 ? x : 0)),
    ];
    const theta = [k, m, ...Array.from(delta), ...Array.from(beta)];
    const e = (data.y[r] as number) - row.reduce((sum, z, i) => sum + z * (theta[i] as number), 0);
    rss += e * e;
    row.forEach((z, i) => (gradient[i] = (gradient[i] as number) - (z * e) / (sigma * sigma)));
  }
  gradient[0] = (gradient[0] as number) + k / 25;
  gradient[1] = (gradient[1] as number) + m / 25;
  let value = rss / (2 * sigma * sigma) + data.T * Math.log(sigma) + 2 * sigma * sigma + (k * k + m * m) / 50;
  for (let j = 0; j < data.S; j++) value += Math.abs(delta[j] as number) / data.tau;
  for (let i = 0; i < data.K; i++) {
    const b = beta[i] as number;
    const s = data.sigmas[i] as number;
    value += (b * b) / (2 * s * s);
    gradient[2 + data.S + i] = (gradient[2 + data.S + i] as number) + b / (s * s);
  }
  return { value, gradient, rss };
}

describe('solveProphetMap', () => {
  it('satisfies the optimality conditions of the MAP problem', () => {
    const data = stanData();
    const solution = solveProphetMap(data);
    const { sigma } = solution.report;
    const { gradient, rss } = objective(data, solution.k, solution.m, solution.delta, solution.beta, sigma);
    // sigma: 4 sigma^4 + T sigma^2 - RSS = 0.
    expect((4 * sigma ** 4 + data.T * sigma ** 2 - rss) / rss).toBeCloseTo(0, 8);
    // Unpenalised-by-L1 coordinates: zero gradient; changepoints: gradient + sign/tau = 0, or |gradient| <= 1/tau at 0.
    const scale = Math.max(...Array.from(gradient, Math.abs), 1 / data.tau);
    for (const i of [0, 1, ...Array.from({ length: data.K }, (_, i) => 2 + data.S + i)]) {
      expect(Math.abs(gradient[i] as number) / scale).toBeLessThan(1e-6);
    }
    let active = 0;
    for (let j = 0; j < data.S; j++) {
      const d = solution.delta[j] as number;
      const g = gradient[2 + j] as number;
      if (d === 0) expect(Math.abs(g)).toBeLessThanOrEqual((1 / data.tau) * (1 + 1e-6));
      else {
        active++;
        expect(Math.abs(g + Math.sign(d) / data.tau) / scale).toBeLessThan(1e-6);
      }
    }
    // The trend breaks upwards at day 150: some changepoint is active.
    expect(active).toBeGreaterThan(0);
  });

  it('reaches an objective at least as low as Stan L-BFGS on the same data', () => {
    const data = stanData();
    const ours = solveProphetMap(data);
    const stan = runtime.optimizer.optimize(
      { k: 0, m: 0, delta: new Float64Array(data.S), beta: new Float64Array(data.K), sigmaObs: 1 },
      JSON.stringify(data),
      {},
    ).params;
    const stanValue = objective(data, stan.k, stan.m, stan.delta, stan.beta, stan.sigmaObs).value;
    expect(ours.report.objective).toBeLessThanOrEqual(stanValue + 1e-6 * Math.abs(stanValue));
    expect(objective(data, ours.k, ours.m, ours.delta, ours.beta, ours.report.sigma).value).toBeCloseTo(
      ours.report.objective,
      6,
    );
  });

  it('passes what it does not handle to the fallback, or refuses it', () => {
    const data = { ...stanData(), trend_indicator: 1 };
    const init = { k: 0, m: 0, delta: new Float64Array(data.S), beta: new Float64Array(data.K), sigmaObs: 1 };
    expect(() => createMapOptimizer().optimize(init, JSON.stringify(data), {})).toThrow(ModelInputError);
    let called = false;
    createMapOptimizer({
      optimize: (i, d, o) => {
        called = true;
        return runtime.optimizer.optimize(
          i,
          JSON.stringify({ ...(JSON.parse(d) as Data), trend_indicator: 0 }),
          o,
        );
      },
    }).optimize(init, JSON.stringify(data), {});
    expect(called).toBe(true);
  });
});
