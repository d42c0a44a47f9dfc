/**
 * The live fusion's count head, the T2 evaluation's choice (docs/fusion.md, "Boosted trees"): gradient-boosted
 * Poisson trees (`PoissonBoosting`) on the 224 features, their log mean offset by the row's baseline (the
 * 4-week mean, floored at 0.25), pooled over the districts, blended half-and-half with that baseline (the
 * weight the evaluation chose). P(elevated) and the tercile probabilities come
 * from a negative binomial around the expected count, its size fitted by likelihood on the trees' validation
 * rows (the latest 20% of the weeks, predicted by the trees fitted without them).
 */
import { countQuantiles, fitNegativeBinomialSize } from '../fusion/count-distribution.js';
import { BOOSTING_DEFAULTS, PoissonBoosting } from '../forest/boosting.js';
import { jsonReader } from '../json-read.js';
import { ModelFormatError } from '../errors.js';
import { tercileProbabilities, type TercileBounds } from './outlook.js';

export const LIVE_COUNT_TREES_FORMAT = 'live-count-trees@1';

/** The trees' weight in the count; the baseline has the rest (`skip` in the evaluation). */
export const LIVE_TREES_WEIGHT = 0.5;

/** The smallest baseline the offset reads: a district with no events in 4 weeks still has a finite log. */
export const LIVE_BASELINE_FLOOR = 0.25;

export interface LiveCountTreesJSON {
  readonly format: typeof LIVE_COUNT_TREES_FORMAT;
  readonly trees: unknown;
  /** The trees' weight in the count, the baseline's being 1 - weight. */
  readonly weight: number;
  /** The negative binomial's size (null: Poisson). */
  readonly dispersionSize: number | null;
}

/** The training rows: the fusion's rows, next week's counts, their baselines, origins and tercile bounds. */
export interface LiveCountSet {
  readonly rows: readonly (readonly number[])[];
  readonly counts: readonly number[];
  readonly baselines: readonly number[];
  readonly times: readonly number[];
  /** The tercile bounds of each row's district (for the validation accuracy of the card). */
  readonly bounds: readonly TercileBounds[];
  /** Each row's tercile class (0-2). */
  readonly classes: readonly number[];
}

/** What the model card reports of the validation rows. */
export interface LiveCountValidation {
  readonly rows: number;
  readonly rounds: number;
  /** Mean absolute error of the expected count, and of the baseline alone. */
  readonly countMae: number;
  readonly baselineCountMae: number;
  /** Share of rows whose most probable tercile is their own. */
  readonly accuracy: number;
}

const read = jsonReader('live count trees');

const offsetOf = (baseline: number) => Math.log(Math.max(baseline, LIVE_BASELINE_FLOOR));

/** weight × the trees' mean + (1 - weight) × the baseline. */
const blend = (weight: number, trees: number, baseline = NaN) => weight * trees + (1 - weight) * baseline;

export class LiveCountTrees {
  private constructor(
    private readonly trees: PoissonBoosting,
    readonly weight: number,
    readonly dispersionSize: number | null,
  ) {}

  /**
   * Fits the trees (`BOOSTING_DEFAULTS`, the evaluation's; a leaf needs at most a tenth of the rows, so a
   * small region still grows trees) and sizes the negative binomial on their validation rows.
   */
  static fit(set: LiveCountSet, seed: number): { model: LiveCountTrees; validation: LiveCountValidation } {
    const trees = PoissonBoosting.fit(
      {
        rows: set.rows,
        counts: set.counts,
        offsets: set.baselines.map(offsetOf),
        times: set.times,
      },
      {
        seed,
        minLeafRows: Math.max(1, Math.min(BOOSTING_DEFAULTS.minLeafRows, Math.floor(set.rows.length / 10))),
      },
    );
    const { rows } = trees.validation;
    const counts = rows.map((i) => set.counts[i] ?? NaN);
    const means = trees.validation.means.map((mu, k) =>
      blend(LIVE_TREES_WEIGHT, mu, set.baselines[rows[k] ?? -1]),
    );
    const size = fitNegativeBinomialSize(counts, means);
    let countError = 0;
    let baselineError = 0;
    let correct = 0;
    rows.forEach((row, k) => {
      const y = counts[k] ?? NaN;
      const mu = means[k] ?? NaN;
      countError += Math.abs(y - mu);
      baselineError += Math.abs(y - (set.baselines[row] ?? NaN));
      const p = tercileProbabilities(mu, size, set.bounds[row] ?? { t1: NaN, t2: NaN });
      const predicted = p.indexOf(Math.max(...p));
      if (predicted === set.classes[row]) correct++;
    });
    const n = Math.max(1, rows.length);
    return {
      model: new LiveCountTrees(trees, LIVE_TREES_WEIGHT, size),
      validation: {
        rows: rows.length,
        rounds: trees.validation.rounds,
        countMae: countError / n,
        baselineCountMae: baselineError / n,
        accuracy: correct / n,
      },
    };
  }

  /** The expected count of next week, and the negative binomial's 10-90% band around it. */
  predictOne(
    row: readonly number[],
    baseline: number,
  ): { expectedCount: number; interval80: readonly [number, number] } {
    const [trees = NaN] = this.trees.predict([row], [offsetOf(baseline)]);
    const expectedCount = blend(this.weight, trees, baseline);
    const [lo = 0, hi = 0] = countQuantiles(expectedCount, this.dispersionSize, [0.1, 0.9]);
    return { expectedCount, interval80: [lo, hi] };
  }

  toJSON(): LiveCountTreesJSON {
    return {
      format: LIVE_COUNT_TREES_FORMAT,
      trees: this.trees.toJSON(),
      weight: this.weight,
      dispersionSize: this.dispersionSize,
    };
  }

  /** Reads a saved head back; `width`, when given, is the row width the scorer will pass (224 live). */
  static load(json: unknown, width?: number): LiveCountTrees {
    const doc = read.record(json, 'document');
    if (doc.format !== LIVE_COUNT_TREES_FORMAT)
      throw new ModelFormatError(
        `live count trees: format ${String(doc.format)}, expected ${LIVE_COUNT_TREES_FORMAT}`,
      );
    const size = read.finiteOrNull(doc.dispersionSize, 'dispersionSize');
    if (size !== null && !(size > 0))
      throw new ModelFormatError('live count trees: dispersionSize must be positive or null');
    const weight = read.finite(doc.weight, 'weight');
    if (!(weight >= 0 && weight <= 1))
      throw new ModelFormatError('live count trees: weight must be in [0, 1]');
    const trees = PoissonBoosting.load(doc.trees);
    if (width !== undefined && trees.width !== width)
      throw new ModelFormatError(
        `live count trees: the trees read ${trees.width} inputs, the scorer gives ${width}`,
      );
    return new LiveCountTrees(trees, weight, size);
  }

  /** Nothing to release (plain arrays); here so the scorer can treat every count head alike. */
  dispose(): void {}
}
