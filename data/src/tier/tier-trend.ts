import { ProphetForecaster, type AugursRuntime } from '@district-monitor/models';
import type { TierTask } from './tier-task.js';

/** A yearly step on the forecasters' synthetic regular grid (the models need regular steps). */
const YEAR_MS = 365 * 86_400_000;

/** One forecast of a unit's next log rate, from the years up to `last` only. */
export interface YearForecast {
  readonly point: number;
  readonly lower: number;
  readonly upper: number;
}

/**
 * A unit's log rates up to year index `last`, one per calendar year; a year missing from the tables (2015)
 * is the mean of its neighbours, both at or before `last`. Returns the values and how many calendar years
 * ahead the next data year is (2 from 2014; 1 after the last year).
 */
export function yearlyLogRates(
  task: TierTask,
  unit: number,
  last: number,
): { values: number[]; ahead: number } {
  const values: number[] = [];
  const rates = task.rates[unit] ?? [];
  for (let y = 0; y <= last; y++) {
    const year = task.years[y] ?? NaN;
    const previous = task.years[y - 1];
    if (previous !== undefined && year - previous === 2)
      values.push((Math.log(rates[y - 1] ?? NaN) + Math.log(rates[y] ?? NaN)) / 2);
    values.push(Math.log(rates[y] ?? NaN));
  }
  // After the last year of the task (a forecast of the coming year): one year ahead.
  const next = task.years[last + 1];
  const ahead = next === undefined ? 1 : next - (task.years[last] ?? NaN);
  return { values, ahead };
}

/** Prophet (trend only: yearly steps have no seasonality) on the log rates; its 80% interval. */
export function prophetYear(
  augurs: AugursRuntime,
  seed: number,
): (task: TierTask, unit: number, last: number) => YearForecast {
  const prophet = new ProphetForecaster(augurs, {
    seed,
    horizonDays: 2 * 365,
    weekly: false,
    yearly: false,
    daily: false,
    transform: 'none',
    minHistoryDays: 3 * 365,
    fittedDays: 7,
  });
  return (task, unit, last) => {
    const { values, ahead } = yearlyLogRates(task, unit, last);
    const forecast = prophet.forecast(
      { timestamps: values.map((_, i) => i * YEAR_MS), values },
      `${unit}@${last}`,
    );
    const step = forecast.at(forecast.forecastStartMs + (ahead - 1) * YEAR_MS);
    if (step === undefined) throw new RangeError(`no Prophet forecast ${ahead} years ahead`);
    return step;
  };
}

/**
 * augurs AutoETS (no season; error and trend chosen by AICc) on the log rates, with its 80% interval. When
 * AutoETS finds no model for a series it says so (`fallback`), and the forecast is the last value.
 */
export function etsYear(
  augurs: AugursRuntime,
): (task: TierTask, unit: number, last: number) => YearForecast & { readonly fallback?: string } {
  return (task, unit, last) => {
    const { values, ahead } = yearlyLogRates(task, unit, last);
    const model = new augurs.AutoETS(1, 'ZZN');
    try {
      model.fit(values);
      const forecast = model.predict(ahead, 0.8);
      const i = ahead - 1;
      const point = forecast.point[i] ?? NaN;
      return {
        point,
        lower: forecast.intervals?.lower[i] ?? point,
        upper: forecast.intervals?.upper[i] ?? point,
      };
    } catch (error) {
      const lastValue = values.at(-1) ?? NaN;
      return { point: lastValue, lower: lastValue, upper: lastValue, fallback: String(error) };
    } finally {
      model.free();
    }
  };
}

export const TIER_TREND_FEATURES: readonly { readonly name: string; readonly meaning: string }[] = [
  'prophet',
  'ets',
].flatMap((model) => [
  {
    name: `${model}.change`,
    meaning: `${model} forecast of next year's log rate minus the last known log rate`,
  },
  { name: `${model}.width`, meaning: `${model} 80% interval width (log rate)` },
  {
    name: `${model}.gap_low`,
    meaning: `${model} forecast minus the log of the last year's lowest middle-tier rate`,
  },
  {
    name: `${model}.gap_high`,
    meaning: `${model} forecast minus the log of the last year's lowest high-tier rate`,
  },
  {
    name: `${model}.rank`,
    meaning: `rank of the ${model} forecast among the units' forecasts for the same year / (units - 1)`,
  },
]);

/** The trend vector of every unit for one origin (ranks are across the units, so computed together). */
export function tierTrendVectors(
  task: TierTask,
  last: number,
  forecasts: { readonly prophet: readonly YearForecast[]; readonly ets: readonly YearForecast[] },
): number[][] {
  const boundaries = task.boundaries[last] ?? [NaN, NaN];
  return task.units.map((_, u) =>
    (['prophet', 'ets'] as const).flatMap((model) => {
      const all = forecasts[model];
      const f = all[u] ?? { point: NaN, lower: NaN, upper: NaN };
      return [
        f.point - Math.log(task.rates[u]?.[last] ?? NaN),
        f.upper - f.lower,
        f.point - Math.log(boundaries[0]),
        f.point - Math.log(boundaries[1]),
        all.filter((g) => g.point < f.point).length / (all.length - 1),
      ];
    }),
  );
}
