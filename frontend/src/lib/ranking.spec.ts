import type { Alert, DistrictFeatures, DistrictScore } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import { rankDistricts } from './ranking';

const score = (district: string, elevated: number): DistrictScore => ({
  district,
  asOf: '2024-05-01T04:00:00Z',
  elevated,
  classProbabilities: [0.3, 0.3, 0.4],
  expectedCount: 70,
  interval80: [50, 90],
  forecast: [
    // As the models send them: the instant of each local midnight (IST is UTC+05:30).
    { day: '2024-04-29T18:30:00.000Z', point: 1, lower: 0, upper: 2 },
    { day: '2024-04-30T18:30:00.000Z', point: 10, lower: 6, upper: 14 },
  ],
  cluster: { label: 0, peers: [] },
  topFactors: [],
  modelVersion: 'v1',
});

const firing = (district: string, severity: Alert['labels']['severity']): Alert =>
  ({ id: `${district}-${severity}`, state: 'firing', labels: { district, severity } }) as Alert;

describe('ranking', () => {
  it('ranks by risk, then count, then name, with today forecast and open alerts', () => {
    const rows = rankDistricts({
      districts: [
        { code: 'A', name: 'Ariyalur', count: 50 },
        { code: 'B', name: 'Chennai', count: 5 },
        { code: 'C', name: 'Coimbatore', count: 5 },
        { code: 'D', name: 'Dindigul', count: 9 },
      ],
      scores: new Map([
        ['A', score('A', 0.1)],
        ['B', score('B', 0.1)],
        ['C', score('C', 0.1)],
      ]),
      features: new Map([['A', { incidents: { counts: { '24h': 12 } } } as unknown as DistrictFeatures]]),
      alerts: new Map([['D', [firing('D', 'critical'), firing('D', 'low')]]]),
      today: '2024-05-01',
      timeZone: 'Asia/Kolkata',
    });
    expect(rows.map((row) => [row.code, row.risk])).toEqual([
      ['D', 'high'],
      ['A', 'low'],
      ['B', 'low'],
      ['C', 'low'],
    ]);
    expect(rows[0]).toMatchObject({ elevated: null, forecast: null, observed: null, openAlerts: 2 });
    expect(rows[1]).toMatchObject({
      elevated: 0.1,
      observed: 12,
      forecast: { point: 10, lower: 6, upper: 14 },
      openAlerts: 0,
    });
  });
});
