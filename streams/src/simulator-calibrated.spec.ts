import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATEGORIES, type Category } from './categories.js';
import type { MonitorEvent } from './event.schema.js';
import { FLAT_PROFILE, parseRateTable, type RateTable } from './rate-table.js';
import { parseRegion } from './region.js';
import { createSimulator } from './simulator.js';

const region = parseRegion(
  JSON.parse(readFileSync(new URL('../../data/regions/tamil-nadu.json', import.meta.url), 'utf8')),
  'tamil-nadu.json',
);
const districts = region.units.filter((unit) => unit.kind === 'district');
const HOUR = 3_600_000;
const T0 = Date.parse('2023-01-01T00:00:00+05:30');

/** A table with unequal districts (the i-th has i+1 shares) and a strong evening peak. */
const table: RateTable = {
  region: 'TN',
  sources: ['spec'],
  yearly: Object.fromEntries(
    districts.map((d, i) => [
      d.code,
      Object.fromEntries(CATEGORIES.map((c) => [c, 100 * (i + 1)])) as Record<Category, number>,
    ]),
  ),
  killedPerAccident: Object.fromEntries(districts.map((d) => [d.code, 0.2])),
  injuredPerAccident: 1,
  profiles: {
    crime: {
      ...FLAT_PROFILE,
      hourOfDay: Array.from({ length: 24 }, (_, h) => (h >= 18 && h < 22 ? 3.4 : 0.6)),
    },
    accident: FLAT_PROFILE,
  },
};

function run(hours: number, configure?: (sim: ReturnType<typeof createSimulator>) => void, options = {}) {
  const simulator = createSimulator({ region, rates: table, seed: 1, ...options });
  configure?.(simulator);
  simulator.tick(T0);
  const events: MonitorEvent[] = [];
  for (let h = 1; h <= hours; h++) events.push(...simulator.tick(T0 + h * HOUR));
  return { simulator, events };
}

describe('calibrated simulator', () => {
  it('with the Tamil Nadu table, over a simulated year at seed 1, gives each district its yearly rate within 10%', () => {
    const rates = parseRateTable(
      JSON.parse(readFileSync(new URL('../../data/rates/tamil-nadu.json', import.meta.url), 'utf8')),
      'tamil-nadu.json',
    );
    const simulator = createSimulator({ region, rates, seed: 1 });
    simulator.tick(T0);
    const counts = new Map<string, number>();
    for (let h = 1; h <= 24 * 365; h++) {
      for (const e of simulator.tick(T0 + h * HOUR))
        counts.set(e.district, (counts.get(e.district) ?? 0) + 1);
    }
    expect(simulator.expectedYearly.size).toBe(38);
    for (const [district, expected] of simulator.expectedYearly) {
      const ratio = (counts.get(district) ?? 0) / (expected * (365 / 365.25));
      expect(ratio, district).toBeGreaterThan(0.9);
      expect(ratio, district).toBeLessThan(1.1);
    }
  });

  it('follows the time-of-day profile in the region local time', () => {
    const { events } = run(24 * 28);
    const crimes = events.filter((e) => e.kind === 'incident');
    const evening = crimes.filter((e) => {
      const hour = (new Date(e.occurredAt ?? '').getUTCHours() + 5.5) % 24; // IST
      return hour >= 18 && hour < 22;
    }).length;
    // 4 of 24 hours at 3.4 against 20 at 0.6: the evening holds 4*3.4 / (4*3.4 + 20*0.6) = 53% of crimes.
    expect(evening / crimes.length).toBeCloseTo(0.53, 1);
  });

  // Two simulated runs of 4 days at 40 times the real volume: CPU-bound, slow when the machine is busy.
  it(
    'shows a x3 surge in the hourly counts of the surging district and in no other',
    { timeout: 120_000 },
    () => {
      const target = 'TN-MDU';
      const from = T0 + 48 * HOUR;
      const surge = { district: target, factor: 3, fromMs: from, untilMs: from + 48 * HOUR };
      const base = run(24 * 4, undefined, { multiplier: 40 }).events;
      const surged = run(
        24 * 4,
        (sim) => {
          sim.addSurge(surge);
        },
        { multiplier: 40 },
      ).events;
      const inWindow = (events: MonitorEvent[], district: string) =>
        events.filter(
          (e) =>
            e.district === district &&
            Date.parse(e.occurredAt ?? '') >= from &&
            Date.parse(e.occurredAt ?? '') < from + 48 * HOUR,
        ).length;
      const ratio = (district: string) => inWindow(surged, district) / inWindow(base, district);
      expect(ratio(target)).toBeGreaterThan(2.6);
      expect(ratio(target)).toBeLessThan(3.4);
      for (const other of ['TN-CHN', 'TN-SLM', 'TN-TNV']) {
        expect(ratio(other)).toBeGreaterThan(0.85);
        expect(ratio(other)).toBeLessThan(1.15);
      }
    },
  );

  it('sends late reports, duplicates and amendments at their configured shares', () => {
    const { events } = run(24 * 30, undefined, {
      multiplier: 5,
      dirt: { late: 0.1, duplicate: 0.05, amendment: 0.02 },
    });
    const originals = events.filter((e) => e.amends === undefined);
    const ids = new Map<string, number>();
    for (const e of originals) ids.set(e.eventId, (ids.get(e.eventId) ?? 0) + 1);
    const unique = ids.size;
    const duplicates = originals.length - unique;
    const amendments = events.filter((e) => e.amends !== undefined);
    const late = [...new Map(originals.map((e) => [e.eventId, e])).values()].filter(
      (e) => Date.parse(e.reportedAt) - Date.parse(e.occurredAt ?? '') > 30 * 60_000,
    ).length;
    expect(duplicates / unique).toBeCloseTo(0.05, 1);
    expect(amendments.length / unique).toBeCloseTo(0.02, 1);
    expect(late / unique).toBeGreaterThan(0.07); // 10% late, minus those still pending at the end
    expect(late / unique).toBeLessThan(0.11);
    for (const amendment of amendments) expect(ids.has(amendment.amends ?? '')).toBe(true);
  });

  it('refuses a surge for a district it does not simulate, and a bad factor', () => {
    const { simulator } = run(0);
    expect(() => {
      simulator.addSurge({ district: 'TN-NOPE', factor: 3, fromMs: 0, untilMs: 1 });
    }).toThrow('not simulated');
    expect(() => {
      simulator.addSurge({ district: 'TN-MDU', factor: -1, fromMs: 0, untilMs: 1 });
    }).toThrow('>= 0');
  });
});
