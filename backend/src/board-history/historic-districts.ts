import type { Category, HistoricDistrict } from '@district-monitor/streams';
import type { CategoryCount, StoredScore } from './board-history.repository.js';

/**
 * Each district as it stood over the window, in `codes` order: its events per category, its last stored
 * score (null when none was stored yet) and its alerts open at some time in the window.
 */
export function historicDistricts(
  codes: readonly string[],
  counts: readonly CategoryCount[],
  scores: readonly StoredScore[],
  openAlerts: ReadonlyMap<string, number>,
): HistoricDistrict[] {
  const byDistrict = new Map<string, Partial<Record<Category, number>>>();
  for (const row of counts) {
    const categories = byDistrict.get(row.district) ?? {};
    categories[row.category] = (categories[row.category] ?? 0) + row.count;
    byDistrict.set(row.district, categories);
  }
  const scoreOf = new Map(scores.map((score) => [score.district, score]));
  return codes.map((code) => {
    const byCategory = byDistrict.get(code) ?? {};
    const score = scoreOf.get(code);
    return {
      code,
      count: Object.values(byCategory).reduce((sum, n) => sum + n, 0),
      byCategory,
      elevated: score?.elevated ?? null,
      expectedCount: score?.expectedCount ?? null,
      openAlerts: openAlerts.get(code) ?? 0,
    };
  });
}
