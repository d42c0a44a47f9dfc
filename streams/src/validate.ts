import { z } from 'zod';
import { eventSchema, MAX_EVENT_BYTES, type MonitorEvent } from './event.schema.js';
import type { EventKind } from './topics.js';
import type { Region, RegionUnit } from './region.js';
import { decodeUtf8, parseStrictJson } from './strict-json.js';

export type Validation = { ok: true; event: MonitorEvent } | { ok: false; reason: string };

export interface ValidatorOptions {
  /** The region whose districts and units are accepted. */
  region: Region;
  /** Largest accepted encoded event, in bytes. */
  maxBytes?: number;
  /** How far `occurredAt` / `reportedAt` may lie in the future of the receiver's clock. */
  clockSkewMs?: number;
  /** The receiver's clock; tests pin it. */
  now?: () => number;
}

export interface EventValidator {
  /** Validates an encoded event (a Kafka message value or one NDJSON line). */
  decode(raw: string | Uint8Array, expectedKind?: EventKind): Validation;
  /** Validates an already parsed value (an element of a JSON array body). */
  check(value: unknown, expectedKind?: EventKind): Validation;
}

/**
 * The event schema compiled ahead of time by zod (`z.compile`): the same schema and the same results, a
 * generated parser tried first and zod's runtime parser on any failure, so a rejection keeps the runtime's
 * issues and reasons. About 3-4 times faster on valid events (docs/ingest.md, "Where a batch's time goes");
 * where code generation is unavailable zod returns the schema unchanged.
 */
let compiledEventSchema: typeof eventSchema | undefined;

/** Compiled at the first validator, not at import: a page that only imports the contract never compiles. */
function compiledSchema(): typeof eventSchema {
  compiledEventSchema ??= z.compile(eventSchema);
  return compiledEventSchema;
}

/**
 * One validator for every entry point (Kafka, HTTP, in-process). Every rejection carries a reason
 * that names the offending field, so a producer can fix the event without reading our code.
 */
export function createEventValidator(options: ValidatorOptions): EventValidator {
  const maxBytes = options.maxBytes ?? MAX_EVENT_BYTES;
  const skewMs = options.clockSkewMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const units = new Map<string, RegionUnit>(options.region.units.map((unit) => [unit.code, unit]));
  const schema = compiledSchema();

  function check(value: unknown, expectedKind?: EventKind): Validation {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, reason: 'event: expected a JSON object' };
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) return { ok: false, reason: describeIssues(parsed.error.issues) };
    const event = parsed.data;
    const reason = checkSemantics(event, expectedKind);
    return reason === undefined ? { ok: true, event } : { ok: false, reason };
  }

  function checkSemantics(event: MonitorEvent, expectedKind?: EventKind): string | undefined {
    if (expectedKind !== undefined && event.kind !== expectedKind) {
      return `kind: "${event.kind}" event on the ${expectedKind} stream`;
    }
    const district = units.get(event.district);
    if (district?.kind !== 'district') {
      return `district: unknown district "${event.district}" in region ${options.region.code}`;
    }
    if (event.unit !== undefined) {
      const unit = units.get(event.unit);
      if (unit === undefined) return `unit: unknown unit "${event.unit}" in region ${options.region.code}`;
      if (unit.parent !== undefined && unit.parent !== event.district) {
        return `unit: ${event.unit} belongs to district ${unit.parent}, not ${event.district}`;
      }
    }
    if ((event.occurredAt === undefined) === (event.occurredWindow === undefined)) {
      return 'occurredAt: give exactly one of occurredAt and occurredWindow';
    }
    const reported = Date.parse(event.reportedAt);
    const latest = now() + skewMs;
    if (reported > latest) return 'reportedAt: lies in the future';
    const occurred =
      event.occurredAt !== undefined
        ? Date.parse(event.occurredAt)
        : Date.parse((event.occurredWindow as { end: string }).end);
    if (event.occurredWindow !== undefined && Date.parse(event.occurredWindow.start) > occurred) {
      return 'occurredWindow: start is after end';
    }
    if (occurred > reported + skewMs) return 'occurredAt: after reportedAt';
    if (event.amends === event.eventId) return 'amends: an event cannot amend itself';
    return undefined;
  }

  function decode(raw: string | Uint8Array, expectedKind?: EventKind): Validation {
    const size = typeof raw === 'string' ? Buffer.byteLength(raw, 'utf8') : raw.byteLength;
    if (size > maxBytes) return { ok: false, reason: `event is ${size} bytes; the limit is ${maxBytes}` };
    if (size === 0) return { ok: false, reason: 'empty message' };
    // One rule for every transport (strict-json.ts): strict UTF-8, no BOM, bounded depth, no duplicate keys.
    let text: string;
    if (typeof raw === 'string') {
      text = raw;
    } else {
      const decoded = decodeUtf8(raw);
      if (!decoded.ok) return { ok: false, reason: `message ${decoded.reason}` };
      text = decoded.value;
    }
    const parsed = parseStrictJson(text);
    if (!parsed.ok) return { ok: false, reason: parsed.reason };
    const value = parsed.value;
    return check(value, expectedKind);
  }

  return { decode, check };
}

/** `field.sub: message; other: message` — at most three issues, the rest counted. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, 3).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : 'event';
    if (issue.code === 'unrecognized_keys') return `${path}: unknown field(s) ${issue.keys.join(', ')}`;
    return `${path}: ${issue.message}`;
  });
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  return shown.join('; ') + more;
}
