import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  CUBE_HOURS,
  DistrictScorer,
  HourClock,
  HourlyCube,
  ModelInputError,
  computeDistrictFeatures,
  trainDistrictModels,
  type HourlyCountInput,
} from '@district-monitor/models';
import type { Region } from '@district-monitor/streams';
import { mulberry32 } from '@district-monitor/streams/simulator';
import { readRegion } from '../registry.js';
import { initModelRuntime } from './index.js';

const DAY = 86_400_000;
const UNTIL = Date.parse('2026-11-01T00:00:00+05:30');

async function smallRegion(): Promise<Region> {
  const full = await readRegion(new URL('../../regions/tamil-nadu.json', import.meta.url));
  return { ...full, units: full.units.filter((u) => ['TN-CHN', 'TN-MDU', 'TN-ARI'].includes(u.code)) };
}

/** Poisson-ish hourly counts: about `rate` events an hour per district, for `days` days before UNTIL. */
function counts(days: number, rate: number): HourlyCountInput[] {
  const random = mulberry32(5);
  const rows: HourlyCountInput[] = [];
  for (let hour = UNTIL - days * DAY; hour < UNTIL; hour += 3_600_000)
    for (const district of ['TN-CHN', 'TN-MDU', 'TN-ARI']) {
      const events = random() < rate ? 1 : 0;
      if (events > 0)
        rows.push({ district, category: 'crime_property', hour, events, killed: 0, injured: 0 });
    }
  return rows;
}

describe('trainDistrictModels and DistrictScorer (wasm runtime)', () => {
  it('refuses too little history with a message saying what is needed', async () => {
    const runtime = await initModelRuntime();
    const region = await smallRegion();
    expect(() => trainDistrictModels({ region, counts: counts(60, 0.5), until: UNTIL }, runtime)).toThrow(
      ModelInputError,
    );
    expect(() => trainDistrictModels({ region, counts: counts(60, 0.5), until: UNTIL }, runtime)).toThrow(
      /at least 15 weeks/,
    );
  });

  it('trains on 120 days, and a bundle that went through JSON scores exactly as the original', async () => {
    const runtime = await initModelRuntime();
    const region = await smallRegion();
    const rows = counts(120, 0.4);
    const bundle = trainDistrictModels({ region, counts: rows, until: UNTIL, seed: 3 }, runtime, {
      maxEpochs: 10,
      trees: 20,
    });
    expect(bundle.card.features).toEqual({ crime: 128, trend: 64, profile: 32, fusion: 224 });
    expect(bundle.card.data.origins).toBe(Math.floor((120 - 56 - 7) / 7) + 1);
    // The count head is the boosted trees of the T2 evaluation (live-count.ts).
    expect(bundle.branches.fusion).toMatchObject({ format: 'live-count-trees@1' });
    expect(bundle.card.branches['fusion']?.['rounds']).toBeGreaterThanOrEqual(1);
    expect(bundle.card.metrics['validationRows']).toBeGreaterThan(0);
    const input = scoringInput(region, rows);
    const original = DistrictScorer.load(bundle, runtime, 'v1');
    const restored = DistrictScorer.load(JSON.parse(JSON.stringify(bundle)) as typeof bundle, runtime, 'v1');
    const a = original.score(input);
    expect(restored.score(input)).toEqual(a);
    expect(a.classProbabilities.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 9);
    expect(a.elevated).toBe(a.classProbabilities[2]);
    // About 0.4 events an hour: the next week's expectation is near 67.
    expect(a.expectedCount).toBeGreaterThan(40);
    expect(a.expectedCount).toBeLessThan(100);
    expect(a.forecast).toHaveLength(7);
    // The 80% interval comes from the quantile heads and their conformal correction (live-interval.ts),
    // the rule of the T2 evaluation; a bundle trained before it scores with the fusion's own interval.
    expect(bundle.branches.interval).toMatchObject({ format: 'live-interval@1' });
    const card = bundle.card.branches['interval'] ?? {};
    expect(card['outOfSampleWeeks']).toBeGreaterThanOrEqual(1);
    expect(Number.isFinite(card['correction'])).toBe(true);
    const [lo, hi] = a.interval80;
    expect(lo).toBeLessThan(a.expectedCount);
    expect(hi).toBeGreaterThan(a.expectedCount);
    expect(hi - lo).toBeLessThan(a.expectedCount);
    // Scoring, the interval's network included, leaves no tensor behind.
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) original.score(input);
    expect(tf.memory().numTensors).toBe(tensors);
    // A bundle whose interval does not load is refused by name and leaves nothing loaded behind.
    const broken = { ...bundle, branches: { ...bundle.branches, interval: { format: 'x@1' } } };
    expect(() => DistrictScorer.load(broken, runtime, 'bad')).toThrow(/live interval: format x@1/);
    expect(tf.memory().numTensors).toBe(tensors);
    const { interval: _interval, ...before } = bundle.branches;
    const older = DistrictScorer.load({ ...bundle, branches: before }, runtime, 'v0');
    const b = older.score(input);
    expect(b.expectedCount).toBe(a.expectedCount);
    expect(b.interval80).not.toEqual(a.interval80);
    // Region momentum (region-momentum.ts): its weight, fitted on the training origins, is in the bundle and
    // on the card. With weight 1 and a region week at twice its baseline, the count doubles; with the weight
    // 0 of a bundle trained before it, or without the region's week, the region changes nothing.
    const momentum = bundle.card.branches['momentum'] ?? {};
    expect(momentum['pairs']).toBe(bundle.card.data.origins);
    expect(momentum['weight']).toBeGreaterThanOrEqual(0);
    expect(momentum['weight']).toBeLessThanOrEqual(1);
    expect(bundle.branches.momentum).toEqual({ weight: momentum['weight'] });
    const doubled = { incidents: 199.5, baseline: 99.5 };
    const withWeight = (weight: unknown) =>
      DistrictScorer.load(
        { ...bundle, branches: { ...bundle.branches, momentum: { weight } } },
        runtime,
        'm',
      );
    const full = withWeight(1);
    expect(
      full.score({ ...input, region: doubled }).expectedCount / full.score(input).expectedCount,
    ).toBeCloseTo(2, 9);
    const { momentum: _momentum, ...unmoved } = bundle.branches;
    const none = DistrictScorer.load({ ...bundle, branches: unmoved }, runtime, 'v0');
    expect(none.score({ ...input, region: doubled }).expectedCount).toBe(none.score(input).expectedCount);
    expect(() => withWeight(1.5)).toThrow(/momentum\.weight must be a number from 0 to 1, not 1\.5/);
    expect(() => withWeight('0.5')).toThrow(/not "0\.5"/);
    expect(() =>
      DistrictScorer.load({ ...bundle, branches: { ...bundle.branches, momentum: null } }, runtime, 'm'),
    ).toThrow(/momentum\.weight must be a number from 0 to 1, not undefined/);
    full.dispose();
    none.dispose();
    original.dispose();
    restored.dispose();
    older.dispose();
  }, 120_000);

  it('still scores a bundle whose count head is the stacked networks (trained before the trees)', async () => {
    const runtime = await initModelRuntime();
    const region = await smallRegion();
    const rows = counts(120, 0.4);
    const options = { maxEpochs: 10, trees: 20 };
    const networks = trainDistrictModels({ region, counts: rows, until: UNTIL, seed: 3 }, runtime, {
      ...options,
      countHead: 'network',
    });
    expect(networks.branches.fusion).toMatchObject({ format: 'stacked-fusion@1' });
    expect(networks.card.branches['fusion']?.['members']).toBe(3);
    const scorer = DistrictScorer.load(networks, runtime, 'v-networks');
    const score = scorer.score(scoringInput(region, rows));
    expect(score.expectedCount).toBeGreaterThan(40);
    expect(score.expectedCount).toBeLessThan(100);
    expect(score.classProbabilities.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 9);
    scorer.dispose();
  }, 120_000);
});

/** What `DistrictScorer.score` reads for Madurai an hour after `UNTIL`, from the training counts. */
function scoringInput(region: Region, rows: readonly HourlyCountInput[]) {
  const clock = new HourClock(region.timeZone);
  const unit = region.units.find((u) => u.code === 'TN-MDU');
  if (unit === undefined) throw new Error('TN-MDU missing');
  const cube = new HourlyCube({ endHour: clock.hourOf(UNTIL) + 24, capacityHours: CUBE_HOURS });
  for (const row of rows)
    if (row.district === unit.code) cube.add(row.category, clock.hourOf(row.hour), 1, 0, 0);
  const asOf = UNTIL + 3_600_000;
  const crimeVector = computeDistrictFeatures({
    counts: cube,
    clock,
    asOf,
    unit,
    regionPopulation: null,
  }).vector;
  return { unit, counts: cube, clock, crimeVector, asOf };
}
