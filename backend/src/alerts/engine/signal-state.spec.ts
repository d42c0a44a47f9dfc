import type { AlertRule, MonitorEvent } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import type { CountChange } from '../../database/event-store.repository.js';
import { ARRIVALS_LOOKBACK_MS } from './arrivals.js';
import { BLACK_SPOT_REFRESH_MS } from './black-spot-cache.js';
import type { Point } from './black-spot.js';
import { T0, ruleFixture } from './record.fixture.js';
import { MAX_MINUTE_SPAN, SignalState, type SignalStore } from './signal-state.js';

const MIN = 60_000;
const DISTRICTS = ['TN-CHN', 'TN-MDU'];

function event(id: string, district: string, reportedAt: number, extra: Partial<MonitorEvent> = {}) {
  return {
    eventId: id,
    schemaVersion: 1,
    kind: 'incident',
    category: 'crime_body',
    district,
    severity: 'medium',
    occurredAt: new Date(reportedAt - 5 * MIN).toISOString(),
    reportedAt: new Date(reportedAt).toISOString(),
    ...extra,
  } as MonitorEvent;
}

const accident = (district: string): CountChange => ({
  district,
  category: 'road_accident',
  occurredAt: new Date(T0),
  events: 1,
  killed: 0,
  injured: 1,
});

/** A store that answers from fixed rows and records what was asked. */
function store(points: Point[] = []) {
  const asked: string[] = [];
  const fake: SignalStore = {
    minuteCounts: (from) => {
      asked.push(`minutes since ${from.getTime()}`);
      return Promise.resolve([
        { district: 'TN-CHN', category: 'crime_body', minute: new Date(T0 - 10 * MIN), events: 4 },
      ]);
    },
    lastArrivals: (from) => {
      asked.push(`arrivals since ${from.getTime()}`);
      return Promise.resolve({
        districts: new Map([['TN-CHN', T0 - 30 * MIN]]),
        producers: new Map([['cctns', T0 - 30 * MIN]]),
      });
    },
    accidentPoints: (district) => {
      asked.push(`points of ${district}`);
      return Promise.resolve(points);
    },
  };
  return { fake, asked };
}

const services = { features: { current: () => undefined }, scoring: { scoreOf: () => undefined } };

describe('SignalState', () => {
  it('loads the minute counts and last arrivals the start can look back to', async () => {
    const { fake, asked } = store();
    const state = new SignalState(DISTRICTS, fake, services, T0);
    await state.load(T0);
    expect(asked).toEqual([
      `minutes since ${T0 - MAX_MINUTE_SPAN * MIN}`,
      `arrivals since ${T0 - ARRIVALS_LOOKBACK_MS}`,
    ]);
    expect(state.minutes.sum('TN-CHN', 'crime_body', T0 - 60 * MIN, T0)).toBe(4);
    const sources = state.sources();
    expect(sources.lastSeen('TN-CHN')).toBe(T0 - 30 * MIN);
    expect(sources.lastSeen('TN-MDU')).toBe(T0);
    expect(state.arrivals.producerArrivals()).toEqual([['cctns', T0 - 30 * MIN]]);
    expect(state.arrivals.watchedSince).toBe(T0 - ARRIVALS_LOOKBACK_MS);
  });

  it('counts a batch by report time, not corrections, and says which districts it touched', () => {
    const state = new SignalState(DISTRICTS, store().fake, services, T0);
    const late = event('e1', 'TN-CHN', T0 - 2 * MIN);
    const future = event('e2', 'TN-CHN', T0 + 30 * MIN);
    const correction = event('e3', 'TN-MDU', T0 - MIN, { amends: 'e0' });
    const repeat = event('e4', 'TN-MDU', T0, { source: 'irad' });
    const touched = state.batch(
      { changes: [], received: [late, future, correction, repeat], stored: [late, future, correction] },
      T0,
    );
    expect([...touched]).toEqual(['TN-CHN', 'TN-MDU']);
    // the future report counts at `now`; the correction is no new report
    expect(state.minutes.sum('TN-CHN', 'crime_body', T0 - 3 * MIN, T0 + MIN)).toBe(2);
    expect(state.minutes.sum('TN-MDU', null, T0 - 3 * MIN, T0 + MIN)).toBe(0);
    expect(state.sources().lastSeen('TN-MDU')).toBe(T0);
    expect(state.arrivals.producerArrivals()).toEqual([['irad', T0]]);
  });

  it('recomputes black spots when accidents came or the refresh period ran out, not otherwise', async () => {
    const points = [
      { lat: 13.08, lon: 80.27 },
      { lat: 13.081, lon: 80.271 },
      { lat: 13.0805, lon: 80.2705 },
    ];
    const { fake, asked } = store(points);
    const state = new SignalState(DISTRICTS, fake, services, T0);
    const rule: AlertRule = ruleFixture('spot', {
      condition: { kind: 'black_spot', minAccidents: 3, radiusKm: 0.5, hours: 24 },
    });
    await state.blackSpots.refresh([rule], ['TN-CHN'], T0);
    expect(asked).toEqual(['points of TN-CHN']);
    expect(state.sources().blackSpot(rule, 'TN-CHN')?.accidents).toBe(3);
    expect(state.sources().blackSpot(rule, 'TN-MDU')).toBeUndefined();

    await state.refreshStaleBlackSpots([rule], ['TN-CHN'], T0 + MIN / 2);
    await state.blackSpots.refresh([rule], ['TN-CHN'], T0 + MIN / 2);
    expect(asked).toHaveLength(1);

    state.batch({ changes: [accident('TN-CHN')], received: [], stored: [] }, T0 + MIN / 2);
    await state.refreshStaleBlackSpots([rule], ['TN-CHN', 'TN-MDU'], T0 + MIN / 2);
    expect(asked).toEqual(['points of TN-CHN', 'points of TN-CHN']);

    await state.blackSpots.refresh([rule], ['TN-CHN'], T0 + MIN / 2 + BLACK_SPOT_REFRESH_MS);
    expect(asked).toHaveLength(3);
    await state.blackSpots.refresh([{ ...rule, enabled: false }], ['TN-MDU'], T0 + MIN / 2);
    expect(asked).toHaveLength(3);
  });
});
