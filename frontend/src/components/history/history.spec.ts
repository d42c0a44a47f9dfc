import type { Alert, BoardHistory, Severity } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import { historicRisk, modelBand, rankHistory, windowEndingNow, windowFromQuery } from './history';

const alert = (district: string, severity: Severity, state: Alert['state']): Alert => ({
  id: `${district}-${severity}-${state}`,
  fingerprint: 'f',
  labels: { rule: 'r', kind: 'spike', district, category: '*', severity },
  state,
  value: 1,
  summary: '',
  startedAt: '2024-05-01T10:00:00Z',
  firedAt: '2024-05-01T10:01:00Z',
  acknowledgedAt: null,
  acknowledgedBy: null,
  resolvedAt: state === 'resolved' ? '2024-05-01T12:00:00Z' : null,
  escalationLevel: 0,
  flapping: false,
  silencedBy: [],
  inhibitedBy: null,
  updatedAt: '2024-05-01T12:00:00Z',
});

describe('time travel', () => {
  it('takes the last N hours up to the current minute', () => {
    expect(windowEndingNow(6, Date.parse('2024-05-01T10:07:45.500Z'))).toEqual({
      from: '2024-05-01T04:07:00.000Z',
      to: '2024-05-01T10:07:00.000Z',
    });
  });

  it('reads the window from the route query only when both ends are there', () => {
    expect(windowFromQuery({ from: 'a', to: 'b' })).toEqual({ from: 'a', to: 'b' });
    expect(windowFromQuery({ from: 'a' })).toBeUndefined();
    expect(windowFromQuery({ from: ['a'], to: 'b' })).toBeUndefined();
  });

  it('bands P(elevated) as the live board does, unknown without a score', () => {
    expect(modelBand(null)).toBe('unknown');
    expect(modelBand(0.2)).toBe('low');
    expect(modelBand(0.5)).toBe('medium');
    expect(modelBand(0.75)).toBe('high');
  });

  it('counts alerts open in the window even when they were resolved later', () => {
    expect(historicRisk(0.1, [alert('TN-CHN', 'critical', 'resolved')])).toBe('high');
    expect(historicRisk(null, [alert('TN-CHN', 'medium', 'firing')])).toBe('medium');
    expect(historicRisk(0.7, [alert('TN-CHN', 'low', 'firing')])).toBe('high');
    expect(historicRisk(null, [])).toBe('unknown');
  });

  it('ranks districts by risk, then events, with their top three categories', () => {
    const history: BoardHistory = {
      from: '2024-05-01T00:00:00Z',
      to: '2024-05-02T00:00:00Z',
      bucketMinutes: 15,
      series: [],
      total: 31,
      blackSpots: [],
      blackSpotsTruncatedBefore: null,
      alerts: [alert('TN-ARI', 'high', 'resolved')],
      districts: [
        {
          code: 'TN-CHN',
          count: 20,
          byCategory: { crime_body: 3, crime_property: 9, suicide: 0, road_accident: 5, other: 3 },
          elevated: 0.2,
          expectedCount: 10,
          openAlerts: 0,
        },
        { code: 'TN-MDU', count: 10, byCategory: {}, elevated: null, expectedCount: null, openAlerts: 0 },
        {
          code: 'TN-ARI',
          count: 1,
          byCategory: { other: 1 },
          elevated: 0.1,
          expectedCount: 1,
          openAlerts: 1,
        },
      ],
    };
    const rows = rankHistory(history, new Map([['TN-CHN', 'Chennai']]));
    expect(rows.map((row) => [row.code, row.name, row.risk])).toEqual([
      ['TN-ARI', 'TN-ARI', 'high'],
      ['TN-CHN', 'Chennai', 'low'],
      ['TN-MDU', 'TN-MDU', 'unknown'],
    ]);
    expect(rows[1]?.topCategories).toEqual([
      { category: 'crime_property', count: 9 },
      { category: 'road_accident', count: 5 },
      { category: 'crime_body', count: 3 },
    ]);
  });
});
