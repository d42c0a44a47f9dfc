import type { BatchSummary } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import { batchPartOf, mergeBatchSummaries } from './live.gateway.js';

const summary = (at: string, fields: Partial<BatchSummary>): BatchSummary => ({
  at,
  transport: 'kafka',
  stored: 0,
  duplicates: 0,
  deadLettered: 0,
  byDistrict: {},
  byCategory: {},
  newestReportedByDistrict: {},
  ...fields,
});

describe('mergeBatchSummaries', () => {
  it('adds the counts and keeps each district its own newest report', () => {
    const a = summary('2024-05-01T10:00:01Z', {
      stored: 3,
      duplicates: 1,
      byDistrict: { 'TN-CHN': 2, 'TN-ARI': 1 },
      byCategory: { crime_property: 3 },
      newestReportedByDistrict: {
        'TN-CHN': '2024-05-01T09:59:00.000Z',
        'TN-ARI': '2024-05-01T08:00:00.000Z',
      },
    });
    const b = summary('2024-05-01T10:00:02Z', {
      stored: 2,
      deadLettered: 1,
      byDistrict: { 'TN-CHN': -1, 'TN-MDU': 2 },
      byCategory: { crime_property: 1, crime_body: 1 },
      newestReportedByDistrict: {
        'TN-CHN': '2024-05-01T09:58:00.000Z',
        'TN-MDU': '2024-05-01T10:00:00.000Z',
      },
    });
    expect(mergeBatchSummaries(a, b)).toEqual({
      at: '2024-05-01T10:00:02Z',
      transport: 'kafka',
      stored: 5,
      duplicates: 1,
      deadLettered: 1,
      byDistrict: { 'TN-CHN': 1, 'TN-ARI': 1, 'TN-MDU': 2 },
      byCategory: { crime_property: 4, crime_body: 1 },
      newestReportedByDistrict: {
        'TN-CHN': '2024-05-01T09:59:00.000Z',
        'TN-ARI': '2024-05-01T08:00:00.000Z',
        'TN-MDU': '2024-05-01T10:00:00.000Z',
      },
    });
  });
});

describe('batchPartOf', () => {
  it("keeps one district's count change and newest report, and nothing of the other districts", () => {
    const batch = summary('2024-05-01T10:00:01Z', {
      stored: 5,
      duplicates: 2,
      deadLettered: 1,
      byDistrict: { 'TN-CHN': 3, 'TN-MDU': 2 },
      byCategory: { crime_property: 5 },
      newestReportedByDistrict: {
        'TN-CHN': '2024-05-01T09:59:00.000Z',
        'TN-MDU': '2024-05-01T09:58:00.000Z',
      },
    });
    expect(batchPartOf(batch, 'TN-MDU')).toEqual(
      summary('2024-05-01T10:00:01Z', {
        stored: 2,
        byDistrict: { 'TN-MDU': 2 },
        newestReportedByDistrict: { 'TN-MDU': '2024-05-01T09:58:00.000Z' },
      }),
    );
    expect(JSON.stringify(batchPartOf(batch, 'TN-MDU'))).not.toContain('TN-CHN');
    // An amendment moving an event out of the district is a negative change, not stored events.
    expect(batchPartOf(summary('t', { byDistrict: { 'TN-MDU': -1 } }), 'TN-MDU')).toMatchObject({
      stored: 0,
      byDistrict: { 'TN-MDU': -1 },
    });
  });
});
