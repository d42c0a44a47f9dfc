import { Random } from '@district-monitor/models';
import type { AlertRule, RuleCondition } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import { MinuteCounts } from './engine/minute-counts.js';
import { SpikeSignals, scoreSurprise, spikeLevels, surpriseText } from './spike-signals.js';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 15, 8, 0, 0);
const DISTRICT = 'TN-MDU';
const OTHER = 'TN-CHN';

const condition = {
  kind: 'spike',
  stepMinutes: 1,
  historySteps: 60,
  coverage: 0.9999,
  clearCoverage: 0.95,
  minCount: 5,
} as const satisfies RuleCondition;

const rule: AlertRule = {
  id: 'spike-rule',
  region: 'TN',
  name: 'spike',
  enabled: true,
  severity: 'high',
  category: null,
  districts: null,
  condition,
  forSeconds: 0,
  keepFiringForSeconds: 0,
  escalation: [{ name: 'station', afterSeconds: 0 }],
  updatedAt: '2024-01-01T00:00:00.000Z',
  updatedBy: 'admin',
};

describe('surpriseText', () => {
  it('says the spike score as odds', () => {
    expect(surpriseText(0.1)).toBe('not unusual (tail probability above 0.67)');
    expect(surpriseText(1)).toBe('tail probability 1 in 10');
    expect(surpriseText(3.4)).toBe('tail probability 1 in 2,500');
    expect(surpriseText(Number.POSITIVE_INFINITY)).toBe('outside anything the forecast allows');
  });

  it('reads a scan score as a one-sided normal tail (twice the log ratio ~ chi-square(1))', () => {
    // z = 3.0902 is the 0.999 quantile: score z^2 / 2.
    expect(scoreSurprise((3.0902 * 3.0902) / 2)).toBeCloseTo(3, 3);
    expect(scoreSurprise(0)).toBe(0);
  });
});

describe('spikeLevels', () => {
  it('splits the false-alarm rate over the scanned windows, and clears on one step', () => {
    const levels = spikeLevels(condition);
    // 1e-4 over 24 windows: z = 4.46; 0.05 on one window: z = 1.645.
    expect(levels.fire).toBeCloseTo(4.46 ** 2 / 2, 1);
    expect(levels.clear).toBeCloseTo(1.645 ** 2 / 2, 2);
    // Any coverage the rule schema accepts gives a finite level.
    expect(Number.isFinite(spikeLevels({ ...condition, coverage: 1 - 1e-15 }).fire)).toBe(true);
  });
});

describe('SpikeSignals', () => {
  it('fires on a tripled rate within two minutes, says since when and against what, and clears after', () => {
    const random = new Random(7);
    const minutes = new MinuteCounts([DISTRICT, OTHER], 14 * 24 * 60, T0);
    const feed = (minute: number, factor: number) => {
      minutes.add(DISTRICT, 'crime_property', T0 + minute * MIN, random.poisson(20 * factor));
      minutes.add(OTHER, 'crime_property', T0 + minute * MIN, random.poisson(5));
    };
    // 75 minutes of history before the rule is first evaluated.
    for (let m = 0; m < 75; m++) feed(m, 1);
    const signals = new SpikeSignals(minutes);
    const surgeStart = 90;
    const surgeEnd = 94;
    const log: { minute: number; district: string; active: boolean; cleared: boolean }[] = [];
    let firstEvidence: { since: string; observed: number; expected: number; score: number } | undefined;
    for (let m = 75; m < 110; m++) {
      feed(m, m >= surgeStart && m < surgeEnd ? 3 : 1);
      // Evaluated twice a minute, as the engine does every few seconds.
      for (const second of [20, 50]) {
        const now = T0 + m * MIN + second * 1000;
        for (const district of [DISTRICT, OTHER]) {
          const o = signals.observe(rule, district, now);
          if (o === null) throw new Error(`no observation at minute ${m}`);
          log.push({ minute: m, district, active: o.active, cleared: o.cleared });
          if (district === DISTRICT && o.active && firstEvidence === undefined && o.evidence !== undefined) {
            firstEvidence = o.evidence;
          }
        }
      }
    }
    const active = log.filter((l) => l.active);
    expect(active.every((l) => l.district === DISTRICT)).toBe(true);
    expect(Math.min(...active.map((l) => l.minute))).toBeGreaterThanOrEqual(surgeStart);
    expect(Math.min(...active.map((l) => l.minute))).toBeLessThanOrEqual(surgeStart + 1);
    expect(firstEvidence).toBeDefined();
    expect(Date.parse(firstEvidence?.since ?? '')).toBe(T0 + surgeStart * MIN);
    expect(firstEvidence?.observed ?? 0).toBeGreaterThan(2 * (firstEvidence?.expected ?? Infinity));
    expect(firstEvidence?.score ?? 0).toBeGreaterThan(spikeLevels(condition).fire);
    // Back to normal: cleared within two minutes of the surge's end (the long windows do not hold it).
    const after = log.filter((l) => l.district === DISTRICT && l.minute >= surgeEnd + 2);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((l) => l.cleared)).toBe(true);
  });
});
