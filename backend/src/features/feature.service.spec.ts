import { describe, expect, it } from 'vitest';
import type { DistrictFeatures } from '@district-monitor/streams';
import { readRegion } from '@district-monitor/data/runtime';
import { EventBus } from '../events/event-bus.js';
import type { FeatureRepository } from './feature.repository.js';
import { FeatureService } from './feature.service.js';

const HOUR = 3_600_000;

describe('FeatureService hourly push', () => {
  it('pushes every district at a new hour even when a batch reached that hour first', async () => {
    const region = await readRegion(new URL('../../../data/regions/tamil-nadu.json', import.meta.url));
    const repository = { hourlySince: () => Promise.resolve([]) } as unknown as FeatureRepository;
    const bus = new EventBus();
    const service = new FeatureService(region, repository, bus);
    const start = Date.parse('2026-11-01T10:05:00+05:30');
    await service.load(start);
    const pushes: (readonly DistrictFeatures[])[] = [];
    bus.on('features.changed', (features) => pushes.push(features));
    service.start();
    service.onModuleDestroy();

    service.tick(start + 60_000);
    expect(pushes).toHaveLength(0);
    // The next hour begins with a batch for one district, then the minute tick comes.
    const batchAt = start + HOUR;
    service.applyChanges(
      [
        {
          district: 'TN-MDU',
          category: 'crime_body',
          occurredAt: new Date(batchAt),
          events: 1,
          killed: 0,
          injured: 0,
        },
      ],
      batchAt,
    );
    expect(pushes.at(-1)?.map((f) => f.district)).toEqual(['TN-MDU']);
    service.tick(batchAt + 60_000);
    expect(pushes.at(-1)?.length).toBe(38);
    service.tick(batchAt + 120_000);
    expect(pushes).toHaveLength(2);
  });
});
