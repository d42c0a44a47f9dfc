import { ModelInputError } from '../errors.js';
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

/**
 * The expected count of a step with a daily and weekly cycle, and the counts' overdispersion, from the last
 * `weeks` weeks: the mean of the same hour of day over the last 7 x `weeks` days, times the ratio of the
 * same weekday's counts to all days' counts over those weeks (shrunk toward 1). The negative-binomial size
 * r comes from the moments of the counts against their expectations (Poisson when not overdispersed).
 */
export class SeasonalBaseline {
  private readonly ring: Ring;
  private readonly expectations: Ring;
  private dispersionSum = 0;
  private dispersionCount = 0;
  private size = Number.POSITIVE_INFINITY;
  private pearsonSum = 0;
  private pearsonCount = 0;
  private phi = 1;

  constructor(
    private readonly period = 24,
    private readonly weeks = 4,
  ) {
    requireNumber('period', period, 1, 10_000, true);
    requireNumber('weeks', weeks, 1, 52, true);
    this.ring = new Ring(period * 7 * weeks);
    this.expectations = new Ring(period * 7 * weeks);
  }

  get ready(): boolean {
    return this.ring.length >= this.period * 7 * this.weeks;
  }

  /** The negative-binomial size (Infinity: Poisson). */
  get dispersion(): number {
    return this.size;
  }

  /** The quasi-Poisson dispersion: the mean of (x - mu)^2 / mu, at least 1. */
  get quasiDispersion(): number {
    return this.phi;
  }

  /** Expected count of the next step (NaN until `ready`). */
  expected(): number {
    if (!this.ready) return Number.NaN;
    const days = 7 * this.weeks;
    const p = this.period;
    let hour = 0;
    for (let d = 1; d <= days; d++) hour += this.ring.lag(d * p);
    hour /= days;
    // Weekday factor: the same weekday's last `weeks` days against all days, over whole days ending now.
    let same = 0;
    let all = 0;
    for (let lag = 1; lag <= days * p; lag++) {
      const v = this.ring.lag(lag);
      all += v;
      // Steps lag back, same weekday as the next step when (lag - 1) div p is 6 mod 7 ... i.e. lag in
      // (7k - 1) p + 1 .. 7k p for k = 1..weeks.
      if (Math.floor((lag - 1) / p) % 7 === 6) same += v;
    }
    const factor = all > 0 ? (same * 7 + 7) / (all + 7) : 1;
    return Math.max(hour * factor, 0.05);
  }

  push(count: number, expected: number): void {
    if (Number.isFinite(expected)) {
      this.expectations.push(expected);
      // Moment estimate of 1 / r: E[(x - mu)^2 - mu] / E[mu^2].
      this.dispersionSum += (count - expected) ** 2 - expected;
      this.dispersionCount += expected * expected;
      this.pearsonSum += (count - expected) ** 2 / expected;
      this.pearsonCount += 1;
      if (this.expectations.length % (this.period * 7) === 0) {
        const inverse = this.dispersionSum / Math.max(this.dispersionCount, 1e-9);
        this.size = inverse > 1e-3 ? 1 / inverse : Number.POSITIVE_INFINITY;
        this.phi = Math.max(1, this.pearsonSum / this.pearsonCount);
      }
    }
    this.ring.push(count);
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
    this.baseline = new SeasonalBaseline(period);
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
  private readonly baseline: SeasonalBaseline;
  private readonly counts: Ring;
  private readonly means: Ring;

  constructor(
    readonly maxWindow = 24,
    period = 24,
    /** `nb`: negative-binomial ratio (variance mu + mu^2 / r); `quasi-poisson`: Poisson ratio / phi (variance phi mu). */
    readonly family: 'nb' | 'quasi-poisson' = 'quasi-poisson',
  ) {
    requireNumber('maxWindow', maxWindow, 1, 10_000, true);
    requireOneOf('family', family, ['nb', 'quasi-poisson']);
    this.name = family === 'nb' ? 'surge scan NB' : 'surge scan';
    this.baseline = new SeasonalBaseline(period);
    this.counts = new Ring(maxWindow);
    this.means = new Ring(maxWindow);
  }

  update(count: number): CountSurgeStep {
    requireCount(count);
    const expected = this.baseline.expected();
    let statistic = 0;
    if (Number.isFinite(expected)) {
      this.counts.push(count);
      this.means.push(expected);
      const r = this.baseline.dispersion;
      let x = 0;
      let m = 0;
      let best = 0;
      for (let w = 1; w <= this.counts.length; w++) {
        x += this.counts.lag(w);
        m += this.means.lag(w);
        if (x <= m) continue;
        // NB over the window: size r w (sum of w NB(r) of similar means).
        const k = x / m;
        const llr =
          this.family === 'nb'
            ? nbLogRatio(x, m, k, Number.isFinite(r) ? r * w : r)
            : nbLogRatio(x, m, k, Number.POSITIVE_INFINITY) / this.baseline.quasiDispersion;
        if (llr > best) best = llr;
      }
      statistic = best;
    }
    this.baseline.push(count, expected);
    return { statistic, expected };
  }
}
