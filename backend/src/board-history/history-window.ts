import { BadRequestException } from '@nestjs/common';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Longest window time travel serves. */
export const MAX_HISTORY_DAYS = 31;
/** How far `to` may lie ahead of the server's clock (clock skew between the board and the server). */
export const FUTURE_SLACK_MS = MINUTE;

/** A validated time-travel window and the bucket width of its series. */
export interface HistoryWindow {
  readonly from: Date;
  readonly to: Date;
  readonly bucketMinutes: number;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Bucket width of the series for a window of `spanMs`: about 100-200 buckets whatever the span. */
export function bucketMinutesFor(spanMs: number): number {
  if (spanMs <= 2 * HOUR) return 1;
  if (spanMs <= 2 * DAY) return 15;
  if (spanMs <= 8 * DAY) return 60;
  return 360;
}

/** An ISO 8601 instant with its zone; a 400 naming the parameter otherwise. */
export function parseInstant(name: string, value: unknown): Date {
  if (value === undefined || value === '') {
    throw new BadRequestException(`${name}: required, an ISO 8601 instant such as 2025-06-01T00:00:00Z`);
  }
  const date = typeof value === 'string' && INSTANT.test(value) ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new BadRequestException(
      `${name}: expected an ISO 8601 instant with a zone, such as 2025-06-01T00:00:00Z`,
    );
  }
  return date;
}

/**
 * Validates `from` and `to` of `GET /api/board/history` against the server's clock `now`: both required,
 * `from` before `to`, `to` at most a minute ahead, and at most {@link MAX_HISTORY_DAYS} days apart.
 */
export function parseHistoryWindow(fromText: unknown, toText: unknown, now: number): HistoryWindow {
  const from = parseInstant('from', fromText);
  const to = parseInstant('to', toText);
  if (from.getTime() >= to.getTime()) throw new BadRequestException('from: must be before to');
  if (to.getTime() > now + FUTURE_SLACK_MS) {
    throw new BadRequestException(
      `to: lies in the future (the server's clock reads ${new Date(now).toISOString()})`,
    );
  }
  const span = to.getTime() - from.getTime();
  if (span > MAX_HISTORY_DAYS * DAY) {
    throw new BadRequestException(`to: the window may span at most ${MAX_HISTORY_DAYS} days`);
  }
  return { from, to, bucketMinutes: bucketMinutesFor(span) };
}

/**
 * The starts of every bucket that overlaps [from, to), oldest first. Buckets are `bucketMinutes` wide and
 * aligned on `originMs` (the region's local hours), as the database's time_bucket / date_bin place them.
 */
export function bucketStarts(from: Date, to: Date, bucketMinutes: number, originMs: number): number[] {
  const width = bucketMinutes * MINUTE;
  const starts: number[] = [];
  for (
    let start = originMs + Math.floor((from.getTime() - originMs) / width) * width;
    start < to.getTime();
    start += width
  ) {
    starts.push(start);
  }
  return starts;
}

/** Every bucket of `starts` with its count from `rows` (0 when the database returned none). */
export function fillSeries(
  starts: readonly number[],
  rows: readonly { readonly start: number; readonly count: number }[],
): { start: string; count: number }[] {
  const counts = new Map(rows.map((row) => [row.start, row.count]));
  return starts.map((start) => ({ start: new Date(start).toISOString(), count: counts.get(start) ?? 0 }));
}
