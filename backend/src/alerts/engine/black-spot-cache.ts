import type { AlertRule } from '@district-monitor/streams';
import { densestSpot, type BlackSpot, type Point } from './black-spot.js';

/** Black spots are recomputed at least this often (the window slides), and at once for districts with new accidents. */
export const BLACK_SPOT_REFRESH_MS = 60_000;

/** Reads a district's accident points in a time range (the repository). */
export type AccidentPoints = (district: string, from: Date, to: Date) => Promise<Point[]>;

/** The densest accident spot per black-spot rule and district, recomputed when stale or new accidents came. */
export class BlackSpotCache {
  private readonly spots = new Map<string, { at: number; spot: BlackSpot | null }>();
  private readonly stale = new Set<string>();

  constructor(private readonly points: AccidentPoints) {}

  /** A batch brought accidents of the district: its spots are recomputed at its next evaluation. */
  accidentsIn(district: string): void {
    this.stale.add(district);
  }

  /** The districts among these with accidents not looked at yet. */
  staleOf(districts: readonly string[]): string[] {
    return districts.filter((d) => this.stale.has(d));
  }

  /** Recomputes the spots of the enabled black-spot rules for the districts that are stale or too old. */
  async refresh(rules: Iterable<AlertRule>, districts: readonly string[], now: number): Promise<void> {
    for (const rule of rules) {
      const c = rule.condition;
      if (!rule.enabled || c.kind !== 'black_spot') continue;
      for (const district of districts) {
        const key = `${rule.id}/${district}`;
        const cached = this.spots.get(key);
        if (cached !== undefined && !this.stale.has(district) && now - cached.at < BLACK_SPOT_REFRESH_MS)
          continue;
        const points = await this.points(
          district,
          new Date(now - c.hours * 3_600_000),
          new Date(now + 60_000),
        );
        this.spots.set(key, { at: now, spot: densestSpot(points, c.radiusKm) });
      }
    }
    for (const district of districts) this.stale.delete(district);
  }

  /** The rule's spot in the district as last computed; undefined until then. */
  spotOf(rule: AlertRule, district: string): BlackSpot | null | undefined {
    return this.spots.get(`${rule.id}/${district}`)?.spot;
  }
}
