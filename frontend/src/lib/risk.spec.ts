import type { Alert, DistrictScore, Severity } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import { HIGH_FROM, MEDIUM_FROM, RISK_LEVELS, modelRisk, riskColour, riskLevel, riskRank } from './risk';

const score = (elevated: number): DistrictScore => ({
  district: 'TN-CHN',
  asOf: '2024-05-01T10:00:00Z',
  elevated,
  classProbabilities: [0.3, 0.3, 0.4],
  expectedCount: 10,
  interval80: [5, 15],
  forecast: [],
  cluster: { label: 0, peers: [] },
  topFactors: [],
  modelVersion: 'v1',
});

const alert = (severity: Severity, state: Alert['state'] = 'firing'): Alert => ({
  id: `a-${severity}-${state}`,
  fingerprint: 'f',
  labels: { rule: 'r', kind: 'spike', district: 'TN-CHN', category: '*', severity },
  state,
  value: 1,
  summary: '',
  startedAt: '2024-05-01T10:00:00Z',
  firedAt: null,
  acknowledgedAt: null,
  acknowledgedBy: null,
  resolvedAt: null,
  escalationLevel: 0,
  flapping: false,
  silencedBy: [],
  inhibitedBy: null,
  updatedAt: '2024-05-01T10:00:00Z',
});

describe('risk', () => {
  it.each([
    [0, 'low'],
    [MEDIUM_FROM - 0.001, 'low'],
    [MEDIUM_FROM, 'medium'],
    [HIGH_FROM - 0.001, 'medium'],
    [HIGH_FROM, 'high'],
    [1, 'high'],
  ] as const)('bands P(elevated) %f as %s', (elevated, level) => {
    expect(modelRisk(score(elevated))).toBe(level);
  });

  it('is unknown with neither a score nor an open alert', () => {
    expect(riskLevel(undefined, [])).toBe('unknown');
    expect(modelRisk(score(Number.NaN))).toBe('unknown');
  });

  it('takes the higher of the model band and the open alerts', () => {
    expect(riskLevel(score(0.1), [alert('medium')])).toBe('medium');
    expect(riskLevel(score(0.7), [alert('low')])).toBe('high');
    expect(riskLevel(undefined, [alert('low'), alert('critical', 'acknowledged')])).toBe('high');
    expect(riskLevel(score(0.45), [alert('high', 'pending')])).toBe('high');
  });

  it('ignores resolved alerts', () => {
    expect(riskLevel(score(0.1), [alert('critical', 'resolved')])).toBe('low');
  });

  it('ranks and colours every level distinctly', () => {
    expect(RISK_LEVELS.map(riskRank)).toEqual([0, 1, 2, 3]);
    expect(new Set(RISK_LEVELS.map(riskColour)).size).toBe(4);
  });
});
