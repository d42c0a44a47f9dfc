import type { NabCorpus } from './corpus.js';
import type { DetectorRun, NabDetector } from './detectors.js';
import {
  bestThreshold,
  NAB_PROFILE_NAMES,
  NAB_PROFILES,
  normalisedScore,
  PROBATION_PERCENT,
  scoreAtThreshold,
  scoresByThreshold,
  sweepFile,
  type CostMatrix,
  type NabProfileName,
  type SweptFile,
} from './scoring.js';

/** Counts at a profile's threshold: windows detected and missed, and detections outside windows (records). */
export interface NabCounts {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
}

/** One file's result under the standard profile's threshold. */
export interface NabFileResult extends NabCounts {
  readonly path: string;
  readonly windows: number;
  /** Raw (unnormalised) score of the file. */
  readonly score: number;
}

export interface NabProfileResult extends NabCounts {
  /** Normalised score, 0 = null detector, 100 = perfect. */
  readonly score: number;
  /** Raw corpus score at the threshold. */
  readonly raw: number;
  readonly threshold: number;
}

export interface NabDetectorResult {
  readonly detector: string;
  readonly how: string;
  readonly profiles: Readonly<Record<NabProfileName, NabProfileResult>>;
  /** Standard profile, file by file. */
  readonly files: readonly NabFileResult[];
  /** Wall time of the detection over the corpus (scoring excluded), ms. */
  readonly runMs: number;
  /** Forecaster fits and their mean wall time, for detectors that fit one. */
  readonly fits: number | null;
  readonly meanFitMs: number | null;
}

export interface NabReport {
  readonly task: 'nab';
  readonly title: string;
  readonly corpus: string;
  readonly files: number;
  readonly records: number;
  /** Labelled windows of the scored files. */
  readonly windows: number;
  readonly probationPercent: number;
  readonly costMatrices: Readonly<Record<NabProfileName, CostMatrix>>;
  /** Raw scores that normalise to 0 (the null detector's) and to 100 (every window detected at its start). */
  readonly nullRaw: Readonly<Record<NabProfileName, number>>;
  readonly perfectRaw: Readonly<Record<NabProfileName, number>>;
  readonly detectors: readonly NabDetectorResult[];
  readonly notes: readonly string[];
}

export interface NabEvalOptions {
  /** Progress lines (stderr in the CLI). */
  readonly progress?: (line: string) => void;
}

/**
 * Runs each detector over every file of the corpus, then scores it as NAB does: per profile, the threshold
 * that maximises the corpus score, the files scored at it, the sum normalised between the null detector (0)
 * and the perfect one (100). The null detector is always run (it is the baseline) and listed last.
 */
export function evaluateNab(
  corpus: NabCorpus,
  detectors: readonly NabDetector[],
  nullDetector: NabDetector,
  options: NabEvalOptions = {},
): NabReport {
  const progress = options.progress ?? (() => undefined);
  const series = corpus.series;
  const windowOffsets: number[] = [];
  let windows = 0;
  for (const s of series) {
    windowOffsets.push(windows);
    windows += s.windows.length;
  }
  const records = series.reduce((n, s) => n + s.values.length, 0);
  const notes: string[] = [];

  const runDetector = (detector: NabDetector): { runs: DetectorRun[]; runMs: number } => {
    const runs: DetectorRun[] = [];
    let runMs = 0;
    series.forEach((s, k) => {
      const started = performance.now();
      const run = detector.run(s);
      const ms = performance.now() - started;
      runMs += ms;
      if (run.scores.length !== s.values.length) {
        throw new Error(
          `${detector.name} gave ${run.scores.length} scores for ${s.values.length} records of ${s.path}`,
        );
      }
      for (const score of run.scores) {
        if (!(score >= 0 && score <= 1))
          throw new Error(`${detector.name} gave a score outside [0, 1] on ${s.path}: ${score}`);
      }
      runs.push(run);
      progress(
        `nab: ${detector.name} ${k + 1}/${series.length} ${s.path} (${s.values.length} records) ${(ms / 1000).toFixed(1)} s`,
      );
    });
    return { runs, runMs };
  };

  const score = (runs: readonly DetectorRun[], profile: NabProfileName) => {
    const cost = NAB_PROFILES[profile];
    const swept: SweptFile[] = series.map((s, k) =>
      sweepFile(s.timestamps, (runs[k] as DetectorRun).scores, s.windows, cost, windowOffsets[k]),
    );
    const best = bestThreshold(scoresByThreshold(swept, cost));
    const files = swept.map((file) => scoreAtThreshold(file, cost, best.threshold));
    return { best, files, scorableWindows: swept.reduce((n, f) => n + f.windows.length, 0) };
  };

  const nullRun = runDetector(nullDetector);
  const nullRaw = {} as Record<NabProfileName, number>;
  const perfectRaw = {} as Record<NabProfileName, number>;
  let scorableWindows = windows;
  for (const profile of NAB_PROFILE_NAMES) {
    const nullScore = score(nullRun.runs, profile);
    nullRaw[profile] = nullScore.best.score;
    perfectRaw[profile] = windows * NAB_PROFILES[profile].tpWeight;
    scorableWindows = nullScore.scorableWindows;
  }
  let adjusted = 0;

  const results: NabDetectorResult[] = [];
  for (const detector of [...detectors, nullDetector]) {
    const { runs, runMs } = detector === nullDetector ? nullRun : runDetector(detector);
    const profiles = {} as Record<NabProfileName, NabProfileResult>;
    let fileResults: NabFileResult[] = [];
    for (const profile of NAB_PROFILE_NAMES) {
      const { best, files } = score(runs, profile);
      const raw = files.reduce((sum, f) => sum + f.score, 0);
      if (Math.abs(raw - best.score) > 1e-6 * Math.max(1, Math.abs(raw))) {
        throw new Error(`${detector.name}: file scores sum to ${raw}, the sweep says ${best.score}`);
      }
      const counts = {
        tp: files.reduce((n, f) => n + f.detectedWindows, 0),
        fp: files.reduce((n, f) => n + f.fp, 0),
        fn: files.reduce((n, f) => n + f.missedWindows, 0),
      };
      profiles[profile] = {
        score: normalisedScore(raw, nullRaw[profile], perfectRaw[profile]),
        raw,
        threshold: best.threshold,
        ...counts,
      };
      if (profile === 'standard') {
        fileResults = files.map((f, k) => ({
          path: (series[k] as { path: string }).path,
          windows: (series[k] as { windows: readonly unknown[] }).windows.length,
          tp: f.detectedWindows,
          fp: f.fp,
          fn: f.missedWindows,
          score: f.score,
        }));
      }
    }
    const fits = runs.reduce((n, r) => n + (r.fits ?? 0), 0);
    const fitMs = runs.reduce((n, r) => n + (r.fitMs ?? 0), 0);
    adjusted = Math.max(
      adjusted,
      runs.reduce((n, r) => n + (r.adjusted ?? 0), 0),
    );
    results.push({
      detector: detector.name,
      how: detector.how,
      profiles,
      files: fileResults,
      runMs,
      fits: fits > 0 ? fits : null,
      meanFitMs: fits > 0 ? fitMs / fits : null,
    });
  }
  if (adjusted > 0) {
    notes.push(
      `${adjusted} records repeat or go back in time; the spike detectors get them 1 s after the record before`,
    );
  }
  if (scorableWindows < windows) {
    notes.push(
      `${windows - scorableWindows} windows lie wholly in a probationary period: no detector can find them`,
    );
  }
  if (corpus.unlabelled.length > 0)
    notes.push(`data files without labels, skipped: ${corpus.unlabelled.join(', ')}`);
  if (corpus.missing.length > 0)
    notes.push(`labelled files without data, ignored: ${corpus.missing.join(', ')}`);
  return {
    task: 'nab',
    title: 'Numenta Anomaly Benchmark: labelled anomaly windows, NAB v1.1 scoring',
    corpus: corpus.directory,
    files: series.length,
    records,
    windows,
    probationPercent: PROBATION_PERCENT,
    costMatrices: NAB_PROFILES,
    nullRaw,
    perfectRaw,
    detectors: results,
    notes,
  };
}

/** A fixed-width text table of a NAB report, for people. */
export function formatNabReport(report: NabReport): string {
  const header = ['detector', 'standard', 'low FP', 'low FN', 'TP', 'FP', 'FN', 'fits', 'fit ms', 'run s'];
  const lines = report.detectors.map((d) => [
    d.detector,
    d.profiles.standard.score.toFixed(1),
    d.profiles.reward_low_FP_rate.score.toFixed(1),
    d.profiles.reward_low_FN_rate.score.toFixed(1),
    String(d.profiles.standard.tp),
    String(d.profiles.standard.fp),
    String(d.profiles.standard.fn),
    d.fits === null ? '-' : String(d.fits),
    d.meanFitMs === null ? '-' : d.meanFitMs.toFixed(1),
    (d.runMs / 1000).toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => (line[i] ?? '').length)));
  const pad = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  return [
    `NAB ${report.title}`,
    `  corpus: ${report.corpus}`,
    `  files: ${report.files}, records: ${report.records.toLocaleString('en-US')}, windows: ${report.windows}, probationary: first ${report.probationPercent * 100}% of each file (at most 750 records)`,
    '  scores normalised to 0 (null detector) .. 100 (every window detected at its start); one threshold per detector',
    '  and profile, the best over the corpus; TP / FN: windows detected / missed, FP: records detected outside',
    "  windows, all at the standard profile's threshold",
    '',
    pad(header),
    pad(header.map((_, i) => '-'.repeat(widths[i] ?? 0))),
    ...lines.map(pad),
    '',
    'detectors',
    ...report.detectors.map((d) => `  ${d.detector}: ${d.how}`),
    ...(report.notes.length > 0 ? ['', 'notes', ...report.notes.map((note) => `  - ${note}`)] : []),
  ].join('\n');
}
