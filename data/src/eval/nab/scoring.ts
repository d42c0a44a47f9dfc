/**
 * NAB's scoring (Numenta Anomaly Benchmark v1.1, `nab/sweeper.py`, `nab/optimizer.py` and `Runner.normalize` of
 * `nab/runner.py`), reimplemented:
 *
 * - Each labelled window rewards its earliest detection only, by the scaled sigmoid of its position in the
 *   window, relative to a detection at the window's first record: A_tp * S(pos) / S(-1), where
 *   pos = -(right - i + 1) / width and S(x) = 2 sigmoid(-5x) - 1 (so a detection at the first record scores
 *   exactly A_tp). A window without detection costs A_fn.
 * - Each detection outside windows costs A_fp * S(|i - right| / (width - 1)) of the last window before it
 *   (S = -1 from 3 window-lengths on), or A_fp in full before the first window.
 * - Records of the probationary period, the first min(floor(0.15 n), 0.15 * 5000) of each file, are not scored.
 * - One threshold per detector and profile, the one giving the best corpus score among all the anomaly scores
 *   the detector output (detection = score >= threshold).
 * - Normalised score = 100 (raw - null) / (perfect - null), with `null` the null detector's raw score under the
 *   same optimisation and `perfect` = A_tp x the number of windows.
 *
 * Records are positions, not times: NAB scores by record index, and a window is entered at the record whose
 * timestamp equals the window's start and left at the first record whose timestamp equals its end.
 */

/** Weights of one NAB application profile (`config/profiles.json`; the tn weight is never used by NAB). */
export interface CostMatrix {
  readonly tpWeight: number;
  readonly fpWeight: number;
  readonly fnWeight: number;
}

export type NabProfileName = 'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate';

/** NAB's three profiles, as in its `config/profiles.json`. */
export const NAB_PROFILES: Readonly<Record<NabProfileName, CostMatrix>> = Object.freeze({
  standard: { tpWeight: 1.0, fpWeight: 0.11, fnWeight: 1.0 },
  reward_low_FP_rate: { tpWeight: 1.0, fpWeight: 0.22, fnWeight: 1.0 },
  reward_low_FN_rate: { tpWeight: 1.0, fpWeight: 0.11, fnWeight: 2.0 },
});

export const NAB_PROFILE_NAMES = Object.keys(NAB_PROFILES) as NabProfileName[];

/** NAB's share of each file that is probationary. */
export const PROBATION_PERCENT = 0.15;

/** NAB's scaled sigmoid: 2 sigmoid(-5x) - 1 for x < 3, -1 from 3 on. */
export function scaledSigmoid(position: number): number {
  if (position >= 3) return -1;
  return 2 / (1 + Math.exp(5 * position)) - 1;
}

/** Records in a file's probationary period: min(floor(p n), p * 5000). */
export function probationaryLength(records: number, percent = PROBATION_PERCENT): number {
  return Math.min(Math.floor(percent * records), percent * 5000);
}

/** A labelled window as epoch-ms limits, both records included. */
export interface LabelWindow {
  readonly start: number;
  readonly end: number;
}

/** One scorable record (after the probationary period) with what a detection there would be worth. */
export interface ScoredRecord {
  readonly anomalyScore: number;
  /** Index of the window the record lies in, unique over the corpus (see {@link sweepFile}); -1 outside. */
  readonly window: number;
  /** A detection's worth under the profile: the weighted sigmoid (positive in a window, negative outside). */
  readonly worth: number;
}

/** A file's records for the threshold sweep, and the windows that can be scored (some record after probation). */
export interface SweptFile {
  readonly records: readonly ScoredRecord[];
  /** Global ids of the windows with at least one scorable record. */
  readonly windows: readonly number[];
}

/**
 * `Sweeper.calcSweepScore`: each record's worth as a detection, probationary records dropped.
 * @param firstWindowId id given to this file's first window (ids must be unique over a corpus).
 * @throws Error when a window's start or end is not the timestamp of a record, or windows overlap.
 */
export function sweepFile(
  timestamps: readonly number[],
  anomalyScores: readonly number[],
  windows: readonly LabelWindow[],
  cost: CostMatrix,
  firstWindowId = 0,
  probationPercent = PROBATION_PERCENT,
): SweptFile {
  if (timestamps.length !== anomalyScores.length) {
    throw new Error(`${timestamps.length} timestamps but ${anomalyScores.length} anomaly scores`);
  }
  const firstIndex = (t: number, what: string): number => {
    const i = timestamps.indexOf(t);
    if (i < 0) throw new Error(`window ${what} ${new Date(t).toISOString()} is not the time of a record`);
    return i;
  };
  const limits = windows.map((w) => ({
    left: firstIndex(w.start, 'start'),
    right: firstIndex(w.end, 'end'),
  }));
  for (let k = 0; k < limits.length; k++) {
    const { left, right } = limits[k] as { left: number; right: number };
    if (right < left) throw new Error(`window ${k} ends before it starts`);
    if (k > 0 && left <= (limits[k - 1] as { right: number }).right) {
      throw new Error(`windows ${k - 1} and ${k} overlap or are out of order`);
    }
  }
  const maxTp = scaledSigmoid(-1);
  const probation = probationaryLength(timestamps.length, probationPercent);
  const records: ScoredRecord[] = [];
  const scorable = new Set<number>();
  let next = 0;
  let current = -1;
  let previous = -1;
  for (let i = 0; i < timestamps.length; i++) {
    const window = limits[next];
    if (current < 0 && window !== undefined && i === window.left) current = next++;
    let worth: number;
    if (current >= 0) {
      const { left, right } = limits[current] as { left: number; right: number };
      const width = right - left + 1;
      worth = (scaledSigmoid(-(right - i + 1) / width) * cost.tpWeight) / maxTp;
    } else if (previous < 0) {
      worth = scaledSigmoid(3) * cost.fpWeight;
    } else {
      const { left, right } = limits[previous] as { left: number; right: number };
      const width = right - left + 1;
      // NAB divides by width - 1, which fails for a one-record window; its earlier scorer used 2 then.
      const position = width > 1 ? Math.abs(right - i) / (width - 1) : 2;
      worth = scaledSigmoid(position) * cost.fpWeight;
    }
    if (i >= probation) {
      const id = current >= 0 ? firstWindowId + current : -1;
      if (id >= 0) scorable.add(id);
      records.push({ anomalyScore: anomalyScores[i] as number, window: id, worth });
    }
    if (current >= 0 && i === (limits[current] as { right: number }).right) {
      previous = current;
      current = -1;
    }
  }
  return { records, windows: [...scorable] };
}

/** The score and counts at one threshold (NAB's `ThresholdScore`; counts are of records, as NAB's). */
export interface ThresholdScore {
  /** Detection when anomaly score >= threshold; 1.1 detects nothing. */
  readonly threshold: number;
  readonly score: number;
  /** Records detected inside windows. */
  readonly tp: number;
  readonly tn: number;
  /** Records detected outside windows. */
  readonly fp: number;
  readonly fn: number;
  /** Windows with a detection, and without. */
  readonly detectedWindows: number;
  readonly missedWindows: number;
}

/**
 * `Sweeper.calcScoreByThreshold`: the score at every threshold, from 1.1 (nothing detected, every window a
 * false negative) down through each distinct anomaly score, highest first.
 */
export function scoresByThreshold(files: readonly SweptFile[], cost: CostMatrix): ThresholdScore[] {
  const records = files.flatMap((f) => f.records);
  const windows = new Set(files.flatMap((f) => f.windows));
  // Sorted by score, highest first; a stable sort keeps file order among equal scores, as Python's sorted().
  const order = records
    .map((_, i) => i)
    .sort((a, b) => (records[b] as ScoredRecord).anomalyScore - (records[a] as ScoredRecord).anomalyScore);
  const best = new Map<number, number>();
  let fpSum = 0;
  let tn = 0;
  let fn = 0;
  for (const r of records) {
    if (r.window < 0) tn++;
    else fn++;
  }
  let tp = 0;
  let fp = 0;
  const result: ThresholdScore[] = [];
  let detectedSum = 0;
  const snapshot = (threshold: number): ThresholdScore => ({
    threshold,
    score: fpSum + detectedSum - cost.fnWeight * (windows.size - best.size),
    tp,
    tn,
    fp,
    fn,
    detectedWindows: best.size,
    missedWindows: windows.size - best.size,
  });
  let threshold = 1.1;
  for (const i of order) {
    const r = records[i] as ScoredRecord;
    if (r.anomalyScore !== threshold) {
      result.push(snapshot(threshold));
      threshold = r.anomalyScore;
    }
    if (r.window < 0) {
      fp++;
      tn--;
      fpSum += r.worth;
    } else {
      tp++;
      fn--;
      const had = best.get(r.window);
      if (had === undefined || r.worth > had) {
        detectedSum += r.worth - (had ?? 0);
        best.set(r.window, r.worth);
      }
    }
  }
  result.push(snapshot(threshold));
  return result;
}

/**
 * The best threshold: the highest score over {@link scoresByThreshold}, the highest threshold among ties
 * (NAB sorts the rows by score with a stable sort and takes the first).
 */
export function bestThreshold(scores: readonly ThresholdScore[]): ThresholdScore {
  let best = scores[0];
  if (best === undefined) throw new Error('no threshold to choose from');
  for (const s of scores) if (s.score > best.score) best = s;
  return best;
}

/**
 * `Sweeper.scoreDataSet` for one file at a given threshold: detections are the records scoring >= threshold.
 * (NAB finds no row, and fails, when the threshold is below all of a file's scores; here every record is then
 * a detection, which is what the threshold means.)
 */
export function scoreAtThreshold(file: SweptFile, cost: CostMatrix, threshold: number): ThresholdScore {
  const best = new Map<number, number>();
  let score = 0;
  let tp = 0;
  let tn = 0;
  let fp = 0;
  let fn = 0;
  for (const r of file.records) {
    const detected = r.anomalyScore >= threshold;
    if (r.window < 0) {
      if (detected) {
        fp++;
        score += r.worth;
      } else tn++;
    } else if (detected) {
      tp++;
      best.set(r.window, Math.max(best.get(r.window) ?? Number.NEGATIVE_INFINITY, r.worth));
    } else fn++;
  }
  for (const v of best.values()) score += v;
  const missed = file.windows.length - best.size;
  score -= cost.fnWeight * missed;
  return { threshold, score, tp, tn, fp, fn, detectedWindows: best.size, missedWindows: missed };
}

/** NAB's normalised score: 100 (raw - null) / (perfect - null). */
export function normalisedScore(raw: number, nullRaw: number, perfect: number): number {
  return (100 * (raw - nullRaw)) / (perfect - nullRaw);
}
