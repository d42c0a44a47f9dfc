import { describe, expect, it } from 'vitest';
import { ModelFormatError } from './errors.js';
import { isRecord, jsonReader } from './json-read.js';

describe('jsonReader', () => {
  const read = jsonReader('profiles');

  it('returns well-typed values as they are', () => {
    expect(read.record({ a: 1 }, 'doc')).toEqual({ a: 1 });
    expect(read.finite(2.5, 'x')).toBe(2.5);
    expect(read.finiteOrNull(null, 'x')).toBeNull();
    expect(read.text('a', 'x')).toBe('a');
    expect(read.bool(false, 'x')).toBe(false);
    expect(read.array([1, 'a'], 'x')).toEqual([1, 'a']);
    expect(read.list(['a', 'b'], 'x', read.text)).toEqual(['a', 'b']);
    expect(read.numbers([1, 2], 'x', 2)).toEqual([1, 2]);
  });

  it('throws ModelFormatError naming the document and the path', () => {
    expect(() => read.record([], 'options')).toThrow(
      new ModelFormatError('profiles: options is not an object'),
    );
    expect(() => read.finite(Number.NaN, 'mean[2]')).toThrow('profiles: mean[2] is not a finite number');
    expect(() => read.text(1, 'inputs[0].name')).toThrow('profiles: inputs[0].name is not a string');
    expect(() => read.bool('yes', 'stale')).toThrow('profiles: stale is not a boolean');
    expect(() => read.array({}, 'clusters')).toThrow('profiles: clusters is not an array');
    expect(() => read.list([1, 'b'], 'names', read.text)).toThrow('profiles: names[0] is not a string');
    expect(() => read.numbers([1, null], 'std')).toThrow('profiles: std[1] is not a finite number');
    expect(() => read.numbers([1], 'std', 2)).toThrow('profiles: std has 1 values, expected 2');
    expect(() => read.finite('1', 'x')).toThrow(ModelFormatError);
  });

  it('isRecord takes plain objects only', () => {
    expect(isRecord({})).toBe(true);
    expect(isRecord(null)).toBe(false);
    expect(isRecord([])).toBe(false);
    expect(isRecord('a')).toBe(false);
  });
});
