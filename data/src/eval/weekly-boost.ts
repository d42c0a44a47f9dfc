import { PoissonBoosting, fitNegativeBinomialSize, tercileProbabilities } from '@district-monitor/models';
import type { WeeklyForecast, WeeklyModel, WeeklySample } from './weekly-eval.js';
import type { WeeklyFeatureCache } from './weekly-models.js';
import {
  WEEKLY_FUSION_DEFAULTS,
  WEEKLY_SEASONAL_INPUTS,
  WEEKLY_STACKED_INPUTS,
  describeTrees,
  weeklyFusionInputs,
  weeklyStackedFusion,
  type WeeklyForecastCache,
  type WeeklyFusionOptions,
} from './weekly-stack.js';
import type { WeeklyTask } from './weekly-task.js';

/** Which of the fusion's inputs the boosted trees read. */
export type BoostedInputs = 'all' | 'stacked';

/**
 * One row of the boosted-trees ablation: the count is `fusion` × the fusion's count + `boosted` × the trees'
 * + the rest × the baseline (weights in [0, 1], summing to at most 1).
 */
export interface WeeklyBoostBlend {
  readonly name: string;
  readonly fusion: number;
  readonly boosted: number;
  readonly inputs: BoostedInputs;
}

/**
 * Gradient-boosted trees (`PoissonBoosting`) on the fusion's rows, pooled over the districts, their log mean
 * offset by the fusion's count baseline, blended with the fusion (T2's design, `options`) and the baseline
 * (docs/fusion.md, "Boosted trees"). The rows share one fusion fit and one fit of the trees per input set.
 * A row with `fusion: 1` is the fusion itself. Other rows keep the fusion's interval; their tercile
 * probabilities are the negative binomial's around the blended count, its size fitted by likelihood on the
 * trees' validation rows.
 */
export function weeklyBoostBlends(
  features: WeeklyFeatureCache,
  forecasts: WeeklyForecastCache,
  options: Partial<WeeklyFusionOptions>,
  blends: readonly WeeklyBoostBlend[],
): WeeklyModel[] {
  const o = { ...WEEKLY_FUSION_DEFAULTS, ...options };
  const fusion = weeklyStackedFusion(features, forecasts, o);
  const { row, baseline, seasonalInputs } = weeklyFusionInputs(features, forecasts, o);
  // The stacked and seasonal inputs are the row's last ones.
  const tail =
    (o.stacked ? WEEKLY_STACKED_INPUTS.length : 0) + (seasonalInputs ? WEEKLY_SEASONAL_INPUTS.length : 0);
  const inputsOf = (inputs: BoostedInputs) => (task: WeeklyTask, s: WeeklySample) => {
    const full = row(task, s);
    return inputs === 'all' ? full : full.slice(full.length - tail);
  };
  const trees = new Map<BoostedInputs, { key: string; model: PoissonBoosting }>();
  const keyOf = (training: readonly WeeklySample[]) =>
    `${training.length}:${training[0]?.week ?? -1}:${training.at(-1)?.week ?? -1}`;
  const fitTrees = (task: WeeklyTask, training: readonly WeeklySample[], inputs: BoostedInputs) => {
    const key = keyOf(training);
    if (trees.get(inputs)?.key === key) return;
    const rowOf = inputsOf(inputs);
    const model = PoissonBoosting.fit(
      {
        rows: training.map((s) => rowOf(task, s)),
        counts: training.map((s) => s.truth),
        offsets: training.map((s) => Math.log(baseline(task, s))),
        times: training.map((s) => s.week),
      },
      { seed: o.seed },
    );
    trees.set(inputs, { key, model });
  };
  return blends.map((blend): WeeklyModel => {
    if (blend.fusion < 0 || blend.boosted < 0 || blend.fusion + blend.boosted > 1 + 1e-9)
      throw new RangeError(`blend ${blend.name}: weights must be >= 0 and sum to at most 1`);
    return {
      name: blend.name,
      kind: 'fusion',
      // Read after the fit (evaluateWeekly does): the trees' rounds kept by that fit.
      get how() {
        const model = blend.boosted > 0 ? trees.get(blend.inputs)?.model : undefined;
        return `${blend.fusion} × the fusion + ${blend.boosted} × gradient-boosted Poisson trees on ${blend.inputs === 'all' ? "the fusion's inputs" : "the fusion's stacked and seasonal inputs"} (offset: the fusion's baseline; rounds by the deviance of the latest 20% of training weeks) + the rest × the baseline${model === undefined ? '' : `; ${describeTrees(model)}`}`;
      },
      fit: async (task, training) => {
        if (blend.fusion > 0) await fusion.fit(task, training);
        if (blend.boosted > 0) fitTrees(task, training, blend.inputs);
      },
      predict: async (task, samples) => {
        const fused = blend.fusion > 0 ? await fusion.predict(task, samples) : [];
        if (blend.boosted === 0 && blend.fusion === 1) return fused;
        const model = trees.get(blend.inputs)?.model;
        if (blend.boosted > 0 && model === undefined) throw new Error('predict before fit (boosted trees)');
        const rowOf = inputsOf(blend.inputs);
        const boosted =
          model === undefined || blend.boosted === 0
            ? []
            : model.predict(
                samples.map((s) => rowOf(task, s)),
                samples.map((s) => Math.log(baseline(task, s))),
              );
        const size =
          model === undefined
            ? null
            : fitNegativeBinomialSize(model.validation.counts, model.validation.means);
        return samples.map((s, i): WeeklyForecast => {
          const b = baseline(task, s);
          const count =
            blend.fusion * (fused[i]?.count ?? 0) +
            blend.boosted * (boosted[i] ?? 0) +
            (1 - blend.fusion - blend.boosted) * b;
          const interval = fused[i]?.interval;
          return {
            count,
            ...(interval === undefined ? {} : { interval }),
            probabilities: tercileProbabilities(
              count,
              size,
              task.series[s.series]?.terciles ?? { t1: NaN, t2: NaN },
            ),
          };
        });
      },
    };
  });
}
