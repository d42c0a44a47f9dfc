import {
  ART_DEFAULTS,
  BOCPD_DEFAULTS,
  BocpdDetector,
  SPIKE_DEFAULTS,
  SpikeDetector,
  SURGE_DEFAULTS,
  SurgeDetector,
  type AugursRuntime,
  type SpikeTail,
} from '@district-monitor/models';
import type { NabSeries } from './corpus.js';
import { probationaryLength } from './scoring.js';

/** A detector's output on one NAB file: one anomaly score in [0, 1] per record. */
export interface DetectorRun {
  readonly scores: readonly number[];
  /** Forecaster fits and their wall time, for detectors that fit one. */
  readonly fits?: number;
  readonly fitMs?: number;
  /** Records pushed 1 s after the previous one because their timestamp did not advance. */
  readonly adjusted?: number;
}

/** A detector under evaluation. */
export interface NabDetector {
  readonly name: string;
  /** How its scores are made, in one sentence. */
  readonly how: string;
  run(series: NabSeries): DetectorRun;
}

/** The typical step of a series: the median gap between records, in whole seconds (at least 1 s). */
export function medianStepMs(timestamps: readonly number[]): number {
  const gaps: number[] = [];
  for (let i = 1; i < timestamps.length; i++) {
    const gap = (timestamps[i] as number) - (timestamps[i - 1] as number);
    if (gap > 0) gaps.push(gap);
  }
  if (gaps.length === 0) return 1000;
  gaps.sort((a, b) => a - b);
  const median = gaps[Math.floor(gaps.length / 2)] as number;
  return Math.max(1000, Math.round(median / 1000) * 1000);
}

/**
 * An unbounded anomaly measure (>= 0) as a NAB score in [0, 1): s / (1 + s), increasing and never reaching 1,
 * so that NAB's threshold sweep, which only ranks scores, sees every distinct value (a score that rounds to 1
 * ties everything beyond it). Infinity maps to 1.
 */
export function boundedScore(s: number): number {
  return s === Number.POSITIVE_INFINITY ? 1 : s / (1 + s);
}

/**
 * The spike detector, record by record as it runs live: forecast the record's step, score the value against
 * it, push it. Its default settings, with `counts: false` (NAB's values are measurements of any sign, not
 * counts) and the step set to the series' median step; the records' own timestamps are the steps. The NAB
 * score is `boundedScore(detector.surprise(...))`: the tail probability ranked against the series' own
 * record, which NAB's single threshold over all files needs (`detector.score(...)`, the predictive CDF,
 * rounds to 1 beyond 8 sd and means different things on a quiet and on an erratic series).
 */
export function spikeDetector(runtime: AugursRuntime, tail: SpikeTail): NabDetector {
  return {
    name: tail === 'upper' ? 'spike' : 'spike-two-sided',
    how:
      tail === 'upper'
        ? `SpikeDetector defaults (Prophet refit every ${SPIKE_DEFAULTS.refitEvery} records on the last ${SPIKE_DEFAULTS.historySteps}, history clipped at the ${SPIKE_DEFAULTS.clipQuantile} quantile for up to ${SPIKE_DEFAULTS.clipSteps} records) with counts: false; score from surprise(): the upper tail P(X >= value), ranked against the file's last ${SPIKE_DEFAULTS.historySteps} records`
        : 'as spike with tail: two-sided: the tail is 2 min(P(X <= value), P(X >= value)), so drops score too',
    run(series) {
      const detector = new SpikeDetector(runtime, {
        stepMs: medianStepMs(series.timestamps),
        counts: false,
        tail,
      });
      const scores: number[] = [];
      let previous = Number.NEGATIVE_INFINITY;
      let adjusted = 0;
      for (let i = 0; i < series.values.length; i++) {
        let at = series.timestamps[i] as number;
        // NAB files hold a few repeated or backward timestamps; the detector needs advancing steps.
        if (at <= previous) {
          at = previous + 1000;
          adjusted++;
        }
        const value = series.values[i] as number;
        const forecast = detector.forecast(at);
        scores.push(forecast === null ? 0 : boundedScore(detector.surprise(value, forecast)));
        detector.push(at, value);
        previous = at;
      }
      return { scores, fits: detector.stats.fits, fitMs: detector.stats.fitMs, adjusted };
    },
  };
}

/**
 * A static threshold: the mean and standard deviation of the file's probationary records; score =
 * |z| / (1 + |z|) with z = (value - mean) / sd, so that NAB's threshold t on the score is the band
 * mean +- k sd on the value, k = t / (1 - t), with k chosen by NAB's optimiser.
 */
export const thresholdDetector: NabDetector = {
  name: 'threshold',
  how: 'outside mean +- k sd of the probationary records, k set by the threshold optimisation; score = |z| / (1 + |z|)',
  run(series) {
    const n = Math.max(1, Math.floor(probationaryLength(series.values.length)));
    const head = series.values.slice(0, n);
    const mean = head.reduce((s, v) => s + v, 0) / head.length;
    const sd = Math.sqrt(head.reduce((s, v) => s + (v - mean) ** 2, 0) / head.length);
    const scores = series.values.map((v) => {
      if (sd === 0) return v === mean ? 0 : 1;
      return boundedScore(Math.abs((v - mean) / sd));
    });
    return { scores };
  },
};

/** NAB's null detector: never detects (score 0 everywhere). Its normalised score is 0 by construction. */
export const nullDetector: NabDetector = {
  name: 'null',
  how: 'score 0 for every record (the normalisation baseline)',
  run(series) {
    return { scores: series.values.map(() => 0) };
  },
};

/** The novelty gate of the NAB `surge` row (one setting for every file; see docs/surge-detection.md). */
export const NAB_SURGE_GATE = 0.5;

/**
 * The baseline of the NAB `surge` row: the gated evidence's excess over the median of its own record, or over the
 * record's maximum until the record is full (round four of docs/surge-detection.md).
 */
export const NAB_SURGE_BASELINE_QUANTILE = 0.5;

/**
 * The streaming {@link SurgeDetector} (one configuration for every file): windowed Gaussian, relative entropy
 * and context novelty as summed -log10 p-values, gated by the novelty of an `ArtDetector` whose probation
 * is NAB's probationary period of the file; the score is the gated evidence's excess over the median of its own
 * record (over its maximum until the record is full), then a rest period after each firing.
 */
export const surgeDetector: NabDetector = {
  name: 'surge',
  how: `SurgeDetector defaults (history ${SURGE_DEFAULTS.historySize} values, warm-up ${SURGE_DEFAULTS.warmup}, ${SURGE_DEFAULTS.bins} bins; windowed Gaussian on the mean of ${SURGE_DEFAULTS.meanWindow}, relative entropy over ${SURGE_DEFAULTS.entropyWindow}, novel contexts of ${SURGE_DEFAULTS.contextLength} over ${SURGE_DEFAULTS.contextWindow}; after a score >= ${SURGE_DEFAULTS.restThreshold}, ${SURGE_DEFAULTS.restSteps} steps of rest) with noveltyGate ${NAB_SURGE_GATE}: the evidence times min(1, novelty / (${NAB_SURGE_GATE} x the probation's novelty level)) of a fuzzy ART (ArtDetector defaults: windows of ${ART_DEFAULTS.window} steps, ${ART_DEFAULTS.stepsPerProbation} steps per probation, vigilance margin ${ART_DEFAULTS.vigilanceMargin}) whose probation is NAB's probationary period; score from the excess of the gated evidence over the ${NAB_SURGE_BASELINE_QUANTILE} quantile of its record (the last ${SURGE_DEFAULTS.historySize} since the ART's probation), over the record's maximum until it holds ${SURGE_DEFAULTS.historySize}`,
  run(series) {
    const probation = Math.floor(probationaryLength(series.values.length));
    const detector = new SurgeDetector({
      noveltyGate: NAB_SURGE_GATE,
      art: { probation },
      baselineQuantile: NAB_SURGE_BASELINE_QUANTILE,
      baselineWarmup: SURGE_DEFAULTS.historySize,
    });
    return { scores: series.values.map((v) => detector.update(v).score) };
  },
};

/** The rest period of the NAB `bocpd` row, as the surge row's: after a score >= 0.85, the next 300 scores are 0. */
export function restAfterFiring(scores: readonly number[], threshold = 0.85, steps = 300): number[] {
  let rest = 0;
  return scores.map((score) => {
    if (rest > 0) {
      rest--;
      return 0;
    }
    if (score >= threshold) rest = steps;
    return score;
  });
}

/**
 * Bayesian online changepoint detection alone (issue 18's candidate; it did not help as a component of the surge
 * row, see docs/surge-detection.md round four): the posterior probability of a change in the last few values,
 * with the surge row's rest period.
 */
export const bocpdDetector: NabDetector = {
  name: 'bocpd',
  how: `BocpdDetector defaults (Normal-Gamma runs, Student-t predictive, expected run length ${BOCPD_DEFAULTS.expectedRunLength}, run lengths up to ${BOCPD_DEFAULTS.maxRunLength}, prior from the first ${BOCPD_DEFAULTS.warmup} values); score = P(run length < ${BOCPD_DEFAULTS.shortRun}), 300 steps of rest after a score >= 0.85`,
  run(series) {
    const detector = new BocpdDetector();
    return { scores: restAfterFiring(series.values.map((v) => detector.update(v).changeProbability)) };
  },
};
