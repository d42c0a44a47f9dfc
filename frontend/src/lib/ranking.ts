import type { Alert, DistrictFeatures, DistrictScore } from '@district-monitor/streams';
import { forecastLocalDay } from './district-series';
import { riskLevel, riskRank, type RiskLevel } from './risk';

/** One line of the state view's ranked table. */
export interface DistrictRow {
  readonly code: string;
  /** As the registry spells it. */
  readonly name: string;
  /** Events that occurred in the board's window (24 h). */
  readonly count: number;
  readonly risk: RiskLevel;
  /** P(elevated week) from the active model; null without a score. */
  readonly elevated: number | null;
  /** Incidents in the last 24 h from the latest features push; null until one arrived. */
  readonly observed: number | null;
  /** The model's incident forecast for today (the region's local day): point and 80% band. */
  readonly forecast: { readonly point: number; readonly lower: number; readonly upper: number } | null;
  readonly openAlerts: number;
}

export interface RankingInput {
  readonly districts: readonly { readonly code: string; readonly name: string; readonly count: number }[];
  readonly scores: ReadonlyMap<string, DistrictScore>;
  readonly features: ReadonlyMap<string, DistrictFeatures>;
  readonly alerts: ReadonlyMap<string, readonly Alert[]>;
  /** Today in the region's zone, `YYYY-MM-DD`. */
  readonly today: string;
  /** The region's zone, in which the forecast's days are read. */
  readonly timeZone: string;
}

const NO_ALERTS: readonly Alert[] = [];

/** Highest risk first, then most events, then name: what needs eyes comes first. */
export function rankDistricts(input: RankingInput): DistrictRow[] {
  return input.districts
    .map(({ code, name, count }): DistrictRow => {
      const score = input.scores.get(code);
      const alerts = input.alerts.get(code) ?? NO_ALERTS;
      const today = score?.forecast.find(
        (entry) => forecastLocalDay(entry.day, input.timeZone) === input.today,
      );
      return {
        code,
        name,
        count,
        risk: riskLevel(score, alerts),
        elevated: score?.elevated ?? null,
        observed: input.features.get(code)?.incidents.counts['24h'] ?? null,
        forecast: today === undefined ? null : { point: today.point, lower: today.lower, upper: today.upper },
        openAlerts: alerts.filter((alert) => alert.state !== 'resolved').length,
      };
    })
    .sort((a, b) => riskRank(b.risk) - riskRank(a.risk) || b.count - a.count || a.name.localeCompare(b.name));
}
