import { tercileProbabilities } from '@district-monitor/models';
import type { WeeklyForecast, WeeklyModel } from './weekly-eval.js';
import type { WeeklyFeatureCache } from './weekly-models.js';
import {
  WEEKLY_FUSION_DEFAULTS,
  weeklyFusionInputs,
  weeklyStackedFusion,
  type WeeklyForecastCache,
  type WeeklyFusionOptions,
} from './weekly-stack.js';

/** Which of the fusion's inputs the boosted trees read: all of them, or the stacked and seasonal ones. */
export type BoostedInputs = 'all' | 'stacked';

/**
 * One row of the boosted-trees ablation: the count is `fusion` × the networks' fusion's count + `boosted` ×
 * the trees' + the rest × the baseline (weights in [0, 1], summing to at most 1).
 */
export interface WeeklyBoostBlend {
  readonly name: string;
  readonly fusion: number;
  readonly boosted: number;
  readonly inputs: BoostedInputs;
}

/**
 * The boosted-trees ablation's rows (docs/fusion.md, "Boosted trees"): the fusion with the networks' count
 * head (`options`), the same fusion with the boosted trees' (`countHead: 'trees'`, unblended, on all its
 * inputs or on the stacked and seasonal ones only), and blends of them with the baseline. The rows share
 * one fit of each. A row with `fusion: 1` is the networks' fusion itself, a row with `boosted: 1` the
 * trees', a row with `fusion: 0` the trees' fusion blended with the baseline (`skip`). Blends of the two keep
 * the networks' interval and take their tercile probabilities from the trees' negative binomial size around
 * the blended count.
 */
export function weeklyBoostBlends(
  features: WeeklyFeatureCache,
  forecasts: WeeklyForecastCache,
  options: Partial<WeeklyFusionOptions>,
  blends: readonly WeeklyBoostBlend[],
): WeeklyModel[] {
  const o = { ...WEEKLY_FUSION_DEFAULTS, ...options };
  const networks = weeklyStackedFusion(features, forecasts, o);
  const trees = {
    all: weeklyStackedFusion(features, forecasts, { ...o, countHead: 'trees', skip: false }),
    stacked: weeklyStackedFusion(features, forecasts, {
      ...o,
      countHead: 'trees',
      skip: false,
      branches: false,
    }),
  };
  const { baseline } = weeklyFusionInputs(features, forecasts, o);
  return blends.map((blend): WeeklyModel => {
    if (blend.fusion < 0 || blend.boosted < 0 || blend.fusion + blend.boosted > 1 + 1e-9)
      throw new RangeError(`blend ${blend.name}: weights must be >= 0 and sum to at most 1`);
    const boosted = trees[blend.inputs];
    if (blend.fusion === 1) return renamed(networks, blend.name);
    if (blend.boosted === 1) return renamed(boosted, blend.name);
    // The trees blended with the baseline alone: the fusion with the trees' count head at that weight (its
    // tercile size fitted around the blended validation forecasts).
    if (blend.fusion === 0)
      return weeklyStackedFusion(
        features,
        forecasts,
        { ...o, countHead: 'trees', skip: blend.boosted, branches: blend.inputs === 'all' },
        blend.name,
      );
    return {
      name: blend.name,
      kind: 'fusion',
      // Read after the fit: the trees' part says how many rounds they kept.
      get how() {
        return `${blend.fusion} × the networks' fusion + ${blend.boosted} × the boosted trees' fusion on ${blend.inputs === 'all' ? 'all its inputs' : 'its stacked and seasonal inputs'} (${boosted.how}) + the rest × the baseline`;
      },
      fit: async (task, training) => {
        if (blend.fusion > 0) await networks.fit(task, training);
        if (blend.boosted > 0) await boosted.fit(task, training);
      },
      predict: async (task, samples) => {
        const fused = blend.fusion > 0 ? await networks.predict(task, samples) : [];
        const grown = blend.boosted > 0 ? await boosted.predict(task, samples) : [];
        return samples.map((s, i): WeeklyForecast => {
          const count =
            blend.fusion * (fused[i]?.count ?? 0) +
            blend.boosted * (grown[i]?.count ?? 0) +
            (1 - blend.fusion - blend.boosted) * baseline(task, s);
          const interval = fused[i]?.interval;
          const size = grown[i]?.size ?? null;
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

/** The model under another name; its `how` is still read after the fit. */
function renamed(model: WeeklyModel, name: string): WeeklyModel {
  return {
    name,
    kind: model.kind,
    get how() {
      return model.how;
    },
    fit: (task, training) => model.fit(task, training),
    predict: (task, samples) => model.predict(task, samples),
  };
}
