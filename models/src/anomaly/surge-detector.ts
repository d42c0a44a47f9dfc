import { ModelInputError } from '../errors.js';
import { requireNumber } from '../forecast/series.js';
import { ArtDetector, type ArtDetectorOptions } from './art-detector.js';
import { logNormalTail } from './predictive.js';

/** Options of {@link SurgeDetector}; every one has a default in {@link SURGE_DEFAULTS}. */
export interface SurgeDetectorOptions {
  /** Values kept as the reference ("normal") history. Default 1000. */
  readonly historySize: number;
  /** Values before the detector scores anything (it learns). Default 150. */
  readonly warmup: number;
  /** Bins of the value histogram (relative entropy, contexts). Default 8. */
  readonly bins: number;
  /** Length of the recent window compared with the history by relative entropy. Default 32. */
  readonly entropyWindow: number;
  /** Values that make a context (the bins of the values before the next one). Default 3. */
  readonly contextLength: number;
  /** Recent steps over which the share of novel contexts is taken. Default 8. */
  readonly contextWindow: number;
  /** Length of the short mean of the windowed Gaussian. Default 4. */
  readonly meanWindow: number;
  /**
   * After a score at or above `restThreshold`, the following `restSteps` scores are held to at most the
   * score that fired times `restDamping` (an alert is raised once, not at every step of the same event).
   */
  readonly restSteps: number;
  readonly restThreshold: number;
  readonly restDamping: number;
  /**
   * Each component's evidence is judged against its own record (as HTM's anomaly likelihood): the mean of
   * its last `likelihoodShort` values against the mean and spread of its last `historySize`, as a normal
   * tail. 0 turns this off (the raw evidence is used). Default 8.
   */
  readonly likelihoodShort: number;
  /**
   * The novelty gate (0 = off). When on, an {@link ArtDetector} runs beside the three components, and the
   * combined evidence is multiplied by min(1, novelty / (noveltyGate × the probation's novelty level)): how far
   * the recent window lies outside every pattern the ART has learned, against the most the probation's second
   * half showed. A stream that repeats what it has shown (a daily cycle) then scores 0, however different its
   * last values are from the history's mean or histogram. Scores are 0 until the ART's probation ends.
   */
  readonly noveltyGate: number;
  /** Options of the gate's {@link ArtDetector} (`probation` is the one to set: NAB gives it per file). */
  readonly art: Partial<ArtDetectorOptions>;
  /**
   * The baseline of the (gated) evidence: null = off (the default). When on, the score is made from the gated
   * evidence's excess over this quantile of its own record, the last `historySize` gated evidences since scoring
   * began (the end of the ART's probation with the gate on, of the warm-up without). A level the stream keeps
   * showing (a daily cycle's constant difference from the history's histogram) is then no evidence.
   */
  readonly baselineQuantile: number | null;
  /**
   * With the baseline on, while its record holds fewer values than this, the baseline is the record's maximum
   * instead of its quantile: a young record cannot tell a stream's usual level yet, so only evidence above all it
   * has shown scores (the first value after scoring begins scores 0). Default 0 (the quantile from the start).
   */
  readonly baselineWarmup: number;
  /** Weight of each component in the combined evidence (-log10 p-values, summed with these weights). */
  readonly weights: {
    readonly gaussian: number;
    readonly entropy: number;
    readonly context: number;
  };
}

export const SURGE_DEFAULTS: Readonly<SurgeDetectorOptions> = Object.freeze({
  historySize: 1000,
  warmup: 150,
  bins: 8,
  entropyWindow: 32,
  contextLength: 3,
  contextWindow: 8,
  meanWindow: 4,
  restSteps: 300,
  restThreshold: 0.85,
  restDamping: 0,
  likelihoodShort: 0,
  noveltyGate: 0,
  art: Object.freeze({}),
  baselineQuantile: null,
  baselineWarmup: 0,
  weights: Object.freeze({ gaussian: 1, entropy: 1, context: 1 }),
});

/** One scored value: the combined score and the evidence behind it. */
export interface SurgeScore {
  /** In [0, 1): evidence / (1 + evidence), after the rest period's damping. */
  readonly score: number;
  /** Combined evidence, -log10 p summed over the components with their weights (before the gate and damping). */
  readonly evidence: number;
  /** The novelty gate's factor in [0, 1] (1 when the gate is off). */
  readonly gate: number;
  /** The baseline subtracted from the gated evidence (0 when off or before its record holds a value). */
  readonly baseline: number;
  /** The history's mean and standard deviation (the expected value and its spread). */
  readonly expected: number;
  readonly sd: number;
  /** -log10 p of each component. */
  readonly gaussian: number;
  readonly entropy: number;
  readonly context: number;
}

/**
 * A streaming change and spike detector: bounded memory (`historySize` values and their counts), O(history)
 * work per value, no fitting. Three views of the same stream, each as a p-value:
 * - a windowed Gaussian: the mean of the last `meanWindow` values against the history's mean and spread;
 * - relative entropy: the histogram of the last `entropyWindow` values against the history's (G-test,
 *   chi-square with bins - 1 degrees of freedom), which sees changes of variance or shape;
 * - contexts (in the manner of CAD OSE): the share of the last `contextWindow` steps whose value followed a
 *   context (the bins of the `contextLength` values before it) never followed so in the history.
 */
export class SurgeDetector {
  readonly options: Readonly<SurgeDetectorOptions>;
  private readonly values: number[] = [];
  private readonly recentBins: number[] = [];
  private readonly novel: number[] = [];
  private readonly transitions = new Map<string, number>();
  private readonly keys: string[] = [];
  private rest = 0;
  private restCap = 1;
  private pushed = 0;
  private readonly novelty: ArtDetector | null;
  private gateFactor = 0;

  constructor(options: Partial<SurgeDetectorOptions> = {}) {
    const o = { ...SURGE_DEFAULTS, ...options, weights: { ...SURGE_DEFAULTS.weights, ...options.weights } };
    requireNumber('historySize', o.historySize, 16, 1_000_000, true);
    requireNumber('warmup', o.warmup, 8, o.historySize, true);
    requireNumber('bins', o.bins, 2, 64, true);
    requireNumber('entropyWindow', o.entropyWindow, 2, o.historySize, true);
    requireNumber('contextLength', o.contextLength, 1, 8, true);
    requireNumber('contextWindow', o.contextWindow, 1, o.historySize, true);
    requireNumber('meanWindow', o.meanWindow, 1, o.historySize, true);
    requireNumber('restSteps', o.restSteps, 0, 1_000_000, true);
    requireNumber('restThreshold', o.restThreshold, 0, 1);
    requireNumber('restDamping', o.restDamping, 0, 1);
    requireNumber('likelihoodShort', o.likelihoodShort, 0, o.historySize, true);
    for (const [name, w] of Object.entries(o.weights)) requireNumber(`weights.${name}`, w, 0, 100);
    requireNumber('noveltyGate', o.noveltyGate, 0, 100);
    if (o.baselineQuantile !== null) requireNumber('baselineQuantile', o.baselineQuantile, 0, 1);
    requireNumber('baselineWarmup', o.baselineWarmup, 0, o.historySize, true);
    this.options = Object.freeze(o);
    this.novelty = o.noveltyGate > 0 ? new ArtDetector({ ...o.art, restFraction: 0 }) : null;
  }

  private readonly raw: number[][] = [[], [], []];
  /** The baseline's record of gated evidences: in arrival order, and sorted. */
  private readonly baseRecord: number[] = [];
  private readonly baseSorted: number[] = [];

  /**
   * The gated evidence's excess over the baseline of its record (the values before it): the record's quantile,
   * or its maximum while it is shorter than `baselineWarmup`. Then the value joins the record.
   */
  private overBaseline(gated: number): { excess: number; baseline: number } {
    const o = this.options;
    const sorted = this.baseSorted;
    const n = sorted.length;
    let result = { excess: 0, baseline: 0 };
    if (n > 0) {
      const at = n < o.baselineWarmup ? n - 1 : Math.min(n - 1, Math.floor((o.baselineQuantile ?? 0) * n));
      const baseline = sorted[at] as number;
      result = { excess: Math.max(0, gated - baseline), baseline };
    }
    this.baseRecord.push(gated);
    sorted.splice(lowerBound(sorted, gated), 0, gated);
    if (this.baseRecord.length > o.historySize) {
      sorted.splice(lowerBound(sorted, this.baseRecord.shift() as number), 1);
    }
    return result;
  }

  /** A component's evidence as the tail of its short mean against its own record. */
  private likelihood(component: number, value: number): number {
    const o = this.options;
    const record = this.raw[component] as number[];
    record.push(value);
    if (record.length > o.historySize) record.shift();
    if (record.length < o.likelihoodShort * 4) return 0;
    let mean = 0;
    for (const v of record) mean += v;
    mean /= record.length;
    let variance = 0;
    for (const v of record) variance += (v - mean) ** 2;
    const sd = Math.max(Math.sqrt(variance / (record.length - 1)), 1e-3);
    let short = 0;
    const k = Math.min(o.likelihoodShort, record.length);
    for (let i = record.length - k; i < record.length; i++) short += record[i] as number;
    short /= k;
    return Math.max(0, -log10NormalTail((short - mean) / sd));
  }

  /** Values seen so far. */
  get count(): number {
    return this.pushed;
  }

  /**
   * Scores `value` against the history, then adds it to the history.
   * @throws ModelInputError when the value is not finite.
   */
  update(value: number): SurgeScore {
    if (!Number.isFinite(value)) throw new ModelInputError(`update: value must be finite, got ${value}`);
    const o = this.options;
    const h = this.values;
    let mean = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const v of h) {
      mean += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    mean = h.length > 0 ? mean / h.length : value;
    let variance = 0;
    for (const v of h) variance += (v - mean) ** 2;
    const sd = h.length > 1 ? Math.sqrt(variance / (h.length - 1)) : 0;
    const range = max - min;
    const resolution = Math.max(range / 100, Math.abs(mean) * 1e-3, 1e-9);
    const binOf = (v: number): number => {
      if (!(range > 0)) return v === min ? 0 : v > min ? o.bins + 1 : -1;
      const b = Math.floor(((v - min) / range) * o.bins);
      return v < min ? -1 : v > max ? o.bins + 1 : Math.min(o.bins - 1, b);
    };

    let gaussian = 0;
    let entropy = 0;
    let context = 0;
    // The context of this value, its bin, and whether that transition is new.
    const bin = binOf(value);
    this.recentBins.push(bin);
    if (this.recentBins.length > o.contextLength + 1) this.recentBins.shift();
    const ready = this.pushed >= o.warmup;
    let key: string | null = null;
    if (this.recentBins.length === o.contextLength + 1) key = this.recentBins.join(',');
    // Contexts are binned against the current range; a bin outside it is always new.
    const isNovel = key !== null && (this.transitions.get(key) ?? 0) === 0;
    this.novel.push(isNovel ? 1 : 0);
    if (this.novel.length > o.contextWindow) this.novel.shift();

    if (ready) {
      // Windowed Gaussian on the short mean.
      const m = Math.min(o.meanWindow, h.length);
      let recent = value;
      for (let i = h.length - m + 1; i < h.length; i++) recent += h[i] as number;
      recent /= m;
      const spread = Math.max(sd, resolution) / Math.sqrt(m);
      gaussian = -log10NormalTail(Math.abs(recent - mean) / spread) - Math.log10(2);
      gaussian = Math.max(0, gaussian);

      // Relative entropy of the recent window against the history.
      const w = Math.min(o.entropyWindow, h.length);
      const ref = new Float64Array(o.bins + 2);
      const cur = new Float64Array(o.bins + 2);
      for (const v of h) ref[binOf(v) + 1] = (ref[binOf(v) + 1] as number) + 1;
      cur[bin + 1] = (cur[bin + 1] as number) + 1;
      for (let i = h.length - w + 1; i < h.length; i++) {
        const b = binOf(h[i] as number) + 1;
        cur[b] = (cur[b] as number) + 1;
      }
      let g = 0;
      const alpha = 0.5;
      const total = h.length + alpha * (o.bins + 2);
      for (let b = 0; b < o.bins + 2; b++) {
        const c = cur[b] as number;
        if (c === 0) continue;
        const q = ((ref[b] as number) + alpha) / total;
        g += c * Math.log(c / w / q);
      }
      entropy = Math.max(0, -log10ChiSquareTail(2 * g, o.bins - 1));

      // Context novelty: binomial tail of the novel share against the history's novelty rate.
      let novelNow = 0;
      for (const n of this.novel) novelNow += n;
      const seen = this.keys.length;
      let newKeys = 0;
      for (const k of this.keys) if ((this.transitions.get(k) ?? 0) === 1) newKeys++;
      const rate = Math.min(0.5, Math.max(0.02, newKeys / Math.max(1, seen)));
      context = -log10BinomialTail(novelNow, this.novel.length, rate);
    }

    // Update the history and the transition counts.
    h.push(value);
    if (key !== null) {
      this.keys.push(key);
      this.transitions.set(key, (this.transitions.get(key) ?? 0) + 1);
    }
    if (h.length > o.historySize) h.shift();
    if (this.keys.length > o.historySize) {
      const old = this.keys.shift() as string;
      const n = (this.transitions.get(old) ?? 1) - 1;
      if (n <= 0) this.transitions.delete(old);
      else this.transitions.set(old, n);
    }
    this.pushed++;

    if (ready && o.likelihoodShort > 0) {
      gaussian = this.likelihood(0, gaussian);
      entropy = this.likelihood(1, entropy);
      context = this.likelihood(2, context);
    }
    const evidence =
      o.weights.gaussian * gaussian + o.weights.entropy * entropy + o.weights.context * context;
    let gate = 1;
    let scoring = ready;
    if (this.novelty !== null) {
      const art = this.novelty.update(value);
      const level = this.novelty.noveltyLevel;
      if (art.novelty !== null && level !== null) {
        this.gateFactor = Math.min(1, art.novelty / Math.max(1e-9, o.noveltyGate * level));
      }
      gate = this.gateFactor;
      scoring = ready && level !== null;
    }
    let gated = evidence * gate;
    let baseline = 0;
    if (o.baselineQuantile !== null) {
      if (scoring) ({ excess: gated, baseline } = this.overBaseline(gated));
      else gated = 0;
    }
    let score = gated / (1 + gated);
    if (this.rest > 0) {
      this.rest--;
      score = Math.min(score, this.restCap);
    } else if (score >= o.restThreshold) {
      this.rest = o.restSteps;
      this.restCap = score * o.restDamping;
    }
    return { score, evidence, gate, baseline, expected: mean, sd, gaussian, entropy, context };
  }
}

/** The first index of a sorted array whose element is >= x. */
function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** log10 of the upper tail P(Z >= z) of the standard normal, accurate far into the tail. */
export function log10NormalTail(z: number): number {
  return logNormalTail(z) / Math.LN10;
}

/** log10 of P(X >= x) for X chi-square with k degrees of freedom (Wilson-Hilferty). */
export function log10ChiSquareTail(x: number, k: number): number {
  if (x <= 0) return 0;
  const z = (Math.cbrt(x / k) - (1 - 2 / (9 * k))) / Math.sqrt(2 / (9 * k));
  return log10NormalTail(z);
}

/** log10 of P(X >= k) for X binomial(n, p). */
export function log10BinomialTail(k: number, n: number, p: number): number {
  if (k <= 0) return 0;
  let total = 0;
  for (let i = k; i <= n; i++)
    total += Math.exp(logChoose(n, i) + i * Math.log(p) + (n - i) * Math.log1p(-p));
  return Math.log10(Math.min(1, total));
}

function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log((n - k + i) / i);
  return s;
}
