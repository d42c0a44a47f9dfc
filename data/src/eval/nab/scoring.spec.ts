import { describe, expect, it } from 'vitest';
import {
  bestThreshold,
  NAB_PROFILES,
  normalisedScore,
  probationaryLength,
  scaledSigmoid,
  scoreAtThreshold,
  scoresByThreshold,
  sweepFile,
} from './scoring.js';

const STEP = 300_000;
const T0 = Date.UTC(2014, 3, 1);
const times = (n: number) => Array.from({ length: n }, (_, i) => T0 + i * STEP);
/** Records 10 to 14 (width 5). */
const WINDOW = { start: T0 + 10 * STEP, end: T0 + 14 * STEP };
const STANDARD = NAB_PROFILES.standard;

/** Scores 1 at the given records, 0 elsewhere. */
function detections(n: number, at: readonly number[]): number[] {
  return Array.from({ length: n }, (_, i) => (at.includes(i) ? 1 : 0));
}

/** The file's score and counts at threshold 0.5, without a probationary period. */
function score(n: number, at: readonly number[], probation = 0) {
  const file = sweepFile(times(n), detections(n, at), [WINDOW], STANDARD, 0, probation);
  return scoreAtThreshold(file, STANDARD, 0.5);
}

describe('NAB scoring', () => {
  it('uses the scaled sigmoid of NAB', () => {
    // 2 sigmoid(5) - 1, 2 sigmoid(0) - 1, 2 sigmoid(-2.5) - 1, and -1 from 3 window-lengths on.
    expect(scaledSigmoid(-1)).toBeCloseTo(0.986614, 6);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(0.5)).toBeCloseTo(-0.848284, 6);
    expect(scaledSigmoid(3)).toBe(-1);
  });

  it('gives a detection at the window start the full A_tp = 1', () => {
    const result = score(20, [10]);
    expect(result.score).toBeCloseTo(1, 12);
    expect([result.detectedWindows, result.fp, result.missedWindows]).toEqual([1, 0, 0]);
  });

  it('gives a detection at the window end S(-1/5) / S(-1)', () => {
    // (2 sigmoid(1) - 1) / (2 sigmoid(5) - 1) = 0.462117 / 0.986614.
    expect(score(20, [14]).score).toBeCloseTo(0.468387, 6);
  });

  it('counts only the earliest detection in a window', () => {
    expect(score(20, [12, 10, 14]).score).toBeCloseTo(1, 12);
    const later = score(20, [12, 14]);
    expect(later.score).toBeCloseTo(scaledSigmoid(-3 / 5) / scaledSigmoid(-1), 12);
    expect(later.tp).toBe(2);
    expect(later.detectedWindows).toBe(1);
  });

  it('charges A_fn = 1 for a missed window', () => {
    const result = score(20, []);
    expect(result.score).toBe(-1);
    expect(result.missedWindows).toBe(1);
  });

  it('charges a false positive after a window by its distance: A_fp S(|i - end| / (width - 1))', () => {
    // Two records after the end: position 2 / 4, S(0.5) = -0.848284, times 0.11; plus the missed window.
    const result = score(20, [16]);
    expect(result.score).toBeCloseTo(-1 - 0.11 * 0.848284, 6);
    expect(result.fp).toBe(1);
    // Three window-lengths on (record 26): the full -A_fp.
    expect(score(40, [10, 26]).score).toBeCloseTo(1 - 0.11, 12);
  });

  it('charges a false positive before any window the full A_fp', () => {
    expect(score(20, [3, 10]).score).toBeCloseTo(1 - 0.11, 12);
  });

  it('ignores the probationary period: the first 15% of records, at most 750', () => {
    expect(probationaryLength(20)).toBe(3);
    expect(probationaryLength(4032)).toBe(604);
    expect(probationaryLength(22695)).toBe(750);
    // Records 0-2 are probationary: a detection there costs nothing; at record 3 it is a false positive.
    expect(score(20, [2, 10], 0.15).score).toBeCloseTo(1, 12);
    expect(score(20, [3, 10], 0.15).score).toBeCloseTo(1 - 0.11, 12);
    // A window wholly inside the probationary period is not scored at all.
    const early = { start: T0, end: T0 + 2 * STEP };
    const file = sweepFile(times(20), detections(20, []), [early], STANDARD, 0, 0.15);
    expect(file.windows).toEqual([]);
    expect(scoreAtThreshold(file, STANDARD, 0.5).score).toBe(0);
  });

  it('picks the threshold with the best corpus score and scores every file at it', () => {
    // File a: its window start scores 0.9, a record before it 0.95. File b: no window, one record 0.92.
    const a = Array.from({ length: 20 }, (_, i) => (i === 10 ? 0.9 : i === 3 ? 0.95 : 0));
    const b = Array.from({ length: 20 }, (_, i) => (i === 5 ? 0.92 : 0));
    const files = [
      sweepFile(times(20), a, [WINDOW], STANDARD, 0, 0),
      sweepFile(times(20), b, [], STANDARD, 1, 0),
    ];
    const sweep = scoresByThreshold(files, STANDARD);
    expect(sweep.map((s) => s.threshold)).toEqual([1.1, 0.95, 0.92, 0.9, 0]);
    // 1.1: the window missed (-1); 0.95: and a false positive; 0.92: two; 0.9: the window found at its start;
    // 0: besides, 9 + 19 records before any window and records 15-19 after it, at distances 1/4 to 5/4.
    let after = 0;
    for (let i = 15; i < 20; i++) after += scaledSigmoid((i - 14) / 4);
    const all = 0.78 - 0.11 * 28 + 0.11 * after;
    expect(sweep.map((s) => s.score)).toEqual(
      [-1, -1.11, -1.22, 0.78, all].map((v): unknown => expect.closeTo(v, 9)),
    );
    const best = bestThreshold(sweep);
    expect(best.threshold).toBe(0.9);
    expect(
      files.map((f) => scoreAtThreshold(f, STANDARD, best.threshold).score).reduce((x, y) => x + y),
    ).toBeCloseTo(best.score, 12);
    // Normalised between the null detector (-1 here) and the perfect one (1 window x A_tp).
    expect(normalisedScore(best.score, -1, 1)).toBeCloseTo(89, 9);
  });

  it('scores the null detector at its best threshold, 1.1: every window missed', () => {
    // 200 records, a window at 100-104: detecting everything (threshold 0) would cost 0.11 for each of some
    // 170 false positives.
    const window = { start: T0 + 100 * STEP, end: T0 + 104 * STEP };
    const files = [sweepFile(times(200), detections(200, []), [window], STANDARD)];
    const best = bestThreshold(scoresByThreshold(files, STANDARD));
    expect(best.threshold).toBe(1.1);
    expect(best.score).toBe(-1);
    expect(normalisedScore(best.score, best.score, 1)).toBe(0);
  });

  it('refuses a window whose limits are not record times', () => {
    const bad = { start: WINDOW.start + 1000, end: WINDOW.end };
    expect(() => sweepFile(times(20), detections(20, []), [bad], STANDARD)).toThrow(
      /not the time of a record/,
    );
  });
});
