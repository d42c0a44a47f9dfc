import { ModelInputError } from '../errors.js';
import { normalQuantile } from '../forecast/random.js';
import { requireNumber, requireOneOf } from '../forecast/series.js';

/**
 * A streaming detector of surges in a count series with a daily cycle (e.g. hourly reports of a district):
 * `update(count)` scores the step just completed and adds it to the history; a higher statistic is more
 * alarming, and an alarm is the statistic at or above a threshold the caller sets.
 */
export interface CountSurgeDetector {
  readonly name: string;
  update(count: number): CountSurgeStep;
}

/** One completed step: the statistic, and the expected count it was judged against. */
export interface CountSurgeStep {
  readonly statistic: number;
  /** Expected count of the step (NaN while the history is too short). */
  readonly expected: number;
}

function requireCount(count: number): void {
  if (!Number.isFinite(count) || count < 0) {
    throw new ModelInputError(`update: a count must be a finite number >= 0, got ${count}`);
  }
}

/** A fixed-size ring of the last values, newest at lag 1. */
class Ring {
  private readonly data: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(readonly size: number) {
    this.data = new Float64Array(size);
  }

  get length(): number {
    return this.filled;
  }

  push(value: number): void {
    this.data[this.next] = value;
    this.next = (this.next + 1) % this.size;
    this.filled = Math.min(this.size, this.filled + 1);
  }

  /** The value `lag` steps back (1 = the last pushed). */
  lag(lag: number): number {
    return this.data[(this.next - lag + this.size * 2) % this.size] as number;
  }
}

export type EarsVariant = 'C1' | 'C2' | 'C3';

/**
 * EARS C1, C2 and C3 (Hutwagner et al. 2003), on steps of a daily cycle: the baseline is the same hour on
 * the 7 previous days (C1: days 1-7 back; C2 and C3: days 3-9 back, a 2-day guard band), z = (x - mean) / sd
 * with sd at least `minSd`; C3 sums max(0, C2 - 1) over the current and the two previous steps.
 */
export class EarsDetector implements CountSurgeDetector {
  readonly name: string;
  private readonly ring: Ring;
  private readonly c2: number[] = [];

  constructor(
    readonly variant: EarsVariant,
    private readonly period = 24,
    private readonly minSd = 0.5,
  ) {
    requireNumber('period', period, 1, 10_000, true);
    requireNumber('minSd', minSd, 1e-6, 1e6);
    if (!['C1', 'C2', 'C3'].includes(variant)) throw new ModelInputError(`unknown EARS variant ${variant}`);
    this.name = `EARS ${variant}`;
    this.ring = new Ring(period * 9);
  }

  update(count: number): CountSurgeStep {
    requireCount(count);
    const first = this.variant === 'C1' ? 1 : 3;
    let statistic = 0;
    let expected = Number.NaN;
    if (this.ring.length >= this.period * (first + 6)) {
      let sum = 0;
      let sq = 0;
      for (let d = first; d < first + 7; d++) {
        const v = this.ring.lag(d * this.period - 0);
        sum += v;
        sq += v * v;
      }
      const mean = sum / 7;
      const sd = Math.max(this.minSd, Math.sqrt(Math.max(0, (sq - 7 * mean * mean) / 6)));
      const z = (count - mean) / sd;
      expected = mean;
      if (this.variant === 'C3') {
        this.c2.push(Math.max(0, z - 1));
        if (this.c2.length > 3) this.c2.shift();
        statistic = this.c2.reduce((s, v) => s + v, 0);
      } else statistic = z;
    }
    this.ring.push(count);
    return { statistic, expected };
  }
}

/** How a {@link SeasonalBaseline} forms its expectation; all optional. */
export interface SeasonalBaselineOptions {
  /** Steps per day (24 for hourly counts). */
  readonly period?: number;
  /** Weeks of history for the full hour-of-week expectation. */
  readonly weeks?: number;
  /** Most steps kept (default period x 7 x weeks); when shorter than that, the full expectation never forms. */
  readonly capacity?: number;
  /** Fewest steps before any expectation (the level fallback); default min(48, capacity). */
  readonly minSteps?: number;
  /**
   * A count enters the history at most at expected + clip x sd (+1): a surge in progress does not raise
   * the expectation it is judged against. Infinity: no clipping.
   */
  readonly clip?: number;
}

/** Pseudo-steps at phi = 1 behind the quasi-Poisson dispersion (a few noisy steps do not make it large). */
const PRIOR_STEPS = 24;

/**
 * The expected count of a step with a daily and weekly cycle, and the counts' overdispersion, from as much
 * history as there is:
 * - `weeks` whole weeks: the mean of the same hour of day over the last 7 x `weeks` days, times the ratio of
 *   the same weekday's counts to all days' counts over those weeks (shrunk toward 1);
 * - at least 2 whole days (and a period above 1): the same hour's mean over the days there are;
 * - else at least `minSteps`: the mean of the last steps (a level, for short steps or a young history).
 *
 * The dispersion (negative-binomial size r, and the quasi-Poisson phi) comes from running moments of the
 * counts against their expectations over the last `capacity` steps.
 */
export class SeasonalBaseline {
  readonly period: number;
  readonly weeks: number;
  private readonly ring: Ring;
  private readonly minSteps: number;
  private readonly clip: number;
  private n = 0;
  private excess = 0;
  private square = 0;
  private pearson = 1;

  constructor(options: SeasonalBaselineOptions = {}) {
    this.period = options.period ?? 24;
    this.weeks = options.weeks ?? 4;
    requireNumber('period', this.period, 1, 100_000, true);
    requireNumber('weeks', this.weeks, 1, 52, true);
    const capacity = options.capacity ?? this.period * 7 * this.weeks;
    requireNumber('capacity', capacity, 1, 10_000_000, true);
    this.ring = new Ring(capacity);
    this.minSteps = options.minSteps ?? Math.min(48, capacity);
    requireNumber('minSteps', this.minSteps, 1, capacity, true);
    this.clip = options.clip ?? Number.POSITIVE_INFINITY;
    if (!(this.clip >= 0))
      throw new ModelInputError(`option clip must be >= 0 (Infinity: none), got ${this.clip}`);
  }

  get ready(): boolean {
    return this.ring.length >= this.minSteps;
  }

  /** The negative-binomial size (Infinity: Poisson). */
  get dispersion(): number {
    if (this.n === 0 || this.square <= 0) return Number.POSITIVE_INFINITY;
    const inverse = (this.excess * this.n) / (this.n + PRIOR_STEPS) / this.square;
    return inverse > 1e-3 ? 1 / inverse : Number.POSITIVE_INFINITY;
  }

  /** The quasi-Poisson dispersion: the mean of (x - mu)^2 / mu, at least 1. */
  get quasiDispersion(): number {
    return Math.max(1, this.pearson);
  }

  /** Expected count of the next step (NaN while fewer than `minSteps` steps are known). */
  expected(): number {
    const n = this.ring.length;
    const p = this.period;
    if (n >= p * 7 * this.weeks) {
      const days = 7 * this.weeks;
      let hour = 0;
      for (let d = 1; d <= days; d++) hour += this.ring.lag(d * p);
      hour /= days;
      // Weekday factor: the same weekday's last `weeks` days against all days, over whole days ending now:
      // lags (7k - 1) p + 1 .. 7k p for k = 1..weeks.
      let same = 0;
      let all = 0;
      for (let lag = 1; lag <= days * p; lag++) {
        const v = this.ring.lag(lag);
        all += v;
        if (Math.floor((lag - 1) / p) % 7 === 6) same += v;
      }
      const factor = all > 0 ? (same * 7 + 7) / (all + 7) : 1;
      return Math.max(hour * factor, 0.05);
    }
    if (p > 1 && n >= 2 * p) {
      const days = Math.floor(n / p);
      let hour = 0;
      for (let d = 1; d <= days; d++) hour += this.ring.lag(d * p);
      return Math.max(hour / days, 0.05);
    }
    if (n < this.minSteps) return Number.NaN;
    let sum = 0;
    for (let lag = 1; lag <= n; lag++) sum += this.ring.lag(lag);
    return Math.max(sum / n, 0.05);
  }

  /** The largest count that enters the history, for a step of expectation `expected`. */
  ceiling(expected: number): number {
    return expected + this.clip * Math.sqrt(this.quasiDispersion * expected) + 1;
  }

  push(count: number, expected: number): void {
    let kept = count;
    if (Number.isFinite(expected)) {
      kept = Math.min(count, this.ceiling(expected));
      // Running means over (at most) the last `capacity` steps.
      this.n = Math.min(this.n + 1, this.ring.size);
      const w = 1 / this.n;
      this.excess += ((kept - expected) ** 2 - expected - this.excess) * w;
      this.square += (expected * expected - this.square) * w;
      const wp = 1 / (Math.min(this.n, this.ring.size) + PRIOR_STEPS);
      this.pearson += ((kept - expected) ** 2 / expected - this.pearson) * wp;
    }
    this.ring.push(kept);
  }
}

/** log of the negative-binomial (size r, mean mu) likelihood ratio of mean k mu against mu, for count x. */
function nbLogRatio(x: number, mu: number, k: number, r: number): number {
  if (!Number.isFinite(r)) return x * Math.log(k) - (k - 1) * mu;
  return r * Math.log((r + mu) / (r + k * mu)) + x * Math.log((k * (r + mu)) / (r + k * mu));
}

/**
 * A negative-binomial CUSUM (Fricker et al. 2008's CUSUM on a model's expectation, with the NB likelihood
 * ratio of Hohle and Paul 2008) for a rise of the mean by `shift` times: S = max(0, S + log LR).
 */
export class NbCusumDetector implements CountSurgeDetector {
  readonly name: string;
  private readonly baseline: SeasonalBaseline;
  private s = 0;

  constructor(
    private readonly shift = 2,
    period = 24,
  ) {
    requireNumber('shift', shift, 1.01, 100);
    this.name = `NB-CUSUM x${shift}`;
    this.baseline = new SeasonalBaseline({ period });
  }

  update(count: number): CountSurgeStep {
    requireCount(count);
    const expected = this.baseline.expected();
    if (Number.isFinite(expected)) {
      this.s = Math.max(0, this.s + nbLogRatio(count, expected, this.shift, this.baseline.dispersion));
    }
    this.baseline.push(count, expected);
    return { statistic: this.s, expected };
  }
}

/** A surge scan's settings; all optional. */
export interface SurgeScanOptions extends SeasonalBaselineOptions {
  /** Longest window scanned, in steps. */
  readonly maxWindow?: number;
  /** `nb`: negative-binomial ratio (variance mu + mu^2 / r); `quasi-poisson`: Poisson ratio / phi (variance phi mu). */
  readonly family?: 'nb' | 'quasi-poisson';
}

/** One step of the surge scan: the best window's evidence. */
export interface SurgeScanStep extends CountSurgeStep {
  /** Steps in the window with the largest ratio (0 when no window is above its expectation). */
  readonly window: number;
  /** Observed and expected counts summed over that window. */
  readonly observed: number;
  readonly expectedSum: number;
  /** The log ratio of the last step alone (0 when it is not above its expectation). */
  readonly last: number;
}

/**
 * The surge scan: for every window of the last 1 to `maxWindow` steps, the generalised likelihood ratio of
 * "the mean rose by some factor" against the seasonal expectation (by default quasi-Poisson: the Poisson
 * ratio divided by the dispersion phi, as when one event is reported as several crimes; or negative-binomial:
 * the factor k is estimated as observed / expected, at least 1); the statistic is the largest log ratio
 * over the windows. Sees a short sharp surge in its first steps and a long mild one
 * over its length, where a CUSUM tuned to one factor sees one of them late.
 */
export class SurgeScanDetector implements CountSurgeDetector {
  readonly name: string;
  readonly maxWindow: number;
  readonly family: 'nb' | 'quasi-poisson';
  private readonly baseline: SeasonalBaseline;
  private readonly counts: Ring;
  private readonly means: Ring;

  constructor(options: SurgeScanOptions = {}) {
    this.maxWindow = options.maxWindow ?? 24;
    this.family = options.family ?? 'quasi-poisson';
    requireNumber('maxWindow', this.maxWindow, 1, 10_000, true);
    requireOneOf('family', this.family, ['nb', 'quasi-poisson']);
    this.name = this.family === 'nb' ? 'surge scan NB' : 'surge scan';
    this.baseline = new SeasonalBaseline(options);
    this.counts = new Ring(this.maxWindow);
    this.means = new Ring(this.maxWindow);
  }

  /** Expected count of the next step (NaN while the history is too short). */
  expected(): number {
    return this.baseline.expected();
  }

  /** Scores a completed step and adds it to the history. */
  update(count: number): SurgeScanStep {
    requireCount(count);
    const expected = this.baseline.expected();
    let step: SurgeScanStep = { statistic: 0, expected, window: 0, observed: 0, expectedSum: 0, last: 0 };
    if (Number.isFinite(expected)) {
      this.counts.push(count);
      this.means.push(expected);
      step = this.scan(0, 0, expected);
    }
    this.baseline.push(count, expected);
    return step;
  }

  /**
   * Scores a step in progress as if it ended now with `count` (no change to the history): a partial count
   * against the whole step's expectation, so it can only understate a surge.
   */
  peek(count: number): SurgeScanStep {
    requireCount(count);
    const expected = this.baseline.expected();
    if (!Number.isFinite(expected)) {
      return { statistic: 0, expected, window: 0, observed: 0, expectedSum: 0, last: 0 };
    }
    return this.scan(count, expected, expected);
  }

  /** The scan over the stored windows, led by an extra step (`extraMean` 0: none). */
  private scan(extraCount: number, extraMean: number, expected: number): SurgeScanStep {
    const extra = extraMean > 0 ? 1 : 0;
    let x = 0;
    let m = 0;
    let best: SurgeScanStep = { statistic: 0, expected, window: 0, observed: 0, expectedSum: 0, last: 0 };
    let last = 0;
    const windows = Math.min(this.maxWindow, this.counts.length + extra);
    for (let w = 1; w <= windows; w++) {
      x += extra === 1 && w === 1 ? extraCount : this.counts.lag(w - extra);
      m += extra === 1 && w === 1 ? extraMean : this.means.lag(w - extra);
      if (x <= m) continue;
      const llr = this.logRatio(x, m, w);
      if (w === 1) last = llr;
      if (llr > best.statistic)
        best = { statistic: llr, expected, window: w, observed: x, expectedSum: m, last: 0 };
    }
    return { ...best, last };
  }

  private logRatio(x: number, m: number, w: number): number {
    // NB over the window: size r w (sum of w NB(r) of similar means).
    const k = x / m;
    const r = this.baseline.dispersion;
    return this.family === 'nb'
      ? nbLogRatio(x, m, k, Number.isFinite(r) ? r * w : r)
      : nbLogRatio(x, m, k, Number.POSITIVE_INFINITY) / this.baseline.quasiDispersion;
  }
}

/**
 * The surge scan's alarm level for a per-step false-alarm probability `alpha`: alpha is split over the
 * `windows` windows (Bonferroni), and each window's one-sided level is read from the chi-square(1)
 * approximation of twice the log ratio: z^2 / 2 with z the normal quantile of 1 - alpha / windows.
 */
export function scanThreshold(alpha: number, windows: number): number {
  requireNumber('alpha', alpha, 1e-12, 0.5);
  requireNumber('windows', windows, 1, 10_000, true);
  const z = normalQuantile(1 - alpha / windows);
  return (z * z) / 2;
}
