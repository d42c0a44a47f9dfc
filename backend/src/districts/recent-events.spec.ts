import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { parseEventLimit } from './recent-events.js';

describe('parseEventLimit', () => {
  it('defaults to 50 and takes 1 to 200', () => {
    expect(parseEventLimit(undefined)).toBe(50);
    expect(parseEventLimit('1')).toBe(1);
    expect(parseEventLimit('200')).toBe(200);
  });

  it.each([['0'], ['201'], ['-1'], ['1.5'], ['1e2'], [''], ['ten'], [['5', '6']]])(
    'refuses %j with a 400 naming limit',
    (value) => {
      expect(() => parseEventLimit(value)).toThrow(BadRequestException);
      expect(() => parseEventLimit(value)).toThrow('limit: expected a whole number from 1 to 200');
    },
  );
});
