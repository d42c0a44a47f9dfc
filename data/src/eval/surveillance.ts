import {
  EarsDetector,
  NbCusumDetector,
  Random,
  SurgeDetector,
  SurgeScanDetector,
  type CountSurgeDetector,
} from '@district-monitor/models';
import { chicagoWallTime } from '../chicago.js';
import { readCsv } from '../csv.js';
import { fileURLToPath } from 'node:url';

/** The default incident files: ../shared/data/incidents/chicago_crimes_2016.csv and _2017.csv beside the repository. */
export const SURVEILLANCE_FILES: readonly string[] = ['2016', '2017'].map((year) =>
  fileURLToPath(new URL(`../../../../shared/data/incidents/chicago_crimes_${year}.csv`, import.meta.url)),
);

const HOUR = 3_600_000;

/** Hourly counts per police district over whole calendar years (wall-clock hours, as UTC). */
export interface HourlyCounts {
  readonly start: number;
  readonly hours: number;
  /** District code -> counts per hour from `start`. */
  readonly districts: ReadonlyMap<string, Float64Array>;
  /** Hour index where the evaluation part begins (the first hour of the last year). */
  readonly splitHour: number;
  readonly files: readonly string[];
}

/** Reads Chicago exports of consecutive years into hourly counts per district (rows without a district or date dropped). */
export async function readHourlyCounts(files: readonly string[]): Promise<HourlyCounts> {
  const rows: { district: string; at: number }[] = [];
  let firstYear = Number.POSITIVE_INFINITY;
  let lastYear = Number.NEGATIVE_INFINITY;
  for (const file of files) {
    for await (const record of readCsv(file)) {
      const district = (record.values.District ?? '').trim();
      const wall = chicagoWallTime(record.values.Date ?? '');
      if (district === '' || wall === undefined) continue;
      firstYear = Math.min(firstYear, wall.year);
      lastYear = Math.max(lastYear, wall.year);
      rows.push({ district, at: Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour) });
    }
  }
  if (rows.length === 0) throw new Error(`no incident rows in ${files.join(', ')}`);
  const start = Date.UTC(firstYear, 0, 1);
  const hours = (Date.UTC(lastYear + 1, 0, 1) - start) / HOUR;
  const byDistrict = new Map<string, Float64Array>();
  for (const row of rows) {
    let series = byDistrict.get(row.district);
    if (series === undefined) {
      series = new Float64Array(hours);
      byDistrict.set(row.district, series);
    }
    const h = (row.at - start) / HOUR;
    series[h] = (series[h] as number) + 1;
  }
  // Districts with few reports (e.g. the airport's 031) are not a surveillance target: keep >= 1000 a year.
  const years = lastYear - firstYear + 1;
  const districts = new Map(
    [...byDistrict]
      .filter(([, s]) => s.reduce((a, b) => a + b, 0) >= 1000 * years)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  return { start, hours, districts, splitHour: (Date.UTC(lastYear, 0, 1) - start) / HOUR, files };
}

/** An injected outbreak: a multiplier of the expected count for `hours`, flat or ramping up from 1. */
export interface SurgeScenario {
  readonly name: string;
  readonly multiplier: number;
  readonly hours: number;
  readonly ramp: boolean;
}

export const SURGE_SCENARIOS: readonly SurgeScenario[] = [
  ...[1.5, 2, 3].flatMap((multiplier) =>
    [1, 6, 24].map((hours) => ({ name: `x${multiplier} ${hours} h`, multiplier, hours, ramp: false })),
  ),
  { name: 'ramp to x2 over 24 h', multiplier: 2, hours: 24, ramp: true },
  { name: 'ramp to x3 over 48 h', multiplier: 3, hours: 48, ramp: true },
];

/** A detector under test: a factory (one instance per district and run). */
export interface SurveillanceDetector {
  readonly name: string;
  readonly how: string;
  /** Run on these scenarios only (a slow detector); default all. */
  readonly scenarios?: readonly string[];
  create(): CountSurgeDetector;
}

export const SURVEILLANCE_DETECTORS: readonly SurveillanceDetector[] = [
  {
    name: 'surge scan',
    how: "quasi-Poisson likelihood ratio (Poisson ratio / phi) of a raised mean over the last 1-24 h against the seasonal expectation (4 weeks; counts enter it clipped at 3 sd), the largest; the live spike rule's detector",
    create: () => new SurgeScanDetector({ maxWindow: 24, period: 24, family: 'quasi-poisson', clip: 3 }),
  },
  {
    name: 'surge scan NB',
    how: 'as surge scan, with the negative-binomial ratio (variance mu + mu^2 / r)',
    create: () => new SurgeScanDetector({ maxWindow: 24, period: 24, family: 'nb', clip: 3 }),
  },
  {
    name: 'NB-CUSUM x2',
    how: 'CUSUM of the NB log likelihood ratio of 2x the seasonal expectation against 1x',
    create: () => new NbCusumDetector(2),
  },
  ...(['C1', 'C2', 'C3'] as const).map((variant) => ({
    name: `EARS ${variant}`,
    how: `EARS ${variant} on the same hour of the previous days (sd at least 0.5)`,
    create: () => new EarsDetector(variant),
  })),
  {
    name: 'SurgeDetector (NAB)',
    how: 'the NAB-tuned SurgeDetector on the raw hourly counts (no seasonal model), its evidence as the statistic; x2 6 h only (slow)',
    scenarios: ['x2 6 h'],
    create: () => {
      const d = new SurgeDetector();
      return {
        name: 'SurgeDetector (NAB)',
        update: (count: number) => {
          const s = d.update(count);
          return { statistic: s.evidence, expected: s.expected };
        },
      };
    },
  },
];

/** Statistics of one detector over every district of one (possibly injected) run. */
function statistics(detector: SurveillanceDetector, series: readonly Float64Array[]): Float64Array[] {
  return series.map((counts) => {
    const d = detector.create();
    const out = new Float64Array(counts.length);
    for (let i = 0; i < counts.length; i++) out[i] = d.update(counts[i] as number).statistic;
    return out;
  });
}

/** Alarm onsets (statistic crosses to >= threshold) in [from, to) of each series, per district per 30 days. */
function falseAlarmRate(stats: readonly Float64Array[], threshold: number, from: number, to: number): number {
  let onsets = 0;
  for (const s of stats) {
    let above = (s[from - 1] ?? 0) >= threshold;
    for (let i = from; i < to; i++) {
      const now = (s[i] as number) >= threshold;
      if (now && !above) onsets++;
      above = now;
    }
  }
  return onsets / stats.length / ((to - from) / (30 * 24));
}

/** The lowest threshold with at most `rate` false alarms per district per 30 days over [from, to). */
function calibrate(stats: readonly Float64Array[], rate: number, from: number, to: number): number {
  const values: number[] = [];
  for (const s of stats) for (let i = from; i < to; i += 7) values.push(s[i] as number);
  values.sort((a, b) => a - b);
  let low = 0;
  let high = values.length - 1;
  // Candidates: sampled values of the statistic; the top one plus a margin always qualifies.
  const top = (values[high] as number) + 1;
  if (falseAlarmRate(stats, top, from, to) > rate) return top;
  let best = top;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const t = values[mid] as number;
    if (t > 0 && falseAlarmRate(stats, t, from, to) <= rate) {
      best = t;
      high = mid - 1;
    } else low = mid + 1;
  }
  // The exact boundary between the sampled candidates is not needed: the rate is reported as measured.
  return best;
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly injected: number;
  readonly detected: number;
  readonly probability: number;
  /** Median hours from the surge's first hour to the first alarm in it (0: alarmed in its first hour). */
  readonly medianDelayHours: number | null;
}

export interface SurveillanceDetectorResult {
  readonly detector: string;
  readonly how: string;
  readonly threshold: number;
  /** False alarms per district per 30 days: on the tuning part (2016), and on the evaluation part. */
  readonly falseAlarmsTuning: number;
  readonly falseAlarmsEvaluation: number;
  readonly scenarios: readonly ScenarioResult[];
  readonly runMs: number;
}

export interface SurveillanceReport {
  readonly task: 'surveillance';
  readonly files: readonly string[];
  readonly districts: number;
  readonly hours: number;
  readonly tuning: string;
  readonly evaluation: string;
  readonly falseAlarmTarget: number;
  readonly seed: number;
  readonly protocol: readonly string[];
  readonly detectors: readonly SurveillanceDetectorResult[];
}

/** Spacing of injected surges in the evaluation part (one per block, at a seeded hour of its first half). */
const BLOCK_HOURS = 14 * 24;
/** Hours of the tuning part the detectors learn before alarms are counted (the 4-week seasonal history + 1 week). */
const WARMUP_HOURS = 35 * 24;

/**
 * The surveillance benchmark: real hourly counts per district; each detector's threshold set on the tuning
 * year (clean) for at most `falseAlarmTarget` alarms per district per 30 days; then on the evaluation year,
 * its false-alarm rate (clean) and, per scenario, the share of injected surges alarmed during the surge and
 * the median delay.
 */
export function runSurveillance(
  data: HourlyCounts,
  options: {
    seed?: number;
    falseAlarmTarget?: number;
    detectors?: readonly SurveillanceDetector[];
    scenarios?: readonly SurgeScenario[];
    progress?: (line: string) => void;
  } = {},
): SurveillanceReport {
  const seed = options.seed ?? 1;
  const target = options.falseAlarmTarget ?? 1;
  const detectors = options.detectors ?? SURVEILLANCE_DETECTORS;
  const scenarios = options.scenarios ?? SURGE_SCENARIOS;
  const progress = options.progress ?? (() => undefined);
  const codes = [...data.districts.keys()];
  const clean = codes.map((c) => data.districts.get(c) as Float64Array);
  const split = data.splitHour;
  // The injection's expected count: the district's mean count of the same hour of the week in the tuning part.
  const hourOfWeek = (h: number) => Math.floor(((data.start + h * HOUR) / HOUR + 72) % 168);
  const profile = clean.map((s) => {
    const sum = new Float64Array(168);
    const n = new Float64Array(168);
    for (let h = 0; h < split; h++) {
      const k = hourOfWeek(h);
      sum[k] = (sum[k] as number) + (s[h] as number);
      n[k] = (n[k] as number) + 1;
    }
    return sum.map((v, k) => v / Math.max(1, n[k] as number));
  });
  // Injection times: one per 14-day block of the evaluation part, at a seeded hour of its first 7 days.
  const random = new Random(seed);
  const starts = clean.map(() => {
    const list: number[] = [];
    for (let b = split; b + BLOCK_HOURS <= data.hours; b += BLOCK_HOURS)
      list.push(b + Math.floor(random.next() * 7 * 24));
    return list;
  });
  const injected = scenarios.map((scenario, k) =>
    clean.map((s, d) => {
      const out = Float64Array.from(s);
      const rng = new Random(seed * 1000 + k * 100 + d);
      for (const t0 of starts[d] as number[]) {
        for (let i = 0; i < scenario.hours; i++) {
          const m = scenario.ramp
            ? 1 + ((scenario.multiplier - 1) * (i + 1)) / scenario.hours
            : scenario.multiplier;
          const mu = (profile[d] as Float64Array)[hourOfWeek(t0 + i)] as number;
          out[t0 + i] = (out[t0 + i] as number) + rng.poisson((m - 1) * mu);
        }
      }
      return out;
    }),
  );

  const results: SurveillanceDetectorResult[] = [];
  for (const detector of detectors) {
    const started = performance.now();
    const base = statistics(detector, clean);
    const threshold = calibrate(base, target, WARMUP_HOURS, split);
    const scenarioResults: ScenarioResult[] = scenarios.map((scenario, k) => {
      if (detector.scenarios !== undefined && !detector.scenarios.includes(scenario.name)) {
        return {
          scenario: scenario.name,
          injected: 0,
          detected: 0,
          probability: Number.NaN,
          medianDelayHours: null,
        };
      }
      const stats = statistics(detector, injected[k] as Float64Array[]);
      let count = 0;
      let detected = 0;
      const delays: number[] = [];
      stats.forEach((s, d) => {
        for (const t0 of starts[d] as number[]) {
          count++;
          for (let i = 0; i < scenario.hours; i++) {
            if ((s[t0 + i] as number) >= threshold) {
              detected++;
              delays.push(i);
              break;
            }
          }
        }
      });
      delays.sort((a, b) => a - b);
      return {
        scenario: scenario.name,
        injected: count,
        detected,
        probability: detected / count,
        medianDelayHours:
          delays.length === 0 ? null : (delays[Math.floor((delays.length - 1) / 2)] as number),
      };
    });
    const runMs = performance.now() - started;
    results.push({
      detector: detector.name,
      how: detector.how,
      threshold,
      falseAlarmsTuning: falseAlarmRate(base, threshold, WARMUP_HOURS, split),
      falseAlarmsEvaluation: falseAlarmRate(base, threshold, split, data.hours),
      scenarios: scenarioResults,
      runMs,
    });
    progress(`surveillance: ${detector.name} ${(runMs / 1000).toFixed(1)} s`);
  }
  const iso = (h: number) => new Date(data.start + h * HOUR).toISOString().slice(0, 10);
  return {
    task: 'surveillance',
    files: data.files,
    districts: codes.length,
    hours: data.hours,
    tuning: `${iso(WARMUP_HOURS)} .. ${iso(split - 1)} (after ${WARMUP_HOURS / 24} days of warm-up)`,
    evaluation: `${iso(split)} .. ${iso(data.hours - 1)}`,
    falseAlarmTarget: target,
    seed,
    protocol: [
      'hourly counts of all reports per Chicago police district (wall-clock hour of the Date column), districts with >= 1000 reports a year',
      `each detector's threshold: the lowest with <= ${target} alarm onset per district per 30 days on the tuning year, clean`,
      'false alarms: alarm onsets (statistic crossing up to the threshold) on the clean evaluation year, per district per 30 days',
      `surges: one per district per ${BLOCK_HOURS / 24}-day block of the evaluation year, starting at a seeded hour of the block's first week;`,
      "  extra reports ~ Poisson((m - 1) x the district's mean count of that hour of the week in the tuning year), added to the real counts;",
      '  ramps: m rises linearly from 1 to the multiplier over the surge',
      'detected: an alarm in one of the surge hours; delay: hours from the first surge hour to that alarm (0 = in the first hour)',
      'each scenario is a separate run over the whole series (tuning year clean, evaluation year injected)',
    ],
    detectors: results,
  };
}

/** A text table of a surveillance report. */
export function formatSurveillanceReport(report: SurveillanceReport): string {
  const scenarioNames = report.detectors[0]?.scenarios.map((s) => s.scenario) ?? [];
  const lines: string[] = [
    'Surveillance benchmark: injected surges in real hourly counts per Chicago police district',
    `  files: ${report.files.join(', ')}; districts: ${report.districts}; seed ${report.seed}`,
    `  tuning: ${report.tuning}; evaluation: ${report.evaluation}`,
    '',
    'false alarms per district per 30 days, and threshold',
    ...report.detectors.map(
      (d) =>
        `  ${d.detector.padEnd(22)} tuning ${d.falseAlarmsTuning.toFixed(2)}  evaluation ${d.falseAlarmsEvaluation.toFixed(2)}  threshold ${d.threshold.toFixed(3)}  run ${(d.runMs / 1000).toFixed(1)} s`,
    ),
    '',
    'probability of detection (median delay, hours) on the evaluation year',
    `  ${'scenario'.padEnd(22)}${report.detectors.map((d) => d.detector.padStart(22)).join('')}`,
    ...scenarioNames.map(
      (name, k) =>
        `  ${name.padEnd(22)}${report.detectors
          .map((d) => {
            const s = d.scenarios[k];
            if (s === undefined || Number.isNaN(s.probability)) return 'not run'.padStart(22);
            return `${s.probability.toFixed(2)} (${s.medianDelayHours ?? '-'})`.padStart(22);
          })
          .join('')}`,
    ),
    '',
    'protocol',
    ...report.protocol.map((p) => `  ${p}`),
    '',
    'detectors',
    ...report.detectors.map((d) => `  ${d.detector}: ${d.how}`),
  ];
  return lines.join('\n');
}
