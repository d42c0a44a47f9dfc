import type { AlertRule } from '@district-monitor/streams';
import type { AlertRecord } from './record.js';

/** Specs' fixtures (not built): an alert record and a rule with every field, overridable. */
export const T0 = Date.UTC(2024, 0, 15, 10, 0, 0);

/** A firing high alert of the rule `rule` in TN-CHN, told as firing. */
export function alertRecord(id: string, overrides: Partial<AlertRecord> = {}): AlertRecord {
  const labels = overrides.labels ?? {
    rule: 'rule',
    kind: 'risk',
    district: 'TN-CHN',
    category: '*',
    severity: 'high',
  };
  return {
    id,
    fingerprint: `${labels.rule}/${labels.district}/${labels.category}`,
    labels,
    state: 'firing',
    value: 1,
    summary: 'fixture',
    startedAt: T0,
    firedAt: T0,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    clearSince: null,
    escalationLevel: 0,
    flapping: false,
    silencedBy: [],
    inhibitedBy: null,
    notified: { firing: true, resolved: false, level: 0 },
    dueSince: null,
    updatedAt: T0,
    version: 1,
    ...overrides,
  };
}

/** An enabled risk rule for every district, overridable. */
export function ruleFixture(id: string, overrides: Partial<AlertRule> = {}): AlertRule {
  return {
    id,
    region: 'TN',
    name: id,
    enabled: true,
    severity: 'high',
    category: null,
    districts: null,
    condition: { kind: 'risk', threshold: 0.8, clear: 0.6 },
    forSeconds: 0,
    keepFiringForSeconds: 0,
    escalation: [],
    updatedAt: '2024-01-01T00:00:00.000Z',
    updatedBy: 'admin',
    ...overrides,
  };
}
