/**
 * Typed readers for a parsed model document (what a model's `toJSON` wrote and its `load` reads back).
 * Every rejection is a ModelFormatError that names the document and the path it rejects, e.g.
 * `profiles: assignments[3].label is not a finite number`.
 */
import { ModelFormatError } from './errors.js';

/** A parsed JSON object. */
export type JsonRecord = Readonly<Record<string, unknown>>;

/** True for a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The readers of one kind of document; each names `document` and the rejected path in its error. */
export interface JsonReader {
  /** `value` as an object. */
  readonly record: (value: unknown, path: string) => Record<string, unknown>;
  /** `value` as a finite number. */
  readonly finite: (value: unknown, path: string) => number;
  /** `value` as a finite number, or null. */
  readonly finiteOrNull: (value: unknown, path: string) => number | null;
  /** `value` as a string. */
  readonly text: (value: unknown, path: string) => string;
  /** `value` as a boolean. */
  readonly bool: (value: unknown, path: string) => boolean;
  /** `value` as an array of unread items. */
  readonly array: (value: unknown, path: string) => readonly unknown[];
  /** `value` as an array, each item read by `item` with its path. */
  readonly list: <T>(value: unknown, path: string, item: (v: unknown, path: string) => T) => T[];
  /** `value` as an array of finite numbers (of exactly `length` when given). */
  readonly numbers: (value: unknown, path: string, length?: number) => number[];
}

/**
 * The readers for one kind of document.
 *
 * @param document - What the errors call the document, e.g. `profiles` or `fusion model`.
 */
export function jsonReader(document: string): JsonReader {
  const fail = (path: string, what: string): never => {
    throw new ModelFormatError(`${document}: ${path} ${what}`);
  };
  const finite = (value: unknown, path: string): number =>
    typeof value === 'number' && Number.isFinite(value) ? value : fail(path, 'is not a finite number');
  const array = (value: unknown, path: string): readonly unknown[] =>
    Array.isArray(value) ? (value as readonly unknown[]) : fail(path, 'is not an array');
  const list = <T>(value: unknown, path: string, item: (v: unknown, path: string) => T): T[] =>
    array(value, path).map((v, i) => item(v, `${path}[${i}]`));
  return {
    record: (value, path) => (isRecord(value) ? value : fail(path, 'is not an object')),
    finite,
    finiteOrNull: (value, path) => (value === null ? null : finite(value, path)),
    text: (value, path) => (typeof value === 'string' ? value : fail(path, 'is not a string')),
    bool: (value, path) => (typeof value === 'boolean' ? value : fail(path, 'is not a boolean')),
    array,
    list,
    numbers: (value, path, length) => {
      const values = list(value, path, finite);
      if (length !== undefined && values.length !== length) {
        fail(path, `has ${values.length} values, expected ${length}`);
      }
      return values;
    },
  };
}
