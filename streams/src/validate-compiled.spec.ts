import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventSchema, parseRegion } from './index.js';
import { createSimulator } from './simulator.js';

/**
 * The validator parses with `z.compile(eventSchema)` (validate.ts). The compiled parser must agree with
 * zod's runtime parser on every input: the same success, the same output, the same issues. Checked on
 * simulated incidents and accidents, and on each of them changed in one field (a window, an amendment,
 * values the schema refuses or only just accepts).
 */
const region = parseRegion(
  JSON.parse(readFileSync(new URL('../../data/regions/tamil-nadu.json', import.meta.url), 'utf8')),
  'tamil-nadu.json',
);
const compiled = z.compile(eventSchema);

type Json = Record<string, unknown>;

/** One-field changes: each names what it does, for the failure message. */
const CHANGES: readonly [string, (event: Json) => void][] = [
  ['no eventId', (e) => delete e.eventId],
  ['eventId with a space', (e) => (e.eventId = 'a b')],
  ['eventId of 129 characters', (e) => (e.eventId = `a${'b'.repeat(128)}`)],
  ['schemaVersion 2', (e) => (e.schemaVersion = 2)],
  ['district lower case', (e) => (e.district = 'tn-chn')],
  ['unit given', (e) => (e.unit = 'TN-CHN')],
  ['unit a number', (e) => (e.unit = 7)],
  ['severity unknown', (e) => (e.severity = 'extreme')],
  ['kind unknown', (e) => (e.kind = 'fire')],
  ['category of the other kind', (e) => (e.category = e.kind === 'incident' ? 'road_accident' : 'suicide')],
  ['occurredAt without zone', (e) => (e.occurredAt = '2024-05-01T10:15:00')],
  ['occurredAt +05:30', (e) => (e.occurredAt = '2024-05-01T10:15:00+05:30')],
  ['occurredAt +16:00', (e) => (e.occurredAt = '2024-05-01T10:15:00+16:00')],
  ['occurredAt in 1899', (e) => (e.occurredAt = '1899-12-31T23:59:59Z')],
  ['occurredAt 29 February 2023', (e) => (e.occurredAt = '2023-02-29T10:00:00Z')],
  ['occurredAt 29 February 2024', (e) => (e.occurredAt = '2024-02-29T10:00:00.123456Z')],
  ['occurredAt a number', (e) => (e.occurredAt = 1714550400000)],
  ['reportedAt lower-case t', (e) => (e.reportedAt = '2024-05-01t10:15:00Z')],
  [
    'window instead of time',
    (e) => {
      delete e.occurredAt;
      e.occurredWindow = { start: '2024-05-01T08:00:00Z', end: '2024-05-01T10:00:00Z' };
    },
  ],
  ['window with an extra key', (e) => (e.occurredWindow = { start: 'x', end: 'y', mid: 'z' })],
  ['window an array', (e) => (e.occurredWindow = ['2024-05-01T08:00:00Z'])],
  ['location out of range', (e) => (e.location = { lat: 91, lon: 0 })],
  ['location with altitude', (e) => (e.location = { lat: 1, lon: 2, alt: 3 })],
  ['location null', (e) => (e.location = null)],
  ['amends given', (e) => (e.amends = 'cctns-chn-0001')],
  ['source empty', (e) => (e.source = '')],
  ['source with a control character', (e) => (e.source = 'a\u0007b')],
  ['source with a bidi override', (e) => (e.source = 'a\u202eb')],
  ['source of 65 characters', (e) => (e.source = 's'.repeat(65))],
  ['unknown field', (e) => (e.note = 'hello')],
  ['killed 1.5', (e) => (e.killed = 1.5)],
  ['killed -1', (e) => (e.killed = -1)],
  ['vehicles 0', (e) => (e.vehicles = 0)],
  ['vehicles 500', (e) => (e.vehicles = 500)],
  ['injured a string', (e) => (e.injured = '2')],
];

describe('the compiled event schema', () => {
  it('agrees with the runtime parser on simulated events and on each one-field change', () => {
    const simulator = createSimulator({
      region,
      ratePerSecond: 1,
      seed: 20,
      source: 'spec',
    });
    const events = simulator.burst(400, Date.parse('2024-05-01T12:00:00Z')) as unknown as Json[];
    let accepted = 0;
    let refused = 0;
    let windowed = 0;
    let amending = 0;
    for (const [index, event] of events.entries()) {
      // Every change, each on about 11 different events.
      const [name, change] = CHANGES[index % CHANGES.length] ?? ['none', () => undefined];
      const changed = structuredClone(event);
      change(changed);
      for (const [label, input] of [
        ['as simulated', event],
        [name, changed],
      ] as const) {
        const runtime = eventSchema.safeParse(input);
        const fast = compiled.safeParse(input);
        expect(fast.success, `${label}: ${JSON.stringify(input)}`).toBe(runtime.success);
        if (runtime.success && fast.success) {
          expect(fast.data).toStrictEqual(runtime.data);
          accepted++;
          if (runtime.data.occurredWindow !== undefined) windowed++;
          if (runtime.data.amends !== undefined) amending++;
        } else {
          expect(fast.error?.issues).toStrictEqual(runtime.error?.issues);
          refused++;
        }
      }
    }
    // The sample holds both outcomes, and windowed, amending and accident events among those accepted.
    expect(accepted).toBeGreaterThan(400);
    expect(refused).toBeGreaterThan(100);
    expect(windowed).toBeGreaterThan(5);
    expect(amending).toBeGreaterThan(5);
    expect(events.some((event) => event.kind === 'accident')).toBe(true);
  });

  it('is compiled: zod generated a parser for the whole schema instead of refusing a part of it', () => {
    expect(() => z.compile(eventSchema, { strict: true })).not.toThrow();
  });
});
