import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { parseSpotWindow } from './spot-window.js';

const NOW = Date.parse('2025-06-02T12:00:00Z');

function refusal(from: unknown, to: unknown): string {
  try {
    parseSpotWindow(from, to, NOW);
  } catch (error) {
    if (error instanceof BadRequestException) return error.message;
    throw error;
  }
  throw new Error('expected a 400');
}

describe('parseSpotWindow', () => {
  it('defaults to the 24 hours before now', () => {
    expect(parseSpotWindow(undefined, undefined, NOW)).toEqual({
      from: new Date('2025-06-01T12:00:00Z'),
      to: new Date('2025-06-02T12:00:00Z'),
    });
  });

  it('takes from as 24 hours before a given to, and reads zones', () => {
    expect(parseSpotWindow(undefined, '2025-01-01T05:30:00+05:30', NOW)).toEqual({
      from: new Date('2024-12-31T00:00:00Z'),
      to: new Date('2025-01-01T00:00:00Z'),
    });
    expect(parseSpotWindow('2025-05-01T00:00:00Z', undefined, NOW).to).toEqual(new Date(NOW));
  });

  it('allows exactly 366 days', () => {
    const { from, to } = parseSpotWindow('2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z', NOW);
    expect((to.getTime() - from.getTime()) / 86_400_000).toBe(366);
  });

  it.each([
    ['2025-06-01', undefined, 'from: expected an ISO 8601 instant with a zone'],
    [undefined, '2025-06-01T00:00:00', 'to: expected an ISO 8601 instant with a zone'],
    [['2025-06-01T00:00:00Z'], undefined, 'from: expected an ISO 8601 instant'],
    ['2025-13-01T00:00:00Z', undefined, 'from: expected an ISO 8601 instant'],
    ['2025-06-01T00:00:00Z', '2025-06-01T00:00:00Z', 'from: must be before to'],
    ['2025-06-02T00:00:00Z', '2025-06-01T00:00:00Z', 'from: must be before to'],
    ['2024-01-01T00:00:00Z', '2025-01-01T00:00:01Z', 'from: the window may span at most 366 days'],
  ])('refuses from=%j to=%j with a 400 naming the parameter', (from, to, message) => {
    expect(refusal(from, to)).toContain(message);
  });
});
