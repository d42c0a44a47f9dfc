import { BadRequestException, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { Request } from 'express';
import type { Readable } from 'node:stream';
import { decodeUtf8, parseStrictJson } from '@district-monitor/streams';

/**
 * Reads a request body up to `limit` bytes; a larger body is refused with 413 before it is buffered.
 * The body must be UTF-8 (the parsing rule of streams/src/strict-json.ts): a declared charset other
 * than utf-8 gets 415, invalid UTF-8 or a byte order mark 400 — never a silent U+FFFD.
 */
export async function readBody(
  request: Readable & { headers: Record<string, string | string[] | undefined> },
  limit: number,
): Promise<string> {
  const contentType = request.headers['content-type'];
  const charset = charsetOf(typeof contentType === 'string' ? contentType : undefined);
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new UnsupportedMediaTypeException(`charset "${charset}": send the body as UTF-8 (charset=utf-8)`);
  }
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (declared > limit)
    throw new PayloadTooLargeException(`body is ${declared} bytes; the limit is ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > limit) throw new PayloadTooLargeException(`body exceeds the limit of ${limit} bytes`);
    chunks.push(buffer);
  }
  const decoded = decodeUtf8(Buffer.concat(chunks));
  if (!decoded.ok) throw new BadRequestException(`body ${decoded.reason}`);
  return decoded.value;
}

/** The `charset` parameter of a content type, lower-cased and unquoted; undefined when none is given. */
export function charsetOf(contentType: string | undefined): string | undefined {
  for (const parameter of (contentType ?? '').split(';').slice(1)) {
    const [name, ...rest] = parameter.split('=');
    if (name?.trim().toLowerCase() !== 'charset') continue;
    return rest
      .join('=')
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
  }
  return undefined;
}

/** One submitted event: parsed JSON (array body) or a raw line (NDJSON body). */
export type BodyItem = { kind: 'value'; value: unknown } | { kind: 'line'; line: string };

/**
 * Splits a body into events: `application/json` holds one event or an array of events,
 * `application/x-ndjson` one event per line (a bad line is that event's rejection, not the body's).
 */
export function splitBody(body: string, contentType: string | undefined): BodyItem[] {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-ndjson' || type === 'application/jsonl') {
    return body
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .map((line) => ({ kind: 'line', line }));
  }
  if (type !== 'application/json') {
    throw new UnsupportedMediaTypeException(
      `content-type "${type || '(none)'}": send application/json (an event or an array) or application/x-ndjson`,
    );
  }
  // Duplicate keys and deep nesting are refused here, before anything walks the value.
  const result = parseStrictJson(body);
  if (!result.ok) throw new BadRequestException(bodyProblem(result.reason));
  const parsed = result.value;
  const values = Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
  return values.map((value) => ({ kind: 'value', value }));
}

/** The 400 message for a body the parsing rule refused: `body is not valid JSON: ...` or `body: ...`. */
export function bodyProblem(reason: string): string {
  return reason.startsWith('invalid JSON: ')
    ? `body is not valid JSON: ${reason.slice('invalid JSON: '.length)}`
    : `body: ${reason}`;
}

/** Bodies of the user, session and key routes are small; anything larger is not one of them. */
const LIMIT_BYTES = 16 * 1024;

/**
 * Reads a JSON object body (the backend runs without a body parser): 415 for another content type,
 * 400 for a body that is not JSON or not an object, 413 above 16 KiB. A missing content type is read
 * as JSON; a form's content type is refused, so no plain HTML form of another site can post here.
 */
export async function readJsonObject(request: Request): Promise<Record<string, unknown>> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== '' && type !== 'application/json') {
    throw new UnsupportedMediaTypeException(`content-type "${type}": send application/json`);
  }
  const text = await readBody(request, LIMIT_BYTES);
  const parsed = parseStrictJson(text);
  if (!parsed.ok) throw new BadRequestException(bodyProblem(parsed.reason));
  const value = parsed.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestException('body: expected a JSON object');
  }
  return value as Record<string, unknown>;
}

/** A 400 naming `field`, e.g. `password: must be at least 12 characters`. */
export function fieldError(field: string, problem: string): BadRequestException {
  return new BadRequestException(`${field}: ${problem}`);
}

/** Refuses fields the route does not know, so a typo (`"rol"`) is not silently ignored. */
export function onlyFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw fieldError(unknown[0] ?? '', `unknown field; expected ${allowed.join(', ')}`);
  }
}

export function requiredString(body: Record<string, unknown>, field: string, maxLength: number): string {
  const value = body[field];
  if (value === undefined || value === null) throw fieldError(field, 'required');
  if (typeof value !== 'string') throw fieldError(field, `expected a string, got ${typeName(value)}`);
  if (value === '') throw fieldError(field, 'must not be empty');
  if (value.length > maxLength) throw fieldError(field, `must be at most ${maxLength} characters`);
  return value;
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
