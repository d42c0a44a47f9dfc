/**
 * The stacked fusion: an ensemble of fusion networks over seeds with a skip path to the best input.
 *
 * - Stacking: the caller appends the branches' and baselines' own predictions (scale-free: log ratios to
 *   the baseline, margins to class bounds, prior probabilities) to the branch vectors; the networks see them
 *   beside the 224 features.
 * - Residual: the count head of every network is a residual on the row's baseline (the best baseline).
 * - Ensemble: `members` networks with seeds derived from `seed`; class probabilities and expected counts
 *   are averaged.
 * - Skip path: on the networks' validation rows (the latest `validationFraction` of the rows by time, never
 *   in a training batch) the output is blended with the fallback, w × network + (1 - w) × fallback, for
 *   the class probabilities (fallback: the row's `priors`) and the count (fallback: the baseline), with w
 *   on a grid of 0, 0.1, ..., 1 minimising the validation log loss and the validation scaled absolute
 *   error. w = 0 is the fallback itself, so on the validation rows the blend does no worse than it.
 * - Interval: a negative binomial around the blended count, its size fitted on the validation rows, or (with
 *   `intervalPeriods`) on the latest periods of them only, so the interval follows the recent spread.
 */
import { ModelFormatError, ModelInputError } from '../errors.js';
import { jsonReader } from '../json-read.js';
import {
  countQuantiles,
  coverageNegativeBinomialSize,
  fitNegativeBinomialSize,
} from './count-distribution.js';
import type { FusionRow, FusionTrainingSet } from './data.js';
import { FusionNetwork } from './network.js';
import { deriveSeed } from './rng.js';
import type { FusionMetadata, FusionNetworkJSON, FusionOptions, FusionPrediction } from './types.js';

export const STACKED_FUSION_FORMAT = 'stacked-fusion@1';

/** Training set of the stacked fusion: a fusion training set, baselines required, optional class priors. */
export interface StackedFusionSet extends FusionTrainingSet {
  readonly baselines: readonly number[];
  /** Fallback class probabilities per row (the best input's); without them the class blend weight is 1. */
  readonly priors?: readonly (readonly number[])[];
  /** Per-row divisor of the absolute count error when choosing the count blend (e.g. a MASE scale). */
  readonly errorScales?: readonly number[];
}

export interface StackedFusionOptions {
  readonly seed: number;
  /** Networks in the ensemble (≥ 1). */
  readonly members: number;
  /** Options of every member network (their seeds are derived from `seed`). */
  readonly network: Partial<Omit<FusionOptions, 'seed' | 'onEpoch'>>;
  /**
   * The skip path: `true` blends with the fallback by weights chosen on the validation rows; a number in
   * [0, 1] is a fixed weight of the networks; `false` = the ensemble alone (w = 1).
   */
  readonly skip: boolean | number;
  /**
   * The interval's negative binomial size: `'likelihood'` (maximum likelihood on the validation rows) or
   * `'coverage'` (the size whose 80% interval covers the validation counts closest to 80%).
   */
  readonly interval: 'likelihood' | 'coverage';
  /**
   * null: the 80% interval uses the size above. A number n: the interval's own size is the one whose 80%
   * interval covers 80% of the validation rows of the latest n periods (distinct `times`), the rolling
   * interval that issue 17's T2 ablation chose (docs/fusion.md); the class probabilities keep the size above.
   * With fewer than {@link MIN_INTERVAL_ROWS} such rows, the interval keeps the size above.
   */
  readonly intervalPeriods: number | null;
}

/** The fewest validation rows a size of the latest periods is fitted on (as the T2 evaluation's rolling rule). */
export const MIN_INTERVAL_ROWS = 20;

/** Defaults: 5 members, a small network with strong regularisation, the skip path on. */
export const STACKED_FUSION_DEFAULTS: StackedFusionOptions = {
  seed: 1,
  members: 5,
  network: { hiddenUnits: [16], dropout: 0.3, l2: 1e-3, learningRate: 1e-3, patience: 10 },
  skip: true,
  interval: 'likelihood',
  intervalPeriods: null,
};

export interface StackedFusionJSON {
  readonly format: typeof STACKED_FUSION_FORMAT;
  readonly members: readonly FusionNetworkJSON[];
  readonly classWeight: number;
  readonly countWeight: number;
  readonly dispersionSize: number | null;
  /** The 80% interval's size when it differs from `dispersionSize` (absent in older documents: the same). */
  readonly intervalSize?: number | null;
  readonly usesPriors: boolean;
  readonly validation: StackedValidation;
}

/** What the blend saw on the validation rows. */
export interface StackedValidation {
  readonly rows: number;
  readonly logLoss: { readonly network: number; readonly fallback: number | null; readonly blend: number };
  readonly scaledError: { readonly network: number; readonly fallback: number; readonly blend: number };
}

/** The readers of `StackedFusion.load`: each error names `stacked fusion` and the path it rejects. */
const read = jsonReader('stacked fusion');

/** A validation figure; JSON writes an undefined one (NaN, no rows) as null. */
const figure = (value: unknown, path: string): number => read.finiteOrNull(value, path) ?? NaN;

function readValidation(value: unknown): StackedValidation {
  const o = read.record(value, 'validation');
  const logLoss = read.record(o.logLoss, 'validation.logLoss');
  const scaledError = read.record(o.scaledError, 'validation.scaledError');
  return {
    rows: read.finite(o.rows, 'validation.rows'),
    logLoss: {
      network: figure(logLoss.network, 'validation.logLoss.network'),
      fallback: read.finiteOrNull(logLoss.fallback, 'validation.logLoss.fallback'),
      blend: figure(logLoss.blend, 'validation.logLoss.blend'),
    },
    scaledError: {
      network: figure(scaledError.network, 'validation.scaledError.network'),
      fallback: figure(scaledError.fallback, 'validation.scaledError.fallback'),
      blend: figure(scaledError.blend, 'validation.scaledError.blend'),
    },
  };
}

const GRID = Array.from({ length: 11 }, (_, i) => i / 10);
const INTERVAL = [0.1, 0.9] as const;

export class StackedFusion {
  private constructor(
    private readonly networks: readonly FusionNetwork[],
    /** Weight of the networks' class probabilities against the priors. */
    readonly classWeight: number,
    /** Weight of the networks' count against the baseline. */
    readonly countWeight: number,
    /** Negative binomial size of the blended count (its class probabilities); null = Poisson. */
    readonly dispersionSize: number | null,
    /** Negative binomial size of the 80% interval (`dispersionSize` unless `intervalPeriods` was set). */
    readonly intervalSize: number | null,
    readonly usesPriors: boolean,
    readonly validation: StackedValidation,
  ) {}

  get inputWidth(): number {
    return this.networks[0]?.inputWidth ?? 0;
  }

  /** The first member's metadata (window, options, metrics of its fit). */
  get metadata(): FusionMetadata {
    const first = this.networks[0];
    if (first === undefined) throw new ModelInputError('stacked fusion: no member networks');
    return first.metadata;
  }

  get classNames(): readonly string[] {
    return this.networks[0]?.classNames ?? [];
  }

  static fit(data: StackedFusionSet, options: Partial<StackedFusionOptions> = {}): StackedFusion {
    const o: StackedFusionOptions = {
      ...STACKED_FUSION_DEFAULTS,
      ...options,
      network: { ...STACKED_FUSION_DEFAULTS.network, ...options.network },
    };
    if (!Number.isInteger(o.members) || o.members < 1)
      throw new ModelInputError('stacked fusion: members must be a positive integer');
    if (o.intervalPeriods !== null && !(Number.isInteger(o.intervalPeriods) && o.intervalPeriods >= 1))
      throw new ModelInputError('stacked fusion: intervalPeriods must be null or a positive integer');
    const n = data.rows.length;
    if (data.priors !== undefined && data.priors.length !== n)
      throw new ModelInputError(`stacked fusion: ${n} rows but ${data.priors.length} priors`);
    if (data.errorScales !== undefined && data.errorScales.length !== n)
      throw new ModelInputError(`stacked fusion: ${n} rows but ${data.errorScales.length} error scales`);
    const networks: FusionNetwork[] = [];
    try {
      for (let m = 0; m < o.members; m++)
        networks.push(FusionNetwork.fit(data, { ...o.network, seed: deriveSeed(o.seed, 17, m) }));
      const from = networks[0]?.metadata.window.validationFrom ?? Infinity;
      const held = data.times.flatMap((t, i) => (t >= from ? [i] : []));
      const rows = held.map((i) => data.rows[i] ?? []);
      const baselines = held.map((i) => data.baselines[i] ?? 1);
      const raw = ensemble(networks, rows, baselines);
      const y = held.map((i) => data.counts[i] ?? 0);
      const labels = held.map((i) => data.classes[i] ?? 0);
      const scales = held.map((i) => data.errorScales?.[i] ?? 1);
      const priors = data.priors === undefined ? undefined : held.map((i) => data.priors?.[i] ?? []);

      const logLoss = (w: number) =>
        mean(
          labels.map((label, r) => {
            const p = w * (raw.probabilities[r]?.[label] ?? 0) + (1 - w) * (priors?.[r]?.[label] ?? 0);
            return -Math.log(Math.max(p, 1e-12));
          }),
        );
      const scaledError = (w: number) =>
        mean(
          y.map((v, r) => {
            const mu = w * (raw.counts[r] ?? 0) + (1 - w) * (baselines[r] ?? 0);
            return Math.abs(v - mu) / (scales[r] ?? 1);
          }),
        );
      const pick = (score: (w: number) => number) =>
        GRID.reduce((best, w) => (score(w) < score(best) ? w : best), 1);
      const fixed = typeof o.skip === 'number' ? o.skip : o.skip ? undefined : 1;
      if (fixed !== undefined && !(fixed >= 0 && fixed <= 1))
        throw new ModelInputError('stacked fusion: a fixed skip weight must be in [0, 1]');
      const classWeight = priors === undefined ? 1 : (fixed ?? pick(logLoss));
      const countWeight = fixed ?? pick(scaledError);
      const blended = y.map(
        (_, r) => countWeight * (raw.counts[r] ?? 0) + (1 - countWeight) * (baselines[r] ?? 0),
      );
      const likelihood = fitNegativeBinomialSize(y, blended);
      const dispersionSize =
        o.interval === 'coverage' ? coverageNegativeBinomialSize(y, blended, likelihood) : likelihood;
      let intervalSize = dispersionSize;
      if (o.intervalPeriods !== null) {
        const times = held.map((i) => data.times[i] ?? -Infinity);
        const latest = [...new Set(times)].sort((a, b) => a - b).slice(-o.intervalPeriods);
        const recent = times.flatMap((t, r) => (t >= (latest[0] ?? Infinity) ? [r] : []));
        if (recent.length >= MIN_INTERVAL_ROWS) {
          const counts = recent.map((r) => y[r] ?? 0);
          const means = recent.map((r) => Math.max(blended[r] ?? 0, 1e-9));
          intervalSize = coverageNegativeBinomialSize(counts, means, fitNegativeBinomialSize(counts, means));
        }
      }
      return new StackedFusion(
        networks,
        classWeight,
        countWeight,
        dispersionSize,
        intervalSize,
        priors !== undefined,
        {
          rows: held.length,
          logLoss: {
            network: logLoss(1),
            fallback: priors === undefined ? null : logLoss(0),
            blend: logLoss(classWeight),
          },
          scaledError: { network: scaledError(1), fallback: scaledError(0), blend: scaledError(countWeight) },
        },
      );
    } catch (error) {
      for (const network of networks) network.dispose();
      throw error;
    }
  }

  static load(json: unknown): StackedFusion {
    const doc = read.record(json, 'document');
    if (doc.format !== STACKED_FUSION_FORMAT)
      throw new ModelFormatError(
        `stacked fusion: format ${String(doc.format)}, expected ${STACKED_FUSION_FORMAT}`,
      );
    const weight = (name: 'classWeight' | 'countWeight'): number => {
      const w = read.finite(doc[name], name);
      if (!(w >= 0 && w <= 1)) throw new ModelFormatError(`stacked fusion: ${name} must be in [0, 1]`);
      return w;
    };
    const sizeOf = (name: 'dispersionSize' | 'intervalSize'): number | null => {
      const size = read.finiteOrNull(doc[name], name);
      if (size !== null && !(size > 0))
        throw new ModelFormatError(`stacked fusion: ${name} must be null or a number > 0`);
      return size;
    };
    const size = sizeOf('dispersionSize');
    const intervalSize = doc.intervalSize === undefined ? size : sizeOf('intervalSize');
    const members = read.array(doc.members, 'members');
    if (members.length === 0) throw new ModelFormatError('stacked fusion: no member networks');
    const usesPriors = read.bool(doc.usesPriors, 'usesPriors');
    const validation = readValidation(doc.validation);
    const classWeight = weight('classWeight');
    const countWeight = weight('countWeight');
    const networks: FusionNetwork[] = [];
    try {
      for (const member of members) networks.push(FusionNetwork.load(member));
    } catch (error) {
      for (const network of networks) network.dispose();
      throw error;
    }
    return new StackedFusion(networks, classWeight, countWeight, size, intervalSize, usesPriors, validation);
  }

  toJSON(): StackedFusionJSON {
    return {
      format: STACKED_FUSION_FORMAT,
      members: this.networks.map((n) => n.toJSON()),
      classWeight: this.classWeight,
      countWeight: this.countWeight,
      dispersionSize: this.dispersionSize,
      intervalSize: this.intervalSize,
      usesPriors: this.usesPriors,
      validation: this.validation,
    };
  }

  /** Scores rows; `priors` are required when the model was trained with them. */
  predict(
    rows: readonly FusionRow[],
    baselines: readonly number[],
    priors?: readonly (readonly number[])[],
  ): FusionPrediction[] {
    if (this.usesPriors && priors?.length !== rows.length)
      throw new ModelInputError(`stacked fusion: ${rows.length} rows need as many priors`);
    const raw = ensemble(this.networks, rows, baselines);
    return rows.map((_, i) => {
      const net = raw.probabilities[i] ?? [];
      const prior = priors?.[i];
      const classProbabilities = net.map(
        (p, k) => this.classWeight * p + (1 - this.classWeight) * (prior?.[k] ?? p),
      );
      let predictedClass = 0;
      classProbabilities.forEach((p, k) => {
        if (p > (classProbabilities[predictedClass] ?? 0)) predictedClass = k;
      });
      const expectedCount =
        this.countWeight * (raw.counts[i] ?? 0) + (1 - this.countWeight) * (baselines[i] ?? 0);
      const [lo = 0, hi = 0] = countQuantiles(expectedCount, this.intervalSize, INTERVAL);
      return {
        classProbabilities,
        predictedClass,
        elevated: classProbabilities.at(-1) ?? 0,
        expectedCount,
        interval80: [lo, hi],
      };
    });
  }

  /** One row (the live path). */
  predictOne(row: FusionRow, baseline: number, prior?: readonly number[]): FusionPrediction {
    const [prediction] = this.predict([row], [baseline], prior === undefined ? undefined : [prior]);
    if (prediction === undefined) throw new ModelInputError('stacked fusion: no prediction');
    return prediction;
  }

  dispose(): void {
    for (const network of this.networks) network.dispose();
  }
}

function ensemble(
  networks: readonly FusionNetwork[],
  rows: readonly FusionRow[],
  baselines: readonly number[],
): { probabilities: number[][]; counts: number[] } {
  const probabilities = rows.map(() => [] as number[]);
  const counts = rows.map(() => 0);
  for (const network of networks) {
    const predictions: FusionPrediction[] = network.predict(rows, baselines);
    predictions.forEach((p, i) => {
      const sum = probabilities[i] ?? [];
      p.classProbabilities.forEach((v, k) => (sum[k] = (sum[k] ?? 0) + v / networks.length));
      counts[i] = (counts[i] ?? 0) + p.expectedCount / networks.length;
    });
  }
  return { probabilities, counts };
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
