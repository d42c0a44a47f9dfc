import type { Alert, BoardHistory, Category, HistoricDistrict } from '@district-monitor/streams';
import { floorToMinute } from '../../lib/ist-input';
import { HIGH_FROM, MEDIUM_FROM, riskLevel, riskRank, type RiskLevel } from '../../lib/risk';

const HOUR = 3_600_000;

export interface HistoryWindow {
  /** ISO instants, as the route query and the server take them. */
  readonly from: string;
  readonly to: string;
}

/** The window of `hours` ending at the current minute. */
export function windowEndingNow(hours: number, now: number): HistoryWindow {
  const to = floorToMinute(now);
  return { from: new Date(to - hours * HOUR).toISOString(), to: new Date(to).toISOString() };
}

/** The route's `from`/`to` when both are given (the server judges them), else undefined. */
export function windowFromQuery(query: Readonly<Record<string, unknown>>): HistoryWindow | undefined {
  const { from, to } = query;
  return typeof from === 'string' && from !== '' && typeof to === 'string' && to !== ''
    ? { from, to }
    : undefined;
}

/** Plain names of the categories, as the table shows them. */
export const CATEGORY_NAME: Readonly<Record<Category, string>> = {
  crime_body: 'Body',
  crime_property: 'Property',
  crime_women: 'Women',
  crime_children: 'Children',
  suicide: 'Suicide',
  harassment: 'Harassment',
  other: 'Other',
  road_accident: 'Road accidents',
};

/** The model band risk.ts draws for P(elevated); unknown when no score was stored yet. */
export function modelBand(elevated: number | null): RiskLevel {
  if (elevated === null || !Number.isFinite(elevated)) return 'unknown';
  if (elevated >= HIGH_FROM) return 'high';
  if (elevated >= MEDIUM_FROM) return 'medium';
  return 'low';
}

/**
 * A district's risk as the board would have drawn it in the window: the higher of the model band of
 * its last stored score and the most severe of its alerts open then (whatever state they reached
 * later: `riskLevel` skips resolved alerts, so they are passed as they stood, open).
 */
export function historicRisk(elevated: number | null, alertsThen: readonly Alert[]): RiskLevel {
  const model = modelBand(elevated);
  const asOpen = alertsThen.map((alert): Alert =>
    alert.state === 'resolved' ? { ...alert, state: 'firing' } : alert,
  );
  const fromAlerts = riskLevel(undefined, asOpen);
  return riskRank(fromAlerts) > riskRank(model) ? fromAlerts : model;
}

export interface HistoryRow {
  readonly code: string;
  readonly name: string;
  readonly count: number;
  /** Up to three categories with events, most first. */
  readonly topCategories: readonly { readonly category: Category; readonly count: number }[];
  readonly elevated: number | null;
  readonly openAlerts: number;
  readonly risk: RiskLevel;
}

function topCategories(district: HistoricDistrict): HistoryRow['topCategories'] {
  return (Object.entries(district.byCategory) as [Category, number | undefined][])
    .filter((entry): entry is [Category, number] => entry[1] !== undefined && entry[1] > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 3)
    .map(([category, count]) => ({ category, count }));
}

/** The window's districts, highest risk first, then most events, then name. */
export function rankHistory(history: BoardHistory, names: ReadonlyMap<string, string>): HistoryRow[] {
  const alertsByDistrict = new Map<string, Alert[]>();
  for (const alert of history.alerts) {
    const list = alertsByDistrict.get(alert.labels.district);
    if (list === undefined) alertsByDistrict.set(alert.labels.district, [alert]);
    else list.push(alert);
  }
  return history.districts
    .map((district): HistoryRow => ({
      code: district.code,
      name: names.get(district.code) ?? district.code,
      count: district.count,
      topCategories: topCategories(district),
      elevated: district.elevated,
      openAlerts: district.openAlerts,
      risk: historicRisk(district.elevated, alertsByDistrict.get(district.code) ?? []),
    }))
    .sort((a, b) => riskRank(b.risk) - riskRank(a.risk) || b.count - a.count || a.name.localeCompare(b.name));
}
