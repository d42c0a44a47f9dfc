import {
  SPIKE_DEFAULTS,
  SpikeDetector,
  type AugursRuntime,
  type SpikeDetectorJSON,
  type StepDistribution,
} from '@district-monitor/models';
import type { AlertRule } from '@district-monitor/streams';
import type { Observation } from './engine/lifecycle.js';
import type { MinuteCounts } from './engine/minute-counts.js';

type SpikeCondition = Extract<AlertRule['condition'], { kind: 'spike' }>;

/** The detector of one (spike rule, district), the step in progress and the last completed one. */
interface Tracked {
  readonly settings: string;
  readonly detector: SpikeDetector;
  readonly builtAt: number;
  /** A report landed in a step already pushed (a backlog being consumed): rebuild from the counts. */
  stale: boolean;
  /** Start of the step in progress. */
  next: number;
  /** The last completed step against its forecast (null until a forecast existed for it). */
  last: { readonly value: number; readonly upper: number; readonly clearUpper: number } | null;
}

const MINUTE = 60_000;
/** A stale detector is rebuilt at most this often (a consumer catching up marks it stale at every batch). */
const REBUILD_MS = 30_000;
/** A rebuilt detector pushes (and so clips) this many most recent steps. */
const RECENT_STEPS = 12;

/**
 * The spike rule's signal: per district, a {@link SpikeDetector} (Prophet refitted on the district's
 * previous `historySteps` steps) over the minute counts. It fires when the count of the step in progress
 * already exceeds the step's upper bound at `coverage`, or the last completed step did; it clears when both
 * are back under the bound at `clearCoverage`. Detectors start from the stored history, so a restart does
 * not blind the rule.
 */
export class SpikeSignals {
  private runtime: AugursRuntime | undefined;
  private readonly tracked = new Map<string, Tracked>();

  constructor(private readonly minutes: MinuteCounts) {}

  /** Prophet needs the augurs runtime; until it is set, the rule is not evaluated. */
  useRuntime(runtime: AugursRuntime): void {
    this.runtime = runtime;
  }

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
    if (c.kind !== 'spike' || this.runtime === undefined) return null;
    const stepMs = c.stepMinutes * MINUTE;
    const key = `${rule.id}/${district}`;
    let tracked = this.tracked.get(key);
    if (tracked === undefined || (tracked.stale && now - tracked.builtAt >= REBUILD_MS)) {
      tracked = this.start(rule, c, district, now);
      this.tracked.set(key, tracked);
    }
    // Complete the steps that ended since the last look.
    while (tracked.next + stepMs <= now) {
      const value = this.minutes.sum(district, rule.category, tracked.next, tracked.next + stepMs);
      const forecast = tracked.detector.forecast(tracked.next);
      tracked.last =
        forecast === null
          ? null
          : { value, upper: forecast.quantile(c.coverage), clearUpper: forecast.quantile(c.clearCoverage) };
      tracked.detector.push(tracked.next, value);
      tracked.next += stepMs;
    }
    const forecast: StepDistribution | null = tracked.detector.forecast(tracked.next);
    if (forecast === null) return null;
    const partial = this.minutes.sum(district, rule.category, tracked.next, now + MINUTE);
    const upper = forecast.quantile(c.coverage);
    const clearUpper = forecast.quantile(c.clearCoverage);
    const last = tracked.last;
    const nowAbove = partial > upper && partial >= c.minCount;
    const lastAbove = last !== null && last.value > last.upper && last.value >= c.minCount;
    const what = rule.category ?? 'incidents';
    const pctOf = (p: number) => `${(p * 100).toFixed(1)}%`;
    return {
      active: nowAbove || lastAbove,
      cleared: partial <= clearUpper && (last === null || last.value <= last.clearUpper),
      value: partial,
      summary:
        `${partial} ${what} in the current ${c.stepMinutes}-min step against a forecast of ` +
        `${forecast.point.toFixed(1)} (upper ${upper.toFixed(1)} at ${pctOf(c.coverage)})` +
        (last === null ? '' : `; last step ${last.value} (upper ${last.upper.toFixed(1)})`) +
        `; score: ${surpriseText(tracked.detector.modelSurprise(partial, forecast))}`,
    };
  }

  /**
   * A detector over the district's counted history: the completed steps since the first minute with any
   * report (before it there was no feed, not a quiet district), at most `historySteps`, loaded without
   * clipping and fitted once at the first forecast.
   */
  private start(rule: AlertRule, c: SpikeCondition, district: string, now: number): Tracked {
    if (this.runtime === undefined) throw new Error('the augurs runtime is not ready');
    const stepMs = c.stepMinutes * MINUTE;
    const current = Math.floor(now / stepMs) * stepMs;
    const span = Math.min(c.historySteps, Math.floor(this.minutes.spanMinutes / c.stepMinutes) - 1);
    const firstData = this.minutes.firstMinute ?? current;
    const first = Math.max(current - span * stepMs, Math.ceil(firstData / stepMs) * stepMs);
    // The older steps load as they are (one fit); the last ones are pushed, so a spike in progress enters
    // the history clipped, as it did in the detector this one replaces.
    const pushed = Math.min(
      RECENT_STEPS,
      Math.max(0, (current - first) / stepMs - Math.min(48, c.historySteps)),
    );
    const at: number[] = [];
    const value: number[] = [];
    for (let step = first; step < current - pushed * stepMs; step += stepMs) {
      at.push(step);
      value.push(this.minutes.sum(district, rule.category, step, step + stepMs));
    }
    const options = {
      stepMs,
      historySteps: c.historySteps,
      minHistorySteps: Math.min(48, c.historySteps),
      refitEvery: Math.max(1, Math.min(12, Math.floor(c.historySteps / 4))),
    };
    // Pushed without clipping (no fit per push), then reloaded with the clipping the live pushes use.
    const bulk = new SpikeDetector(this.runtime, { ...options, clipQuantile: 1 });
    for (let i = 0; i < at.length; i++) bulk.push(at[i] ?? 0, value[i] ?? 0);
    const saved = bulk.toJSON();
    const json: SpikeDetectorJSON = {
      ...saved,
      options: { ...saved.options, clipQuantile: SPIKE_DEFAULTS.clipQuantile },
    };
    const detector = SpikeDetector.load(this.runtime, json);
    for (let step = current - pushed * stepMs; step < current; step += stepMs) {
      detector.push(step, this.minutes.sum(district, rule.category, step, step + stepMs));
    }
    return {
      settings: settingsOf(rule),
      detector,
      builtAt: now,
      stale: false,
      next: current,
      last: null,
    };
  }
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
