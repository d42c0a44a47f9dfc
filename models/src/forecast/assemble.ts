import { SeriesForecast, type ForecastModel, type JsonValue, type YearlyComponent } from './forecast.js';
import {
  DAY_MS,
  forwardTransform,
  inverseTransform,
  type CheckedSeries,
  type CountTransform,
} from './series.js';

/** What a forecaster hands over, on the fitting scale, to become a stored {@link SeriesForecast}. */
export interface FitOutput {
  readonly model: ForecastModel;
  readonly key: string;
  readonly series: CheckedSeries;
  readonly transform: CountTransform;
  readonly level: number;
  /** In-sample fitted values for every history step. */
  readonly fitted: ArrayLike<number>;
  readonly fittedLower: ArrayLike<number>;
  readonly fittedUpper: ArrayLike<number>;
  readonly point: ArrayLike<number>;
  readonly lower: ArrayLike<number>;
  readonly upper: ArrayLike<number>;
  /** Days of in-sample fit kept before the forecast. */
  readonly fittedDays: number;
  readonly yearly: YearlyComponent | null;
  readonly components: readonly string[];
  readonly options: { readonly [key: string]: JsonValue };
  /** `Date.now()` when the fit started. */
  readonly startedAt: number;
  readonly note?: string;
}

/**
 * Back-transforms the fit (quantile by quantile, clamped at 0), measures the in-sample residuals and
 * keeps the last `fittedDays` of the in-sample fit before the forecast.
 */
export function assembleForecast(out: FitOutput): SeriesForecast {
  const { series, transform } = out;
  const n = series.values.length;
  const z = series.values.map((v) => forwardTransform(transform, v));
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const e = (z[i] as number) - (out.fitted[i] as number);
    squares += e * e;
  }
  const residualSd = Math.sqrt(squares / n);
  // Residuals of whole-day totals (groups of one day of steps from the start of the series), in counts.
  const perDay = Math.max(1, Math.round(DAY_MS / series.stepMs));
  let daySquares = 0;
  let days = 0;
  for (let start = 0; start + perDay <= n; start += perDay) {
    let observed = 0;
    let fitted = 0;
    for (let i = start; i < start + perDay; i++) {
      observed += series.values[i] as number;
      fitted += inverseTransform(transform, out.fitted[i] as number);
    }
    daySquares += (observed - fitted) ** 2;
    days++;
  }
  const residualSdDay = days > 0 ? Math.sqrt(daySquares / days) : 0;

  const fittedSteps = Math.min(n, Math.round((out.fittedDays * DAY_MS) / series.stepMs));
  const point: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  for (let i = n - fittedSteps; i < n; i++) {
    point.push(inverseTransform(transform, out.fitted[i] as number));
    lower.push(inverseTransform(transform, out.fittedLower[i] as number));
    upper.push(inverseTransform(transform, out.fittedUpper[i] as number));
  }
  for (let h = 0; h < out.point.length; h++) {
    point.push(inverseTransform(transform, out.point[h] as number));
    lower.push(inverseTransform(transform, out.lower[h] as number));
    upper.push(inverseTransform(transform, out.upper[h] as number));
  }
  let total = 0;
  for (const v of series.values) total += v;
  return new SeriesForecast({
    model: out.model,
    key: out.key,
    stepMs: series.stepMs,
    training: { fromMs: series.startMs, toMs: series.endMs, steps: n, total },
    options: out.options,
    transform,
    level: out.level,
    pathStartMs: series.endMs - fittedSteps * series.stepMs,
    fittedSteps,
    point,
    lower,
    upper,
    residualSd,
    residualSdDay,
    yearly: out.yearly,
    components: out.components,
    fitMs: Date.now() - out.startedAt,
    note: out.note ?? '',
  });
}

/** A flat forecast for a constant history (every step the same count): no model can say more. */
export function constantFit(
  base: Omit<
    FitOutput,
    'fitted' | 'fittedLower' | 'fittedUpper' | 'point' | 'lower' | 'upper' | 'yearly' | 'components' | 'note'
  >,
  horizonSteps: number,
): SeriesForecast {
  const n = base.series.values.length;
  const value = forwardTransform(base.transform, base.series.values[0] as number);
  const history = new Float64Array(n).fill(value);
  const future = new Float64Array(horizonSteps).fill(value);
  return assembleForecast({
    ...base,
    fitted: history,
    fittedLower: history,
    fittedUpper: history,
    point: future,
    lower: future,
    upper: future,
    yearly: null,
    components: [],
    note: 'constant series: flat forecast with zero-width intervals',
  });
}
