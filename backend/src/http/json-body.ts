import { BadRequestException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { Request } from 'express';
import { parseStrictJson } from '@district-monitor/streams';
import { bodyProblem, readBody } from '../ingest/ingest-body.js';

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
