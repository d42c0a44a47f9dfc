import { readFileSync } from 'node:fs';
import type { DistrictScore as ModelDistrictScore, ScoringInput } from '@district-monitor/models';
import { parseRegion, type DistrictScore, type ModelCard } from '@district-monitor/streams';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FeatureRepository } from '../features/feature.repository.js';
import { FeatureService } from '../features/feature.service.js';
import type { CountChange } from '../database/event-store.repository.js';
import type { ActiveScorer } from './scorer.js';
import { SCORE_INTERVAL_MS, ScoringService } from './scoring.service.js';
import { EventBus } from '../events/event-bus.js';

const region = parseRegion(
  JSON.parse(readFileSync(new URL('../../../data/regions/tamil-nadu.json', import.meta.url), 'utf8')),
  'tamil-nadu.json',
);
const districtCount = region.units.filter((unit) => unit.kind === 'district').length;
const NOW = Date.parse('2025-06-02T10:20:00Z');
const HOUR = 3_600_000;

const card = { trainedAt: '2025-06-01T00:00:00.000Z' } as const satisfies Partial<ModelCard>;

/**
 * A scorer whose numbers are checkable by hand: `expectedCount` is the district's crime_body events of
 * the last 24 hours read from the live cube it is handed, `elevated` its crime-vector length / 1000.
 */
function fakeScorer(version: string, calls: string[] = [], failFor?: string): ActiveScorer {
  return {
    version,
    card: card as unknown as ModelCard,
    score(input: ScoringInput): ModelDistrictScore {
      calls.push(input.unit.code);
      if (input.unit.code === failFor) throw new Error(`cannot score ${failFor}`);
      const hour = input.clock.hourOf(input.asOf);
      return {
        district: input.unit.code,
        asOf: input.asOf,
        elevated: input.crimeVector.length / 1000,
        classProbabilities: [0.5, 0.372, 0.128],
        expectedCount: input.counts.sum('crime_body', 'events', hour - 23, hour + 1),
        interval80: [0, 1],
        forecast: [],
        cluster: { label: 0, peers: [] },
        topFactors: [],
        modelVersion: version,
      };
    },
  };
}

const change = (district: string, hoursAgo: number): CountChange => ({
  district,
  category: 'crime_body',
  occurredAt: new Date(NOW - hoursAgo * HOUR),
  events: 1,
  killed: 0,
  injured: 0,
});

describe('ScoringService', () => {
  let features: FeatureService;
  let scoring: ScoringService;
  let pushed: DistrictScore[][];

  beforeEach(async () => {
    const repository = { hourlySince: () => Promise.resolve([]) } as unknown as FeatureRepository;
    features = new FeatureService(region, repository);
    await features.load(NOW);
    const bus = new EventBus();
    scoring = new ScoringService(region, features, bus);
    pushed = [];
    bus.on('scores.changed', (scores) => pushed.push([...scores]));
  });

  afterEach(() => {
    scoring.onModuleDestroy();
    vi.useRealTimers();
  });

  it('scores nothing and keeps nothing while no model is active', () => {
    scoring.featuresChanged(features.applyChanges([change('TN-CHN', 1)], NOW));
    scoring.flush();
    expect(scoring.version).toBeNull();
    expect(scoring.all()).toEqual([]);
    expect(pushed).toEqual([]);
    expect(scoring.health()).toMatchObject({ addedPerBatch: { count: 0 }, perRun: { count: 0 } });
  });

  it('rescores every district at activation, then exactly the districts a batch touched', () => {
    const calls: string[] = [];
    scoring.activate(fakeScorer('v1', calls));
    expect(calls).toHaveLength(districtCount);
    expect(scoring.all()).toHaveLength(districtCount);
    expect(pushed).toHaveLength(1);

    calls.length = 0;
    // Two events in Chennai (one 30 hours ago: outside the 24 hours), one in Madurai.
    const touched = features.applyChanges(
      [change('TN-CHN', 1), change('TN-CHN', 30), change('TN-MDU', 2)],
      NOW,
    );
    scoring.featuresChanged(touched);
    // Marked on the batch's turn, scored in the next run.
    expect(calls).toEqual([]);
    scoring.flush();
    expect(calls.sort()).toEqual(['TN-CHN', 'TN-MDU']);
    expect(pushed[1]?.map((score) => score.district).sort()).toEqual(['TN-CHN', 'TN-MDU']);
    expect(scoring.scoreOf('TN-CHN')).toMatchObject({
      district: 'TN-CHN',
      asOf: new Date(NOW).toISOString(),
      expectedCount: 1,
      elevated: 0.128,
      modelVersion: 'v1',
    });
    expect(scoring.scoreOf('TN-MDU')?.expectedCount).toBe(1);
    expect(scoring.scoreOf('TN-CBE')?.expectedCount).toBe(0);
    expect(scoring.health()).toMatchObject({
      addedPerBatch: { count: 1 },
      perRun: { count: 1 },
      scoredDistricts: 2,
    });
  });

  it("hands the scorer the region's week: every district's incidents of the last 7 days, and their baselines", () => {
    // Last week: 3 in Chennai, 2 in Madurai. The 28 days before it: 4 in Coimbatore (a baseline of 1 a week;
    // every other district has the floor, 0.25). 40 days ago: outside both.
    features.applyChanges(
      [
        ...[1, 2, 3].map(() => change('TN-CHN', 1)),
        change('TN-MDU', 50),
        change('TN-MDU', 160),
        ...[1, 2, 3, 4].map(() => change('TN-CBE', 240)),
        change('TN-SLM', 40 * 24),
      ],
      NOW,
    );
    const regions: ScoringInput['region'][] = [];
    const scorer = fakeScorer('v1');
    scoring.activate({
      ...scorer,
      score: (input) => {
        regions.push(input.region);
        return scorer.score(input);
      },
    });
    expect(regions).toHaveLength(districtCount);
    for (const week of regions) {
      expect(week?.incidents).toBe(5);
      expect(week?.baseline).toBeCloseTo((districtCount - 1) * 0.25 + 1, 10);
    }
  });

  it('scores a district touched by several batches once per run, SCORE_INTERVAL_MS after the first', () => {
    vi.useFakeTimers();
    const calls: string[] = [];
    scoring.activate(fakeScorer('v1', calls));
    calls.length = 0;
    for (let i = 0; i < 5; i++) scoring.featuresChanged(features.applyChanges([change('TN-CHN', 1)], NOW));
    scoring.featuresChanged(features.applyChanges([change('TN-MDU', 1)], NOW));
    vi.advanceTimersByTime(SCORE_INTERVAL_MS - 1);
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual(['TN-CHN', 'TN-MDU']);
    // Scored from the counts as they are at the run: all five Chennai events.
    expect(scoring.scoreOf('TN-CHN')?.expectedCount).toBe(5);
    expect(scoring.health()).toMatchObject({
      addedPerBatch: { count: 6 },
      perRun: { count: 1 },
      scoredDistricts: 2,
    });
  });

  it('hot-swaps: the next batch uses the new version, and no score of the old one is kept', () => {
    const disposed: string[] = [];
    scoring.activate({ ...fakeScorer('v1'), dispose: () => disposed.push('v1') });
    scoring.featuresChanged(features.applyChanges([change('TN-CHN', 1)], NOW));
    scoring.flush();
    expect(disposed).toEqual([]);
    scoring.activate(fakeScorer('v2'));
    expect(disposed).toEqual(['v1']);
    expect(scoring.version).toBe('v2');
    expect(new Set(scoring.all().map((score) => score.modelVersion))).toEqual(new Set(['v2']));
    scoring.featuresChanged(features.applyChanges([change('TN-CHN', 1)], NOW));
    scoring.flush();
    expect(scoring.scoreOf('TN-CHN')).toMatchObject({ modelVersion: 'v2', expectedCount: 2 });
  });

  it('keeps scoring the other districts when one fails, and counts the failure', () => {
    scoring.activate(fakeScorer('v1', [], 'TN-MDU'));
    expect(scoring.scoreOf('TN-MDU')).toBeUndefined();
    scoring.featuresChanged(features.applyChanges([change('TN-CHN', 1), change('TN-MDU', 1)], NOW));
    scoring.flush();
    expect(scoring.scoreOf('TN-CHN')?.expectedCount).toBe(1);
    expect(scoring.scoreOf('TN-MDU')).toBeUndefined();
    expect(scoring.health()).toMatchObject({
      districts: districtCount - 1,
      failures: 2,
      lastError: 'v1, TN-MDU: Error: cannot score TN-MDU',
    });
  });
});
