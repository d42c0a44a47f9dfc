import { ModelInputError } from '../errors.js';
import { requireNumber } from '../forecast/series.js';

/** Options of {@link ArtDetector}; every one has a default in {@link ART_DEFAULTS}. */
export interface ArtDetectorOptions {
  /**
   * Values the detector learns from before it scores anything (it reports 0 meanwhile). Its vigilance is set
   * at the end of this period. NAB gives each detector its probationary length (15% of the file, at most 750).
   */
  readonly probation: number;
  /**
   * Values averaged into one step of the feature stream. 0 = from the probation: max(1, round(probation /
   * `stepsPerProbation`)).
   */
  readonly downsample: number;
  /** Steps (downsampled) the probation should hold when `downsample` is 0. Default 100. */
  readonly stepsPerProbation: number;
  /** Steps (downsampled) in one feature vector. Default 8. */
  readonly window: number;
  /**
   * Vigilance margin: the vigilance is the lowest best match seen in the second half of the probation, times
   * this. Below 1 makes the detector more tolerant. Default 0.97.
   */
  readonly vigilanceMargin: number;
  /** Quantile of the probation's second-half best matches that sets the vigilance (0 = the lowest). Default 0. */
  readonly vigilanceQuantile: number;
  /** Most categories kept; the least recently matched one is forgotten beyond it (bounded memory). Default 200. */
  readonly maxCategories: number;
  /** Choice parameter of fuzzy ART (small positive). Default 0.001. */
  readonly choice: number;
  /** Learning rate of a resonating category (1 = fast learning: the category becomes its intersection with the input). */
  readonly learningRate: number;
  /** After a reported anomaly, the next `restFraction` × probation values are not reported. Default 1. */
  readonly restFraction: number;
  /** Weight of the locally normalised shape of the window beside its level (0 = level only). Default 0. */
  readonly shapeWeight: number;
}

export const ART_DEFAULTS: Readonly<ArtDetectorOptions> = Object.freeze({
  probation: 300,
  downsample: 0,
  stepsPerProbation: 100,
  window: 8,
  vigilanceMargin: 0.97,
  vigilanceQuantile: 0,
  maxCategories: 200,
  choice: 0.001,
  learningRate: 1,
  restFraction: 1,
  shapeWeight: 0,
});

/** One scored value of {@link ArtDetector}. */
export interface ArtScore {
  /**
   * In [0, 1]: 0 unless this value completes a step whose window no category matches at the vigilance and
   * whose novelty exceeds the probation's novelty level (then at least 0.5).
   */
  readonly score: number;
  /** Best match of the window against the categories (1 = inside one), or null between steps and in warm-up. */
  readonly match: number | null;
  /**
   * How far the window lies outside the nearest category: the least growth of a category's box that would
   * take it in (L1, per dimension of the window); 0 inside a category, null between steps and in warm-up.
   */
  readonly novelty: number | null;
  /** The vigilance in force (null before the end of the probation). */
  readonly vigilance: number | null;
  /** Categories held. */
  readonly categories: number;
}

/**
 * A streaming novelty detector in the manner of ARTime: fuzzy Adaptive Resonance Theory (ART) over windows of
 * the downsampled stream.
 * - The values are averaged in steps of `downsample`; each step makes a feature vector of the last `window`
 *   steps, scaled to [0, 1] by the range seen so far, and complement-coded.
 * - Fuzzy ART clusters the vectors: a vector resonates with the category it matches best if the match
 *   (|x ∧ w| / |x|) reaches the vigilance, and the category learns it; otherwise it becomes a new category.
 * - The vigilance is learned in the probation: the vectors of its first half are clustered, and the lowest
 *   best match of its second half (times `vigilanceMargin`) is the vigilance. So what the probation shows is
 *   normal, and a vector further from every category than anything in the probation is an anomaly.
 * - The novelty of a vector is how far it lies outside the nearest category (the least growth of a box that
 *   takes it in). The novelty level is the largest novelty of the probation's second half against the
 *   categories learned before it. An anomaly is a vector that makes a new category and whose novelty is above
 *   that level; its score grows with the excess. After a reported anomaly, a rest period holds the reports
 *   (one event is reported once).
 * - When a value leaves the range seen so far, the range grows and every category is rescaled exactly
 *   (fuzzy ART's min / max bounds commute with an increasing affine map).
 *
 * Memory: the probation's vectors until its end, then at most `maxCategories` categories and the last
 * `window` steps. Work per value: O(categories × window) once per step.
 */
export class ArtDetector {
  readonly options: Readonly<ArtDetectorOptions>;
  readonly downsample: number;
  private pushed = 0;
  private stepSum = 0;
  private stepCount = 0;
  private readonly steps: number[] = [];
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  /** Categories: complement-coded weights in the current range's scale, and when each last matched. */
  private categories: Float64Array[] = [];
  private lastUsed: number[] = [];
  /** Raw (unscaled) windows of the probation, kept until its end. */
  private probationWindows: number[][] | null = [];
  private vigilanceValue: number | null = null;
  private noveltyLevelValue = 0;
  private restUntil = -1;
  private stepIndex = 0;

  constructor(options: Partial<ArtDetectorOptions> = {}) {
    const o = { ...ART_DEFAULTS, ...options };
    requireNumber('probation', o.probation, 16, 1_000_000, true);
    requireNumber('downsample', o.downsample, 0, 100_000, true);
    requireNumber('stepsPerProbation', o.stepsPerProbation, 8, 100_000, true);
    requireNumber('window', o.window, 2, 256, true);
    requireNumber('vigilanceMargin', o.vigilanceMargin, 0.5, 1.5);
    requireNumber('vigilanceQuantile', o.vigilanceQuantile, 0, 1);
    requireNumber('maxCategories', o.maxCategories, 2, 100_000, true);
    requireNumber('choice', o.choice, 0, 10);
    requireNumber('learningRate', o.learningRate, 0, 1);
    requireNumber('restFraction', o.restFraction, 0, 100);
    requireNumber('shapeWeight', o.shapeWeight, 0, 1);
    this.options = Object.freeze(o);
    this.downsample =
      o.downsample > 0 ? o.downsample : Math.max(1, Math.round(o.probation / o.stepsPerProbation));
    if (o.probation / this.downsample < 2 * o.window + 4) {
      throw new ModelInputError(
        `probation ${o.probation} holds ${Math.floor(o.probation / this.downsample)} steps of ${this.downsample}; it needs at least ${2 * o.window + 4} (window ${o.window})`,
      );
    }
  }

  /** Values seen so far. */
  get count(): number {
    return this.pushed;
  }

  /** Categories held now. */
  get size(): number {
    return this.categories.length;
  }

  /**
   * Scores `value` (0 unless it completes a step that no category matches), then learns it.
   * @throws ModelInputError when the value is not finite.
   */
  update(value: number): ArtScore {
    if (!Number.isFinite(value)) throw new ModelInputError(`update: value must be finite, got ${value}`);
    const o = this.options;
    const index = this.pushed++;
    this.stepSum += value;
    this.stepCount++;
    const idle = {
      score: 0,
      match: null,
      novelty: null,
      vigilance: this.vigilanceValue,
      categories: this.categories.length,
    };
    if (this.stepCount < this.downsample) return idle;
    const step = this.stepSum / this.stepCount;
    this.stepSum = 0;
    this.stepCount = 0;
    this.steps.push(step);
    if (this.steps.length > o.window) this.steps.shift();
    this.stepIndex++;
    if (step < this.min || step > this.max) this.grow(Math.min(this.min, step), Math.max(this.max, step));
    if (this.steps.length < o.window) return idle;

    if (this.probationWindows !== null) {
      this.probationWindows.push([...this.steps]);
      if (index + 1 >= o.probation) this.endProbation();
      return { ...idle, vigilance: this.vigilanceValue, categories: this.categories.length };
    }

    const rho = this.vigilanceValue as number;
    const input = this.encode(this.steps);
    const { match, novelty } = this.learn(input, rho);
    let score = 0;
    const level = this.noveltyLevelValue;
    // An anomaly: a new category, further outside every category than anything in the probation's second half.
    if (match < rho && novelty > level && index >= this.restUntil) {
      score = Math.min(1, 0.5 + (0.5 * (novelty - level)) / (novelty + level));
      this.restUntil = index + Math.round(o.restFraction * o.probation);
    }
    return { score, match, novelty, vigilance: rho, categories: this.categories.length };
  }

  /** The complement-coded feature vector of a window, in the current range's scale. */
  private encode(window: readonly number[]): Float64Array {
    const o = this.options;
    const n = window.length;
    const shape = o.shapeWeight > 0;
    const dim = shape ? 2 * n : n;
    const out = new Float64Array(2 * dim);
    const range = this.max - this.min;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of window) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    for (let i = 0; i < n; i++) {
      const v = window[i] as number;
      const x = range > 0 ? (v - this.min) / range : 0.5;
      out[i] = x;
      out[dim + i] = 1 - x;
      if (shape) {
        const s = hi > lo ? 0.5 + o.shapeWeight * ((v - lo) / (hi - lo) - 0.5) : 0.5;
        out[n + i] = s;
        out[dim + n + i] = 1 - s;
      }
    }
    return out;
  }

  /** Best match of `input` over the categories; resonance (learning) or a new category. */
  private learn(input: Float64Array, rho: number): { match: number; novelty: number } {
    const o = this.options;
    const half = input.length / 2;
    let bestChoice = -1;
    let bestMatch = 0;
    let best = -1;
    let resonant = -1;
    let resonantChoice = -1;
    let novelty = Number.POSITIVE_INFINITY;
    for (let j = 0; j < this.categories.length; j++) {
      const w = this.categories[j] as Float64Array;
      let inter = 0;
      let size = 0;
      for (let i = 0; i < input.length; i++) {
        const a = input[i] as number;
        const b = w[i] as number;
        inter += a < b ? a : b;
        size += b;
      }
      const match = inter / half;
      novelty = Math.min(novelty, (size - inter) / half);
      const choice = inter / (o.choice + size);
      if (match > bestMatch || (match === bestMatch && choice > bestChoice)) {
        bestMatch = match;
        best = j;
        bestChoice = choice;
      }
      if (match >= rho && choice > resonantChoice) {
        resonant = j;
        resonantChoice = choice;
      }
    }
    if (resonant >= 0) {
      const w = this.categories[resonant] as Float64Array;
      const beta = o.learningRate;
      for (let i = 0; i < input.length; i++) {
        const a = input[i] as number;
        const b = w[i] as number;
        w[i] = beta * (a < b ? a : b) + (1 - beta) * b;
      }
      this.lastUsed[resonant] = this.stepIndex;
    } else {
      if (this.categories.length >= o.maxCategories) {
        let oldest = 0;
        for (let j = 1; j < this.lastUsed.length; j++)
          if ((this.lastUsed[j] as number) < (this.lastUsed[oldest] as number)) oldest = j;
        this.categories.splice(oldest, 1);
        this.lastUsed.splice(oldest, 1);
      }
      this.categories.push(Float64Array.from(input));
      this.lastUsed.push(this.stepIndex);
    }
    return { match: best >= 0 ? bestMatch : 0, novelty: best >= 0 ? novelty : 1 };
  }

  /** Sets the vigilance from the probation's windows and clusters them at it. */
  private endProbation(): void {
    const windows = this.probationWindows as number[][];
    this.probationWindows = null;
    const half = Math.floor(windows.length / 2);
    // Cluster the first half with vigilance 1 would keep every vector: instead keep them as exemplars and take
    // each later vector's best match against everything before it.
    const encoded = windows.map((w) => this.encode(w));
    const matches: number[] = [];
    for (let k = half; k < encoded.length; k++) {
      const x = encoded[k] as Float64Array;
      let best = 0;
      for (let j = 0; j < k; j++) {
        const w = encoded[j] as Float64Array;
        let inter = 0;
        for (let i = 0; i < x.length; i++) inter += Math.min(x[i] as number, w[i] as number);
        best = Math.max(best, inter / (x.length / 2));
      }
      matches.push(best);
    }
    matches.sort((a, b) => a - b);
    const lowest =
      matches.length > 0
        ? (matches[Math.floor(this.options.vigilanceQuantile * (matches.length - 1))] as number)
        : 1;
    this.vigilanceValue = Math.min(0.9999, lowest * this.options.vigilanceMargin);
    const novelties: number[] = [];
    encoded.forEach((x, k) => {
      const { novelty } = this.learn(x, this.vigilanceValue as number);
      if (k >= half) novelties.push(novelty);
    });
    novelties.sort((a, b) => a - b);
    this.noveltyLevelValue = novelties.length > 0 ? (novelties[novelties.length - 1] as number) : 0;
  }

  /** The largest novelty of the probation's second half against the categories before it (null before its end). */
  get noveltyLevel(): number | null {
    return this.probationWindows === null ? this.noveltyLevelValue : null;
  }

  /** The range grows to [min, max]: rescale every category (and nothing else is stored scaled). */
  private grow(min: number, max: number): void {
    const oldMin = this.min;
    const oldRange = this.max - this.min;
    this.min = min;
    this.max = max;
    const range = max - min;
    if (!(oldRange > 0) || !(range > 0) || this.categories.length === 0) {
      if (!(oldRange > 0) && this.categories.length > 0) {
        // Everything so far was one value (scaled 0.5): place it in the new range.
        for (const w of this.categories) {
          const half = w.length / 2;
          for (let i = 0; i < half; i++) {
            const x = range > 0 ? (oldMin - min) / range : 0.5;
            w[i] = Math.min(w[i] as number, x);
            w[half + i] = Math.min(w[half + i] as number, 1 - x);
          }
        }
      }
      return;
    }
    const scale = oldRange / range;
    const shift = (oldMin - min) / range;
    const shape = this.options.shapeWeight > 0;
    for (const w of this.categories) {
      const half = w.length / 2;
      const levels = shape ? half / 2 : half;
      for (let i = 0; i < levels; i++) {
        // Lower bound x' = shift + scale x; upper bound 1 - x'' with x'' = shift + scale (1 - c).
        const lower = shift + scale * (w[i] as number);
        const upper = shift + scale * (1 - (w[half + i] as number));
        w[i] = lower;
        w[half + i] = 1 - upper;
      }
    }
  }
}
