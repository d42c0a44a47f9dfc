import type { Alert, DistrictScore, Severity } from '@district-monitor/streams';

/** A district's risk as the board colours it; `unknown` = no model score and no open alert. */
export type RiskLevel = 'unknown' | 'low' | 'medium' | 'high';

/** Lowest to highest: the order of the legend and of the ranking. */
export const RISK_LEVELS: readonly RiskLevel[] = ['unknown', 'low', 'medium', 'high'];

/**
 * Model bands on P(next 7 days in the district's own top tercile). A third of weeks are in the top
 * tercile by definition, so ~0.33 is "as usual": below 0.4 is low, 0.4 up to 0.6 is medium (somewhat
 * above usual), 0.6 and above is high (the default `risk` alert rule also fires at 0.6).
 */
export const MEDIUM_FROM = 0.4;
export const HIGH_FROM = 0.6;

export const RISK_LABEL: Readonly<Record<RiskLevel, string>> = {
  unknown: 'Unknown',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
};

/** What an open alert of each severity raises the district to. */
const SEVERITY_RISK: Readonly<Record<Severity, RiskLevel>> = {
  low: 'low',
  medium: 'medium',
  high: 'high',
  critical: 'high',
};

/** 0 (unknown) to 3 (high), for sorting. */
export function riskRank(level: RiskLevel): number {
  return RISK_LEVELS.indexOf(level);
}

/** The model's band for P(elevated), or `unknown` without a score. */
export function modelRisk(score: DistrictScore | undefined): RiskLevel {
  if (score === undefined || !Number.isFinite(score.elevated)) return 'unknown';
  if (score.elevated >= HIGH_FROM) return 'high';
  if (score.elevated >= MEDIUM_FROM) return 'medium';
  return 'low';
}

/** The higher of the model band and the most severe of the district's open (not resolved) alerts. */
export function riskLevel(score: DistrictScore | undefined, openAlerts: readonly Alert[]): RiskLevel {
  let level = modelRisk(score);
  for (const alert of openAlerts) {
    if (alert.state === 'resolved') continue;
    const raised = SEVERITY_RISK[alert.labels.severity];
    if (riskRank(raised) > riskRank(level)) level = raised;
  }
  return level;
}

/**
 * Fill colours on the dark theme: a sequential ramp (teal, amber, red) that stays distinct for the
 * common colour-vision deficiencies by lightness too; grey for unknown. The level is always also
 * written in words next to the map (legend, table, labels).
 */
const COLOURS: Readonly<Record<RiskLevel, string>> = {
  unknown: '#3a4761',
  low: '#1f8a70',
  medium: '#e0a526',
  high: '#e5484d',
};

export function riskColour(level: RiskLevel): string {
  return COLOURS[level];
}
