import { ModelFormatError } from '../errors.js';
import { jsonReader } from '../json-read.js';
import { COUNT_TRANSFORMS, DAY_MS, type CountTransform } from './series.js';

/** The readers of the forecast documents: each error names `forecast` and the path it rejects. */
const { record, finite, numbers } = jsonReader('forecast');

/** Format tag of {@link SeriesForecast.toJSON}. */
export const SERIES_FORECAST_FORMAT = 'series-forecast@1';
/** Format tag of {@link ForecastSet.toJSON}. */
export const FORECAST_SET_FORMAT = 'forecast-set@1';

/** A JSON value (what the resolved options serialise to). */
export type JsonValue =
  null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export type ForecastModel = 'prophet' | 'ets';

/** Point and interval bounds of one step, in counts. */
export interface StepForecast {
  readonly point: number;
  readonly lower: number;
  readonly upper: number;
}

/** The range of Prophet's yearly component over the last year of history, on the fitting scale. */
export interface YearlyComponent {
  /** Trend at the last step of the history (fitting scale). */
  readonly trendEnd: number;
  readonly min: number;
  readonly max: number;
}

/** The serialised form of a {@link SeriesForecast}. */
export interface SeriesForecastJSON {
  readonly format: typeof SERIES_FORECAST_FORMAT;
  readonly model: ForecastModel;
  /** The series, e.g. `TN-MDU/violent`. */
  readonly key: string;
  readonly stepMs: number;
  /** Training window: the steps `[fromMs, toMs)`, their number and the sum of their counts. */
  readonly training: {
    readonly fromMs: number;
    readonly toMs: number;
    readonly steps: number;
    readonly total: number;
  };
  /** The options of the fit after defaults were applied. */
  readonly options: { readonly [key: string]: JsonValue };
  /** Scale the model was fitted on. */
  readonly transform: CountTransform;
  /** Central interval width of `lower`/`upper` (e.g. 0.8). */
  readonly level: number;
  /** Start of the path's first step: `training.toMs - fittedSteps * stepMs`. */
  readonly pathStartMs: number;
  /** The first `fittedSteps` of the path are in-sample fitted values (the end of the history), the rest the forecast. */
  readonly fittedSteps: number;
  readonly point: readonly number[];
  readonly lower: readonly number[];
  readonly upper: readonly number[];
  /** Root mean square in-sample residual on the fitting scale. */
  readonly residualSd: number;
  /** Standard deviation of the in-sample residuals of whole-day totals, in counts per day. */
  readonly residualSdDay: number;
  /** Prophet's yearly component, or null when none was fitted (ETS, or a history under a year). */
  readonly yearly: YearlyComponent | null;
  /** Seasonal components fitted (e.g. `weekly`, `daily`, `yearly`) and holiday tables, for the model card. */
  readonly components: readonly string[];
  /** Wall-clock fit and predict time, milliseconds (not reproducible; the only such field). */
  readonly fitMs: number;
  /** Why the fit is special, e.g. `constant series: flat forecast`; empty otherwise. */
  readonly note: string;
}

/**
 * A fitted forecast of one series, as stored: the forecast path (point and interval bounds per step) after
 * the end of training, preceded by the in-sample fit of the last days of training, with the fit's
 * metadata (training window, options, format version). augurs models cannot be serialised; this can, and
 * it is all that the trend vector needs at scoring time.
 */
export class SeriesForecast {
  readonly model: ForecastModel;
  readonly key: string;
  readonly stepMs: number;
  readonly training: SeriesForecastJSON['training'];
  readonly options: SeriesForecastJSON['options'];
  readonly transform: CountTransform;
  readonly level: number;
  readonly pathStartMs: number;
  readonly fittedSteps: number;
  readonly point: readonly number[];
  readonly lower: readonly number[];
  readonly upper: readonly number[];
  readonly residualSd: number;
  readonly residualSdDay: number;
  readonly yearly: YearlyComponent | null;
  readonly components: readonly string[];
  readonly fitMs: number;
  readonly note: string;

  constructor(json: Omit<SeriesForecastJSON, 'format'>) {
    this.model = json.model;
    this.key = json.key;
    this.stepMs = json.stepMs;
    this.training = Object.freeze({ ...json.training });
    this.options = json.options;
    this.transform = json.transform;
    this.level = json.level;
    this.pathStartMs = json.pathStartMs;
    this.fittedSteps = json.fittedSteps;
    this.point = Object.freeze([...json.point]);
    this.lower = Object.freeze([...json.lower]);
    this.upper = Object.freeze([...json.upper]);
    this.residualSd = json.residualSd;
    this.residualSdDay = json.residualSdDay;
    this.yearly = json.yearly === null ? null : Object.freeze({ ...json.yearly });
    this.components = Object.freeze([...json.components]);
    this.fitMs = json.fitMs;
    this.note = json.note;
  }

  /** First forecast step (= end of training). */
  get forecastStartMs(): number {
    return this.training.toMs;
  }

  /** Forecast steps after training. */
  get horizonSteps(): number {
    return this.point.length - this.fittedSteps;
  }

  /** End of the last stored step. */
  get endMs(): number {
    return this.pathStartMs + this.point.length * this.stepMs;
  }

  /** Start of the step of the path's grid that holds `ms` (the grid extends both ways). */
  stepStart(ms: number): number {
    return this.pathStartMs + Math.floor((ms - this.pathStartMs) / this.stepMs) * this.stepMs;
  }

  /**
   * The forecast of the step starting at `startMs` (on the path's grid). Before the path: undefined. Past
   * its end the last stored week repeats (weekly-periodic extrapolation; the last step when the path is
   * shorter than a week), so a stale forecast keeps its weekly shape; `trendVector` reports the staleness.
   */
  at(startMs: number): StepForecast | undefined {
    const index = Math.round((startMs - this.pathStartMs) / this.stepMs);
    if (index < 0) return undefined;
    const n = this.point.length;
    let i = index;
    if (i >= n) {
      const week = Math.round((7 * DAY_MS) / this.stepMs);
      i = week <= this.horizonSteps && week >= 1 ? n - week + ((index - n) % week) : n - 1;
    }
    return { point: this.point[i] as number, lower: this.lower[i] as number, upper: this.upper[i] as number };
  }

  toJSON(): SeriesForecastJSON {
    return {
      format: SERIES_FORECAST_FORMAT,
      model: this.model,
      key: this.key,
      stepMs: this.stepMs,
      training: { ...this.training },
      options: this.options,
      transform: this.transform,
      level: this.level,
      pathStartMs: this.pathStartMs,
      fittedSteps: this.fittedSteps,
      point: [...this.point],
      lower: [...this.lower],
      upper: [...this.upper],
      residualSd: this.residualSd,
      residualSdDay: this.residualSdDay,
      yearly: this.yearly === null ? null : { ...this.yearly },
      components: [...this.components],
      fitMs: this.fitMs,
      note: this.note,
    };
  }

  /** Reads {@link toJSON}'s output. @throws ModelFormatError on another format or malformed content. */
  static load(json: unknown): SeriesForecast {
    const o = record(json, 'series forecast');
    if (o.format !== SERIES_FORECAST_FORMAT) {
      throw new ModelFormatError(
        `expected format ${SERIES_FORECAST_FORMAT}, got ${JSON.stringify(o.format)}`,
      );
    }
    const model = o.model;
    if (model !== 'prophet' && model !== 'ets')
      throw new ModelFormatError(`unknown model ${JSON.stringify(model)}`);
    const transform = o.transform;
    if (!COUNT_TRANSFORMS.includes(transform as CountTransform)) {
      throw new ModelFormatError(`unknown transform ${JSON.stringify(transform)}`);
    }
    const training = record(o.training, 'training');
    const point = numbers(o.point, 'point');
    const lower = numbers(o.lower, 'lower');
    const upper = numbers(o.upper, 'upper');
    if (lower.length !== point.length || upper.length !== point.length) {
      throw new ModelFormatError('point, lower and upper differ in length');
    }
    const stepMs = finite(o.stepMs, 'stepMs');
    const fittedSteps = finite(o.fittedSteps, 'fittedSteps');
    if (!(stepMs > 0) || !Number.isInteger(fittedSteps) || fittedSteps < 0 || fittedSteps > point.length) {
      throw new ModelFormatError('stepMs or fittedSteps out of range');
    }
    let yearly: YearlyComponent | null = null;
    if (o.yearly !== null) {
      const y = record(o.yearly, 'yearly');
      yearly = {
        trendEnd: finite(y.trendEnd, 'yearly.trendEnd'),
        min: finite(y.min, 'yearly.min'),
        max: finite(y.max, 'yearly.max'),
      };
    }
    const components = o.components;
    if (!Array.isArray(components) || !components.every((c): c is string => typeof c === 'string')) {
      throw new ModelFormatError('components must be a list of names');
    }
    if (typeof o.key !== 'string' || typeof o.note !== 'string')
      throw new ModelFormatError('key and note must be strings');
    return new SeriesForecast({
      model,
      key: o.key,
      stepMs,
      training: {
        fromMs: finite(training.fromMs, 'training.fromMs'),
        toMs: finite(training.toMs, 'training.toMs'),
        steps: finite(training.steps, 'training.steps'),
        total: finite(training.total, 'training.total'),
      },
      options: record(o.options, 'options') as SeriesForecastJSON['options'],
      transform: transform as CountTransform,
      level: finite(o.level, 'level'),
      pathStartMs: finite(o.pathStartMs, 'pathStartMs'),
      fittedSteps,
      point,
      lower,
      upper,
      residualSd: finite(o.residualSd, 'residualSd'),
      residualSdDay: finite(o.residualSdDay, 'residualSdDay'),
      yearly,
      components,
      fitMs: finite(o.fitMs, 'fitMs'),
      note: o.note,
    });
  }
}

/** The serialised form of a {@link ForecastSet}. */
export interface ForecastSetJSON {
  readonly format: typeof FORECAST_SET_FORMAT;
  readonly forecasts: readonly SeriesForecastJSON[];
}

/** Forecasts keyed by series (e.g. a district's four trend groups), stored and loaded together. */
export class ForecastSet {
  private readonly byKey = new Map<string, SeriesForecast>();

  constructor(forecasts: Iterable<SeriesForecast> = []) {
    for (const forecast of forecasts) this.add(forecast);
  }

  /** Adds or replaces the forecast of `forecast.key`. */
  add(forecast: SeriesForecast): this {
    this.byKey.set(forecast.key, forecast);
    return this;
  }

  get(key: string): SeriesForecast | undefined {
    return this.byKey.get(key);
  }

  get size(): number {
    return this.byKey.size;
  }

  keys(): string[] {
    return [...this.byKey.keys()];
  }

  values(): SeriesForecast[] {
    return [...this.byKey.values()];
  }

  toJSON(): ForecastSetJSON {
    return { format: FORECAST_SET_FORMAT, forecasts: this.values().map((f) => f.toJSON()) };
  }

  /** @throws ModelFormatError on another format or a malformed forecast. */
  static load(json: unknown): ForecastSet {
    const o = record(json, 'forecast set');
    if (o.format !== FORECAST_SET_FORMAT) {
      throw new ModelFormatError(`expected format ${FORECAST_SET_FORMAT}, got ${JSON.stringify(o.format)}`);
    }
    if (!Array.isArray(o.forecasts)) throw new ModelFormatError('forecasts must be a list');
    return new ForecastSet((o.forecasts as unknown[]).map((f) => SeriesForecast.load(f)));
  }
}
