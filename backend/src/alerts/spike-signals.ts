import {
  SurgeScanDetector,
  logNormalTail,
  scanThreshold,
  type SurgeScanStep,
} from '@district-monitor/models';
import type { AlertEvidence, AlertRule } from '@district-monitor/streams';
import type { Observation } from './engine/lifecycle.js';
import type { MinuteCounts } from './engine/minute-counts.js';

type SpikeCondition = Extract<AlertRule['condition'], { kind: 'spike' }>;

/** The detector of one (spike rule, district), the step in progress and the last completed one. */
interface Tracked {
  readonly settings: string;
  readonly detector: SurgeScanDetector;
  readonly builtAt: number;
  /** A report landed in a step already pushed (a backlog being consumed): rebuild from the counts. */
  stale: boolean;
  /** Start of the step in progress. */
  next: number;
  /** The scan at the end of the last completed step (null until the detector had an expectation for it). */
  last: SurgeScanStep | null;
}

const MINUTE = 60_000;
const DAY_MINUTES = 1440;
/** A stale detector is rebuilt at most this often (a consumer catching up marks it stale at every batch). */
const REBUILD_MS = 30_000;
/** The longest window the scan looks at, in steps (a day of hourly steps). */
export const SPIKE_MAX_WINDOW = 24;
/** A count enters the detector's history at most this many sd above its expectation (a surge is not learned). */
const CLIP_SD = 3;

/** The scan's settings for a spike rule: the seasonal baseline from what `historySteps` holds. */
export function scanOptions(c: SpikeCondition) {
  const period = Math.max(1, Math.round(DAY_MINUTES / c.stepMinutes));
  return {
    maxWindow: Math.min(SPIKE_MAX_WINDOW, c.historySteps),
    period,
    // Whole weeks of the history (at most 4) for the hour-of-week expectation; fewer than one: the
    // same hour of the days there are, or a level over the last steps.
    weeks: Math.max(1, Math.min(4, Math.floor(c.historySteps / (7 * period)))),
    capacity: c.historySteps,
    minSteps: Math.min(48, c.historySteps),
    clip: CLIP_SD,
    family: 'quasi-poisson' as const,
  };
}

/** The log-ratio levels of a spike rule: fire on the best window, clear on the last step alone. */
export function spikeLevels(c: SpikeCondition): { fire: number; clear: number } {
  // The rule schema allows coverage up to (not including) 1; the normal quantile is exact enough to 1e-12.
  const alpha = (coverage: number) => Math.max(1 - coverage, 1e-12);
  return {
    fire: scanThreshold(alpha(c.coverage), Math.min(SPIKE_MAX_WINDOW, c.historySteps)),
    clear: scanThreshold(alpha(c.clearCoverage), 1),
  };
}

/**
 * The spike rule's signal: per district, a {@link SurgeScanDetector} over the minute counts summed into
 * steps of `stepMinutes` (the count detector that wins the surveillance benchmark, docs/surge-detection.md).
 * Each step is judged against an expectation from the district's previous `historySteps` steps (hour of
 * week, hour of day or level, whichever the history holds); the scan's statistic is the largest
 * quasi-Poisson log ratio of a raised mean over the last 1 to 24 steps. The rule fires when the scan,
 * with the step in progress or at the last completed step, reaches the level that `coverage` sets
 * ({@link spikeLevels}: a false alarm in 1 - coverage of quiet steps, shared among the windows) with at least
 * `minCount` reports in the window; it clears when the step in progress and the last completed step are
 * each back under the level of `clearCoverage`. Detectors start from the stored history, so a restart
 * does not blind the rule.
 */
export class SpikeSignals {
  private readonly tracked = new Map<string, Tracked>();

  constructor(private readonly minutes: MinuteCounts) {}

  /** A report counted at `at`: the district's detectors that already pushed that step must be rebuilt. */
  reported(district: string, at: number): void {
    for (const [key, tracked] of this.tracked) {
      if (key.endsWith(`/${district}`) && at < tracked.next) tracked.stale = true;
    }
  }

  /** Drops the detectors of rules that changed or went away (they restart from the history). */
  rulesChanged(rules: readonly AlertRule[]): void {
    const settings = new Map(rules.map((rule) => [rule.id, settingsOf(rule)]));
    for (const [key, tracked] of this.tracked) {
      const ruleId = key.slice(0, key.lastIndexOf('/'));
      if (settings.get(ruleId) !== tracked.settings) this.tracked.delete(key);
    }
  }

  observe(rule: AlertRule, district: string, now: number): Observation | null {
    const c = rule.condition;
    if (c.kind !== 'spike') return null;
    const stepMs = c.stepMinutes * MINUTE;
    const key = `${rule.id}/${district}`;
    let tracked = this.tracked.get(key);
    if (tracked === undefined || (tracked.stale && now - tracked.builtAt >= REBUILD_MS)) {
      tracked = this.start(rule, c, district, now);
      this.tracked.set(key, tracked);
    }
    // Complete the steps that ended since the last look.
    while (tracked.next + stepMs <= now) {
      const step = tracked.detector.update(
        this.minutes.sum(district, rule.category, tracked.next, tracked.next + stepMs),
      );
      tracked.last = Number.isFinite(step.expected) ? step : null;
      tracked.next += stepMs;
    }
    const partial = this.minutes.sum(district, rule.category, tracked.next, now + MINUTE);
    const current = tracked.detector.peek(partial);
    if (!Number.isFinite(current.expected)) return null;
    const levels = spikeLevels(c);
    const last = tracked.last;
    const fires = (s: SurgeScanStep) => s.statistic >= levels.fire && s.observed >= c.minCount;
    // The stronger of the two scans says why: the windows ending in the step in progress, or at the last step.
    const lastStronger = last !== null && last.statistic > current.statistic;
    const best = lastStronger ? last : current;
    const end = lastStronger ? tracked.next : tracked.next + stepMs;
    const evidence: AlertEvidence = {
      observed: best.observed,
      expected: round(best.window === 0 ? current.expected : best.expectedSum, 2),
      score: round(best.statistic, 2),
      threshold: round(levels.fire, 2),
      since: new Date(end - Math.max(1, best.window) * stepMs).toISOString(),
    };
    const what = rule.category ?? 'incidents';
    const windowText =
      best.window === 0
        ? `${partial} ${what} in the current ${c.stepMinutes}-min step against ${current.expected.toFixed(1)} expected`
        : `${best.observed} ${what} in the last ${best.window * c.stepMinutes} min against ` +
          `${best.expectedSum.toFixed(1)} expected (x${(best.observed / best.expectedSum).toFixed(1)})`;
    return {
      active: fires(current) || (last !== null && fires(last)),
      cleared: current.last < levels.clear && (last === null || last.last < levels.clear),
      value: partial,
      evidence,
      summary:
        `${windowText}; score ${best.statistic.toFixed(1)} (fires at ${levels.fire.toFixed(1)}), ` +
        surpriseText(scoreSurprise(best.statistic)),
    };
  }

  /**
   * A detector over the district's counted history: the completed steps since the first minute with any
   * report (before it there was no feed, not a quiet district), at most `historySteps`.
   */
  private start(rule: AlertRule, c: SpikeCondition, district: string, now: number): Tracked {
    const stepMs = c.stepMinutes * MINUTE;
    const current = Math.floor(now / stepMs) * stepMs;
    const span = Math.min(c.historySteps, Math.floor(this.minutes.spanMinutes / c.stepMinutes) - 1);
    const firstData = this.minutes.firstMinute ?? current;
    const first = Math.max(current - span * stepMs, Math.ceil(firstData / stepMs) * stepMs);
    const detector = new SurgeScanDetector(scanOptions(c));
    let last: SurgeScanStep | null = null;
    for (let step = first; step < current; step += stepMs) {
      const scored = detector.update(this.minutes.sum(district, rule.category, step, step + stepMs));
      last = Number.isFinite(scored.expected) ? scored : null;
    }
    return { settings: settingsOf(rule), detector, builtAt: now, stale: false, next: current, last };
  }
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/** A scan score as -log10 of one window's one-sided tail probability (twice the log ratio ~ chi-square(1)). */
export function scoreSurprise(score: number): number {
  if (score <= 0) return 0;
  return -logNormalTail(Math.sqrt(2 * score)) / Math.LN10;
}

/** A model surprise (-log10 of the tail probability) as words: "tail probability 1 in 2,500". */
export function surpriseText(surprise: number): string {
  if (!Number.isFinite(surprise)) return 'outside anything the forecast allows';
  const odds = 10 ** Math.max(0, surprise);
  if (odds < 1.5) return 'not unusual (tail probability above 0.67)';
  const rounded = odds < 100 ? odds.toFixed(0) : Number(odds.toPrecision(2)).toLocaleString('en-US');
  return `tail probability 1 in ${rounded}`;
}

function settingsOf(rule: AlertRule): string {
  return JSON.stringify([rule.enabled, rule.category, rule.condition]);
}
