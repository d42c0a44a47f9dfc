import { z } from 'zod';
import { ACCIDENT_CATEGORIES, INCIDENT_CATEGORIES, SEVERITIES } from './categories.js';
import { UNIT_CODE_PATTERN } from './region.js';
import { isBidiControl, isNoncharacter } from './strict-json.js';

/** The only schema version this contract defines. */
export const SCHEMA_VERSION = 1;

/** Upper bound on one encoded event; anything larger is rejected before parsing. */
export const MAX_EVENT_BYTES = 16 * 1024;

const RANGE_ISSUES = new Set(['too_small', 'too_big', 'not_multiple_of']);

/**
 * Error text for a wrong value: "required" when the field is absent, else what was expected.
 * Range checks keep zod's own message ("Too small: expected number to be >=0").
 */
const expected =
  (what: string) =>
  (issue: { code?: string; input?: unknown }): string | undefined => {
    if (issue.code !== undefined && RANGE_ISSUES.has(issue.code)) return undefined;
    return issue.input === undefined ? 'required' : `expected ${what}`;
  };

const EVENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

const eventId = z
  .string({ error: expected('a string') })
  .regex(EVENT_ID_PATTERN, 'expected 1-128 characters: letters, digits and . _ : / - (not first)');

const unitCode = z
  .string({ error: expected('a string') })
  .regex(UNIT_CODE_PATTERN, 'expected a unit code such as "TN-CHN" (region prefix, dash, 2-10 A-Z/0-9)');

const instant = z.iso
  .datetime({
    offset: true,
    error: expected('an ISO 8601 date-time with a time zone, e.g. 2024-05-01T10:15:00+05:30'),
  })
  // PostgreSQL's timestamptz cannot hold year 0; nothing this service records predates 1900.
  .refine((value) => {
    const year = new Date(value).getUTCFullYear();
    return year >= 1900 && year <= 9999;
  }, 'year must be from 1900 to 9999')
  .refine(storableOffset, 'zone offset must be from -15:59 to +15:59');

/**
 * Whether the text is storable and reads as it is: no control characters (PostgreSQL cannot store NUL),
 * no lone UTF-16 surrogates (not valid in PostgreSQL's JSON), no bidirectional overrides or isolates
 * (U+202A-U+202E, U+2066-U+2069) and no noncharacters (U+FFFE, U+FFFF, U+FDD0-U+FDEF, ...).
 */
function storable(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return false;
    if (isBidiControl(code)) return false;
    if (code >= 0xdc00 && code <= 0xdfff) return false; // a low surrogate without its high half
    let codePoint = code;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      codePoint = (code - 0xd800) * 0x400 + (next - 0xdc00) + 0x10000;
      i++;
    }
    if (isNoncharacter(codePoint)) return false;
  }
  return true;
}

/**
 * PostgreSQL's timestamptz takes zone offsets up to 15:59 either way; a larger one (+16:00 to +23:59,
 * which ISO 8601's pattern allows) would be accepted here and refused when stored.
 */
function storableOffset(value: string): boolean {
  const offset = /([+-])(\d\d):?(\d\d)?$/.exec(value);
  return offset === null || Number(offset[2]) <= 15;
}

const common = {
  eventId,
  schemaVersion: z.literal(SCHEMA_VERSION, { error: expected(String(SCHEMA_VERSION)) }),
  district: unitCode,
  /** Police unit that registered the event (a city commissionerate, railway police), when not the district police. */
  unit: unitCode.optional(),
  severity: z.enum(SEVERITIES, { error: expected(`one of ${SEVERITIES.join(', ')}`) }),
  /** When it happened, if known exactly. Exactly one of `occurredAt` and `occurredWindow`. */
  occurredAt: instant.optional(),
  /** When the exact time is unknown: the span it happened in. */
  occurredWindow: z
    .strictObject({ start: instant, end: instant }, { error: expected('{ start, end }') })
    .optional(),
  reportedAt: instant,
  location: z
    .strictObject(
      {
        lat: z
          .number({ error: expected('a number') })
          .min(-90)
          .max(90),
        lon: z
          .number({ error: expected('a number') })
          .min(-180)
          .max(180),
      },
      { error: expected('{ lat, lon }') },
    )
    .optional(),
  /** The `eventId` of an earlier event this one corrects (reclassified, back-dated). */
  amends: eventId.optional(),
  /** Producer identifier, e.g. `cctns-chennai` or `simulator`. */
  source: z
    .string({ error: expected('a string') })
    .min(1)
    .max(64)
    .refine(
      storable,
      'control characters, lone surrogates, bidirectional overrides and noncharacters are not allowed',
    )
    .optional(),
};

const count = (max: number) =>
  z
    .number({ error: expected('a whole number') })
    .int('expected a whole number')
    .min(0)
    .max(max);

export const incidentEventSchema = z.strictObject({
  ...common,
  kind: z.literal('incident'),
  category: z.enum(INCIDENT_CATEGORIES, {
    error: expected(`one of ${INCIDENT_CATEGORIES.join(', ')}`),
  }),
});

export const accidentEventSchema = z.strictObject({
  ...common,
  kind: z.literal('accident'),
  category: z.enum(ACCIDENT_CATEGORIES, {
    error: expected(`one of ${ACCIDENT_CATEGORIES.join(', ')}`),
  }),
  killed: count(1000),
  injured: count(10000),
  vehicles: count(500).min(1, 'a road accident involves at least one vehicle'),
});

/** Version 1 of the event contract: an incident or a road accident. */
export const eventSchema = z.discriminatedUnion('kind', [incidentEventSchema, accidentEventSchema], {
  error: expected('kind "incident" or "accident"'),
});

export type IncidentEvent = z.infer<typeof incidentEventSchema>;
export type AccidentEvent = z.infer<typeof accidentEventSchema>;
export type MonitorEvent = z.infer<typeof eventSchema>;

/** The JSON Schema of the contract, for producers in other languages. */
export function eventJsonSchema(): unknown {
  return z.toJSONSchema(eventSchema);
}
