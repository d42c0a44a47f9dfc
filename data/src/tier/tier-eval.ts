import { accuracy, argmax, brier, macroF1, oneHot, reliability } from './metrics.js';
import type { ReferenceScoreJob } from '../eval/reference.js';
import type { ModelRow } from '../eval/report.js';
import { tiersOf, type TierTask } from './tier-task.js';

/** One prediction of T1: unit `unit`'s tier in `task.years[target]`, from the years up to `target - 1`. */
export interface TierSample {
  readonly unit: number;
  readonly target: number;
  /** Index of the last year a prediction may read (`target - 1`). */
  readonly last: number;
  readonly truth: number;
}

/** A T1 model, refitted at every origin: tier probabilities for the test samples of one target year. */
export interface TierModel {
  readonly name: string;
  readonly kind: ModelRow['kind'];
  readonly how: string;
  fitPredict(
    task: TierTask,
    training: readonly TierSample[],
    test: readonly TierSample[],
  ): Promise<{ probabilities: number[][]; fitMs: number; predictMs: number }>;
}

export const TIER_METRICS = ['accuracy', 'macroF1', 'brier'] as const;

/**
 * The first target year index (2008): the forecasters see at least seven yearly values (AutoETS needs
 * seven), the features three (t-2..t), and the first fit has four target years of training samples.
 */
export const FIRST_TIER_TARGET = 7;

export function tierSamples(task: TierTask, target: number): TierSample[] {
  return task.units.map((_, unit) => ({
    unit,
    target,
    last: target - 1,
    truth: task.tiers[unit]?.[target] ?? NaN,
  }));
}

/**
 * Rolling origin: for every target year from {@link FIRST_TIER_TARGET} on, the model is fitted on the
 * samples of all earlier target years (their features read only years before their own target) and
 * predicts the target year; the predictions of all target years are scored together.
 */
export async function evaluateTiers(
  task: TierTask,
  model: TierModel,
  onOrigin?: (done: number, total: number) => void,
  onScored?: (job: ReferenceScoreJob) => void,
): Promise<ModelRow & { readonly predictions: readonly number[][] }> {
  const truth: number[] = [];
  const probabilities: number[][] = [];
  let fitMs = 0;
  let predictMs = 0;
  const targets = task.years.map((_, y) => y).filter((y) => y >= FIRST_TIER_TARGET);
  for (const [i, target] of targets.entries()) {
    const training: TierSample[] = [];
    for (let y = 3; y < target; y++) training.push(...tierSamples(task, y));
    const test = tierSamples(task, target);
    const result = await model.fitPredict(task, training, test);
    fitMs += result.fitMs;
    predictMs += result.predictMs;
    truth.push(...test.map((s) => s.truth));
    probabilities.push(...result.probabilities);
    onOrigin?.(i + 1, targets.length);
  }
  const predicted = probabilities.map(argmax);
  onScored?.({ truth, probabilities, predicted });
  return {
    model: model.name,
    kind: model.kind,
    how: model.how,
    fitMs,
    predictMs,
    metrics: {
      accuracy: accuracy(truth, predicted),
      macroF1: macroF1(truth, predicted, 3),
      brier: brier(truth, probabilities),
    },
    reliability: reliability(truth, probabilities),
    predictions: probabilities,
  };
}

/** A model with nothing to fit: tiers from a score per unit ranked across the units of the test year. */
export function rankingModel(
  name: string,
  kind: ModelRow['kind'],
  how: string,
  score: (task: TierTask, sample: TierSample) => number,
): TierModel {
  return {
    name,
    kind,
    how,
    fitPredict: (task, _training, test) => {
      const started = performance.now();
      const tiers = tiersOf(test.map((sample) => score(task, sample)));
      return Promise.resolve({
        probabilities: tiers.map((tier) => oneHot(tier, 3)),
        fitMs: 0,
        predictMs: performance.now() - started,
      });
    },
  };
}

/** Next year's tier = this year's. */
export const persistence: TierModel = {
  name: 'persistence',
  kind: 'baseline',
  how: "next year's tier = the last known year's tier",
  fitPredict: (task, _training, test) =>
    Promise.resolve({
      probabilities: test.map((s) => oneHot(task.tiers[s.unit]?.[s.last] ?? 0, 3)),
      fitMs: 0,
      predictMs: 0,
    }),
};

/** Tiers of the mean log rate of the last three known years. */
export const threeYearMean = rankingModel(
  'mean-3y',
  'baseline',
  'tiers of the mean log rate over the last three known years, ranked across units',
  (task, s) => {
    const rates = task.rates[s.unit] ?? [];
    return (
      (Math.log(rates[s.last] ?? NaN) +
        Math.log(rates[s.last - 1] ?? NaN) +
        Math.log(rates[s.last - 2] ?? NaN)) /
      3
    );
  },
);
