import { describe, expect, it } from 'vitest';
import {
  CountPacker,
  MIN_TRAINING_DAYS,
  MIN_TRAINING_EVENTS,
  trainingDataProblem,
  transferList,
  unpackCounts,
  type CountRow,
} from './training-data.js';

const DAY = 86_400_000;
const until = Date.parse('2025-03-01T00:00:00Z');

describe('trainingDataProblem', () => {
  it('refuses no events, too short a span, and too few events; accepts the minimum', () => {
    expect(trainingDataProblem({ firstBucket: null, events: 0 }, until)).toBe(
      'no events stored before 2025-03-01T00:00:00.000Z',
    );
    // 104.5 days of history: half a day short.
    expect(trainingDataProblem({ firstBucket: until - 104.5 * DAY, events: 10_000 }, until)).toBe(
      'the stored events span 104.5 days before 2025-03-01T00:00:00.000Z; a training needs at least 105',
    );
    expect(trainingDataProblem({ firstBucket: until - 400 * DAY, events: 499 }, until)).toBe(
      '499 events stored; a training needs at least 500',
    );
    expect(
      trainingDataProblem(
        { firstBucket: until - MIN_TRAINING_DAYS * DAY, events: MIN_TRAINING_EVENTS },
        until,
      ),
    ).toBeNull();
  });
});

describe('CountPacker', () => {
  const row = (i: number): CountRow => ({
    bucket: new Date(until - (i + 1) * 3_600_000),
    district: ['TN-CHN', 'TN-MDU', 'TN-CBE'][i % 3] ?? 'TN-CHN',
    category: i % 5 === 0 ? 'road_accident' : 'crime_body',
    events: 1 + (i % 4),
    killed: i % 5 === 0 ? i % 2 : 0,
    injured: i % 5 === 0 ? 2 : 0,
  });

  it('packs rows into typed columns, growing past its first capacity, and unpacks them unchanged', () => {
    const packer = new CountPacker(16);
    const rows = Array.from({ length: 1000 }, (_, i) => row(i));
    for (const item of rows) packer.add(item);
    // Events are 1,2,3,4 repeating: 250 * (1+2+3+4) = 2500; the oldest bucket is row 999's.
    expect(packer.summary).toEqual({ firstBucket: until - 1000 * 3_600_000, events: 2500 });
    const packed = packer.finish();
    expect(packed.length).toBe(1000);
    expect(packed.districts).toEqual(['TN-CHN', 'TN-MDU', 'TN-CBE']);
    expect(packed.hour.length).toBe(1000);
    expect(unpackCounts(packed)).toEqual(
      rows.map(({ bucket, ...rest }) => ({ ...rest, hour: bucket.getTime() })),
    );
    // Six distinct buffers, each exactly its column (so transferring them moves nothing else).
    const buffers = transferList(packed);
    expect(new Set(buffers).size).toBe(6);
    expect(buffers.map((buffer) => buffer.byteLength)).toEqual([2000, 1000, 8000, 4000, 4000, 4000]);
  });

  it('refuses a category outside the vocabulary', () => {
    const packer = new CountPacker();
    expect(() => {
      packer.add({ ...row(1), category: 'arson' as CountRow['category'] });
    }).toThrow('unknown category "arson" in the counts');
  });
});
