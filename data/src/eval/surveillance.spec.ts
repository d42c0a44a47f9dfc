import { Random } from '@district-monitor/models';
import { describe, expect, it } from 'vitest';
import { runSurveillance, SURVEILLANCE_DETECTORS, type HourlyCounts } from './surveillance.js';

const HOUR = 3_600_000;
const DAY_HOURS = 24;
/** Two calendar years of hours from 2016-01-01 (2016 is a leap year). */
const START = Date.UTC(2016, 0, 1);
const SPLIT = (Date.UTC(2017, 0, 1) - START) / HOUR;
const HOURS = (Date.UTC(2018, 0, 1) - START) / HOUR;

/** Poisson counts (Knuth) with a daily cycle around `mean` an hour: what a quiet district reports. */
function district(seed: number, mean: number): Float64Array {
  const random = new Random(seed);
  const counts = new Float64Array(HOURS);
  for (let h = 0; h < HOURS; h++) {
    const hourOfDay = h % DAY_HOURS;
    const rate = mean * (1 + 0.5 * Math.sin((2 * Math.PI * (hourOfDay - 6)) / DAY_HOURS));
    const limit = Math.exp(-rate);
    let k = 0;
    for (let p = random.next(); p > limit; p *= random.next()) k++;
    counts[h] = k;
  }
  return counts;
}

const data: HourlyCounts = {
  start: START,
  hours: HOURS,
  districts: new Map([
    ['D1', district(1, 4)],
    ['D2', district(2, 8)],
  ]),
  splitHour: SPLIT,
  files: ['synthetic'],
};

describe('runSurveillance (the surveillance benchmark on counts of known law)', () => {
  const scenarios = [
    { name: 'x3 24 h', multiplier: 3, hours: 24, ramp: false },
    { name: 'x1.5 1 h', multiplier: 1.5, hours: 1, ramp: false },
  ];
  const detectors = SURVEILLANCE_DETECTORS.filter((d) => ['surge scan', 'EARS C2'].includes(d.name));
  const report = runSurveillance(data, { seed: 7, detectors, scenarios });

  it('reports every detector on every scenario, injecting one surge per district per 14-day block', () => {
    expect(report.detectors.map((d) => d.detector)).toEqual(detectors.map((d) => d.name));
    const blocks = Math.floor((HOURS - SPLIT) / (14 * DAY_HOURS));
    for (const detector of report.detectors) {
      expect(detector.scenarios.map((s) => s.scenario)).toEqual(scenarios.map((s) => s.name));
      for (const scenario of detector.scenarios) {
        expect(scenario.injected).toBe(2 * blocks);
        expect(scenario.detected).toBeLessThanOrEqual(scenario.injected);
        expect(scenario.probability).toBeCloseTo(scenario.detected / scenario.injected, 10);
      }
    }
  });

  it('sets each threshold on the tuning year to at most the false-alarm budget', () => {
    for (const detector of report.detectors) {
      expect(detector.falseAlarmsTuning).toBeLessThanOrEqual(report.falseAlarmTarget);
      // The evaluation year has the same law: its clean false-alarm rate stays near the budget.
      expect(detector.falseAlarmsEvaluation).toBeLessThan(3 * report.falseAlarmTarget);
    }
  });

  it('finds a tripled day far more often than a one-hour rise of half, and the scan within hours', () => {
    const scan = report.detectors.find((d) => d.detector === 'surge scan');
    const strong = scan?.scenarios.find((s) => s.scenario === 'x3 24 h');
    const faint = scan?.scenarios.find((s) => s.scenario === 'x1.5 1 h');
    expect(strong?.probability).toBeGreaterThan(0.9);
    expect(strong?.probability).toBeGreaterThan((faint?.probability ?? 1) + 0.5);
    expect(strong?.medianDelayHours).toBeLessThanOrEqual(3);
    // At the same false-alarm budget, the scan finds it at least as often as EARS C2.
    const ears = report.detectors.find((d) => d.detector === 'EARS C2');
    expect(strong?.probability).toBeGreaterThanOrEqual(
      ears?.scenarios.find((s) => s.scenario === 'x3 24 h')?.probability ?? 1,
    );
  });
});
