import type {
  Prophet,
  ProphetInitialParams,
  ProphetOptimizedParams,
  ProphetOptimizeOptions,
  ProphetOptions,
  ProphetSeasonalityOption,
  ProphetStanDataJSON,
} from '@bsull/augurs/prophet';
import { createMapOptimizer } from './map-optimizer.js';
import type { AugursRuntime, ProphetOptimizer } from './runtime.js';

/** Whether to fit a seasonality: on, off, or on with this many Fourier terms. */
export type SeasonalitySetting = boolean | number;

/** The model settings the product's Prophet fits share (ProphetForecaster, SpikeDetector). */
export interface ProphetFitSettings {
  /** `map`: the exact MAP solver; `stan`: Stan's L-BFGS, finished by the exact solver where it gives up. */
  readonly optimizer: 'map' | 'stan';
  readonly changepoints: number;
  readonly changepointRange: number;
  readonly changepointPriorScale: number;
  readonly seasonalityPriorScale: number;
  readonly weekly: SeasonalitySetting;
  readonly daily: SeasonalitySetting;
  readonly yearly: SeasonalitySetting;
  readonly holidaysPriorScale?: number;
  readonly holidays?: ProphetOptions['holidays'];
  readonly seed: number;
}

export interface ProphetFit {
  readonly predictions: ReturnType<Prophet['predict']>;
  readonly params: ProphetOptimizedParams;
  /** Stan's first error line when it gave up and the exact solver finished the fit; null otherwise. */
  readonly stanError: string | null;
}

/**
 * Fits Prophet (linear trend, additive seasonalities, MLE, absmax scaling) on `ds` (epoch seconds) and
 * `y`, and predicts at `predictDs`. Prophet's own predictive draws are off: callers simulate intervals
 * with a seeded generator from the returned parameters. Throws what augurs throws.
 */
export function fitProphet(
  runtime: AugursRuntime,
  settings: ProphetFitSettings,
  ds: readonly number[],
  y: readonly number[],
  predictDs: readonly number[],
): ProphetFit {
  let params: ProphetOptimizedParams | undefined;
  let stanError: string | null = null;
  const stan = runtime.optimizer;
  const map = createMapOptimizer(stan);
  const optimizer: ProphetOptimizer = {
    optimize(init: ProphetInitialParams, data: ProphetStanDataJSON, opts: ProphetOptimizeOptions) {
      let out;
      if (settings.optimizer === 'map') out = map.optimize(init, data, opts);
      else {
        try {
          out = stan.optimize(init, data, opts);
        } catch (error) {
          // Stan's L-BFGS gives up on some short series (line search); Python Prophet then retries with
          // Newton, we with the exact solver of the same objective.
          stanError = String(error).split('\n')[0] ?? '';
          out = map.optimize(init, data, opts);
        }
      }
      params = out.params;
      return out;
    },
  };
  const model = new runtime.Prophet({
    optimizer,
    growth: 'linear',
    nChangepoints: settings.changepoints,
    changepointRange: settings.changepointRange,
    weeklySeasonality: seasonality(settings.weekly),
    dailySeasonality: seasonality(settings.daily),
    yearlySeasonality: seasonality(settings.yearly),
    seasonalityMode: 'additive',
    seasonalityPriorScale: settings.seasonalityPriorScale,
    changepointPriorScale: settings.changepointPriorScale,
    ...(settings.holidaysPriorScale === undefined ? {} : { holidaysPriorScale: settings.holidaysPriorScale }),
    ...(settings.holidays === undefined ? {} : { holidays: settings.holidays }),
    uncertaintySamples: 0,
    estimation: 'mle',
    scaling: 'absMax',
  });
  let predictions;
  try {
    model.fit({ ds: [...ds], y: [...y] }, { algorithm: 'lbfgs', iter: 10_000, seed: settings.seed });
    predictions = model.predict({ ds: [...predictDs] });
  } finally {
    model.free();
  }
  if (params === undefined) throw new Error('Prophet fitted without calling its optimizer');
  return { predictions, params, stanError };
}

/** Mean absolute trend change of a fit: the scale of the simulated future changepoints. */
export function meanAbsDelta(params: ProphetOptimizedParams): number {
  let total = 0;
  for (const d of params.delta) total += Math.abs(d);
  return total / Math.max(1, params.delta.length);
}

function seasonality(setting: SeasonalitySetting): ProphetSeasonalityOption {
  return typeof setting === 'number'
    ? { type: 'fourier', order: setting }
    : { type: 'manual', enabled: setting };
}
