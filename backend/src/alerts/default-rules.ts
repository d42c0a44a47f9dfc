import { SILENCE_IMPROBABILITY, type AlertRule, type EscalationLevel } from '@district-monitor/streams';

/** Station first, then the district control room, then zone / headquarters (BRIEF, "Alerts"). */
export const DEFAULT_ESCALATION: readonly EscalationLevel[] = [
  { name: 'station', afterSeconds: 0 },
  { name: 'district control room', afterSeconds: 15 * 60 },
  { name: 'zone / HQ', afterSeconds: 60 * 60 },
];

type Draft = Omit<AlertRule, 'region' | 'updatedAt' | 'updatedBy'>;

/**
 * The rules a region starts with (seeded once; admins edit them through `/api/rules`). Thresholds are
 * starting points for a control room to tune, not fitted values.
 */
const DRAFTS: readonly Draft[] = [
  {
    id: 'risk-high',
    name: 'Model: high week ahead',
    enabled: true,
    severity: 'high',
    category: null,
    districts: null,
    condition: { kind: 'risk', threshold: 0.8, clear: 0.6 },
    forSeconds: 0,
    keepFiringForSeconds: 3600,
    escalation: DEFAULT_ESCALATION,
  },
  {
    id: 'spike-incidents',
    name: 'Spike: incidents above the forecast interval',
    enabled: true,
    severity: 'high',
    category: null,
    districts: null,
    condition: {
      kind: 'spike',
      stepMinutes: 60,
      historySteps: 336,
      coverage: 0.999,
      clearCoverage: 0.9,
      minCount: 5,
    },
    forSeconds: 0,
    keepFiringForSeconds: 3600,
    escalation: DEFAULT_ESCALATION,
  },
  {
    id: 'surge-28d',
    name: 'CompStat surge: 28 days up 50%',
    enabled: true,
    severity: 'medium',
    category: null,
    districts: null,
    condition: { kind: 'surge', changePct: 50, minCount: 30, clearPct: 25 },
    forSeconds: 3600,
    keepFiringForSeconds: 6 * 3600,
    escalation: DEFAULT_ESCALATION,
  },
  {
    id: 'black-spot',
    name: 'Accident black spot: 3 within 1 km in 24 h',
    enabled: true,
    severity: 'high',
    category: 'road_accident',
    districts: null,
    condition: { kind: 'black_spot', minAccidents: 3, radiusKm: 1, hours: 24 },
    forSeconds: 0,
    keepFiringForSeconds: 0,
    escalation: DEFAULT_ESCALATION,
  },
  {
    // Relative to the district's own history: a fixed count fits no region-wide feed (nor the simulator's
    // accelerated rate). A `category` rule with a fixed threshold suits rare heads (e.g. any POCSO case).
    id: 'women-safety',
    name: 'Crimes against women above the forecast interval',
    enabled: true,
    severity: 'high',
    category: 'crime_women',
    districts: null,
    condition: {
      kind: 'spike',
      stepMinutes: 60,
      historySteps: 336,
      coverage: 0.999,
      clearCoverage: 0.9,
      minCount: 3,
    },
    forSeconds: 0,
    keepFiringForSeconds: 3600,
    escalation: DEFAULT_ESCALATION,
  },
  {
    id: 'no-data-district',
    name: 'No data from a district: silent longer than its usual rate explains',
    enabled: true,
    severity: 'medium',
    category: null,
    districts: null,
    // At real volumes most districts send less than one event an hour: 60 silent minutes alone fired
    // about 6,900 times a month on a working feed (docs/alerts.md, "No data").
    condition: { kind: 'no_data', scope: 'district', minutes: 60, improbability: SILENCE_IMPROBABILITY },
    forSeconds: 0,
    keepFiringForSeconds: 0,
    escalation: DEFAULT_ESCALATION,
  },
  {
    id: 'no-data-producer',
    name: 'No data from a producer for 30 min',
    enabled: true,
    severity: 'medium',
    category: null,
    districts: null,
    condition: { kind: 'no_data', scope: 'producer', minutes: 30 },
    forSeconds: 0,
    keepFiringForSeconds: 0,
    escalation: DEFAULT_ESCALATION,
  },
];

export function defaultRules(region: string, now: Date): AlertRule[] {
  return DRAFTS.map((draft) => ({ ...draft, region, updatedAt: now.toISOString(), updatedBy: 'system' }));
}
