import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { bucketMinutesFor, bucketStarts, fillSeries, parseHistoryWindow } from './history-window.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.parse('2025-06-02T10:20:00Z');
/** Where Asia/Kolkata's local hours start (hourOriginIso). */
const IST_ORIGIN = Date.parse('2000-01-01T00:30:00Z');

/** The 400's message, or 'ok'. */
function outcome(from: unknown, to: unknown): string {
  try {
    parseHistoryWindow(from, to, NOW);
    return 'ok';
  } catch (error) {
    if (error instanceof BadRequestException) return error.message;
    throw error;
  }
}

describe('bucketMinutesFor', () => {
  it.each([
    [1 * MINUTE, 1],
    [2 * HOUR, 1],
    [2 * HOUR + 1, 15],
    [2 * DAY, 15],
    [2 * DAY + 1, 60],
    [8 * DAY, 60],
    [8 * DAY + 1, 360],
    [31 * DAY, 360],
  ])('a span of %i ms gets %i-minute buckets', (span, minutes) => {
    expect(bucketMinutesFor(span)).toBe(minutes);
  });
});

describe('parseHistoryWindow', () => {
  it('accepts a window of instants with zones and picks its bucket width', () => {
    expect(parseHistoryWindow('2025-06-01T00:00:00Z', '2025-06-02T05:30:00+05:30', NOW)).toEqual({
      from: new Date('2025-06-01T00:00:00Z'),
      to: new Date('2025-06-02T00:00:00Z'),
      bucketMinutes: 15,
    });
  });

  it.each([
    ['missing from', undefined, '2025-06-02T00:00:00Z', /^from: required/],
    ['empty to', '2025-06-01T00:00:00Z', '', /^to: required/],
    [
      'from without a zone',
      '2025-06-01T00:00:00',
      '2025-06-02T00:00:00Z',
      /^from: expected an ISO 8601 instant/,
    ],
    ['a date alone', '2025-06-01', '2025-06-02T00:00:00Z', /^from: expected/],
    ['a repeated parameter', ['2025-06-01T00:00:00Z', 'x'], '2025-06-02T00:00:00Z', /^from: expected/],
    ['an impossible time', '2025-06-01T25:00:00Z', '2025-06-02T00:00:00Z', /^from: expected/],
    ['garbage to', '2025-06-01T00:00:00Z', 'yesterday', /^to: expected/],
    ['from equal to to', '2025-06-01T00:00:00Z', '2025-06-01T00:00:00Z', /^from: must be before to/],
    ['from after to', '2025-06-02T00:00:00Z', '2025-06-01T00:00:00Z', /^from: must be before to/],
    ['to over a minute ahead', '2025-06-02T00:00:00Z', '2025-06-02T10:21:00.001Z', /^to: lies in the future/],
    [
      'a span over 31 days',
      '2025-05-01T10:19:59Z',
      '2025-06-01T10:20:00Z',
      /^to: the window may span at most 31 days/,
    ],
  ])('refuses %s', (_case, from, to, message) => {
    expect(outcome(from, to)).toMatch(message);
  });

  it('accepts to up to a minute ahead of the clock, and a span of exactly 31 days', () => {
    expect(outcome('2025-06-02T00:00:00Z', '2025-06-02T10:21:00Z')).toBe('ok');
    expect(outcome('2025-05-01T10:20:00Z', '2025-06-01T10:20:00Z')).toBe('ok');
  });
});

describe('bucketStarts', () => {
  it('covers [from, to) with buckets on the local hours, the first one starting before from', () => {
    // 15-minute buckets on the IST grid (:00, :15, :30, :45 past the UTC hour).
    const starts = bucketStarts(
      new Date('2025-06-01T00:10:00Z'),
      new Date('2025-06-01T01:00:00Z'),
      15,
      IST_ORIGIN,
    );
    expect(starts.map((ms) => new Date(ms).toISOString())).toEqual([
      '2025-06-01T00:00:00.000Z',
      '2025-06-01T00:15:00.000Z',
      '2025-06-01T00:30:00.000Z',
      '2025-06-01T00:45:00.000Z',
    ]);
  });

  it('starts 6-hour buckets at local midnight, 06:00, noon and 18:00 (IST = UTC+05:30)', () => {
    const starts = bucketStarts(
      new Date('2025-06-01T00:00:00Z'),
      new Date('2025-06-02T00:00:00Z'),
      360,
      IST_ORIGIN,
    );
    expect(starts.map((ms) => new Date(ms).toISOString())).toEqual([
      '2025-05-31T18:30:00.000Z',
      '2025-06-01T00:30:00.000Z',
      '2025-06-01T06:30:00.000Z',
      '2025-06-01T12:30:00.000Z',
      '2025-06-01T18:30:00.000Z',
    ]);
  });

  it('holds at most a few hundred buckets for the longest window of each width', () => {
    const to = new Date(NOW);
    for (const [days, minutes] of [
      [2 / 24, 1],
      [2, 15],
      [8, 60],
      [31, 360],
    ] as const) {
      const starts = bucketStarts(new Date(NOW - days * DAY), to, minutes, IST_ORIGIN);
      expect(starts.length).toBeLessThanOrEqual(193);
    }
  });
});

describe('fillSeries', () => {
  it('keeps every bucket, oldest first, with 0 where the database had no row', () => {
    const t = Date.parse('2025-06-01T00:00:00Z');
    expect(fillSeries([t, t + HOUR, t + 2 * HOUR], [{ start: t + HOUR, count: 4 }])).toEqual([
      { start: '2025-06-01T00:00:00.000Z', count: 0 },
      { start: '2025-06-01T01:00:00.000Z', count: 4 },
      { start: '2025-06-01T02:00:00.000Z', count: 0 },
    ]);
  });
});
