/** Typed readers for a parsed JSON document: each throws ModelFormatError naming the path it rejects. */
import { ModelFormatError } from '../errors.js';

/** A parsed JSON object. */
export type JsonRecord = Readonly<Record<string, unknown>>;

/** True for a plain object (not null, not an array). */
export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as an object. */
export function record(value: unknown, path: string): JsonRecord {
  if (!isRecord(value)) throw new ModelFormatError(`fusion model: ${path} is not an object`);
  return value;
}

/** `value` as a finite number. */
export function finite(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ModelFormatError(`fusion model: ${path} is not a finite number`);
  }
  return value;
}

/** `value` as a finite number, or null. */
export function finiteOrNull(value: unknown, path: string): number | null {
  return value === null ? null : finite(value, path);
}

/** `value` as a string. */
export function text(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new ModelFormatError(`fusion model: ${path} is not a string`);
  return value;
}

/** `value` as a boolean. */
export function bool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new ModelFormatError(`fusion model: ${path} is not a boolean`);
  return value;
}

/** `value` as an array, each item read by `item` with its path. */
export function list<T>(value: unknown, path: string, item: (v: unknown, path: string) => T): T[] {
  if (!Array.isArray(value)) throw new ModelFormatError(`fusion model: ${path} is not an array`);
  return value.map((v: unknown, i) => item(v, `${path}[${i}]`));
}
