import {
  INCIDENT_CATEGORIES,
  type AccidentEvent,
  type IncidentEvent,
  type MonitorEvent,
} from '@district-monitor/streams';
import { mulberry32 } from '@district-monitor/streams/simulator';

export interface Scenario {
  /** Batches in arrival order: late events, repeats and corrections before or after what they correct. */
  readonly batches: MonitorEvent[][];
  readonly sent: number;
}

const DAY = 86_400_000;

/**
 * Random events for a few districts over the last two years, delivered the way real feeds deliver them:
 * late and out of order, some twice, some corrected (another category, district, time or casualty
 * count, or kind), corrections of corrections, two corrections of one event, corrections arriving
 * before the event they correct, and corrections of events older than the amendment window.
 */
export function randomScenario(seed: number, districts: readonly string[], now: number): Scenario {
  const next = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => {
    const item = list[Math.floor(next() * list.length)];
    if (item === undefined) throw new Error('empty list');
    return item;
  };
  const between = (from: number, to: number) => Math.floor(from + next() * (to - from));
  /** Mostly recent, some weeks old, some from last year (the 365-day and last-year windows). */
  const when = (): number => {
    const r = next();
    if (r < 0.35) return now - between(0, 2 * DAY);
    if (r < 0.6) return now - between(2 * DAY, 60 * DAY);
    if (r < 0.85) return now - between(60 * DAY, 400 * DAY);
    return now - between(400 * DAY, 740 * DAY);
  };
  const event = (eventId: string, occurredAt: number): MonitorEvent => {
    const common = {
      eventId,
      schemaVersion: 1 as const,
      district: pick(districts),
      severity: pick(['low', 'medium', 'high', 'critical'] as const),
      occurredAt: new Date(occurredAt).toISOString(),
      reportedAt: new Date(Math.min(now, occurredAt + between(0, 3 * DAY))).toISOString(),
      source: 'property-test',
    };
    if (next() < 0.25) {
      const accident: AccidentEvent = {
        ...common,
        kind: 'accident',
        category: 'road_accident',
        killed: between(0, 3),
        injured: between(0, 6),
        vehicles: between(1, 4),
      };
      return accident;
    }
    const incident: IncidentEvent = { ...common, kind: 'incident', category: pick(INCIDENT_CATEGORIES) };
    return incident;
  };
  /**
   * A correction of `target` with one or more of its facts changed; about a third change its kind too
   * (an incident reclassified as a road accident, or the reverse).
   */
  const correct = (target: MonitorEvent, eventId: string): MonitorEvent => {
    const changed = event(eventId, next() < 0.5 ? Date.parse(target.occurredAt ?? '') : when());
    return {
      ...changed,
      district: next() < 0.7 ? target.district : changed.district,
      amends: target.eventId,
    };
  };

  const originals = Array.from({ length: between(250, 450) }, (_, i) => event(`s${seed}-e${i}`, when()));
  const all: MonitorEvent[] = [...originals];
  for (const original of originals) {
    const r = next();
    if (r < 0.15) {
      const second = correct(original, `${original.eventId}.v2`);
      all.push(second);
      if (next() < 0.3) all.push(correct(second, `${original.eventId}.v3`)); // a correction of a correction
    } else if (r < 0.18) {
      // Two corrections naming the same event: both count (see event-store.repository.ts).
      all.push(correct(original, `${original.eventId}.a`), correct(original, `${original.eventId}.b`));
    }
  }
  // Arrival: shuffled (corrections may come first), about one in ten delivered twice.
  const arrivals = [...all, ...all.filter(() => next() < 0.1)];
  for (let i = arrivals.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [arrivals[i], arrivals[j]] = [arrivals[j] as MonitorEvent, arrivals[i] as MonitorEvent];
  }
  const batches: MonitorEvent[][] = [];
  for (let i = 0; i < arrivals.length;) {
    const size = between(1, 60);
    batches.push(arrivals.slice(i, i + size));
    i += size;
  }
  return { batches, sent: arrivals.length };
}
