import { BadRequestException } from '@nestjs/common';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Longest window `GET /api/black-spots` clusters. */
export const MAX_SPOT_DAYS = 366;
/** The window when `from` is not given: this long before `to`. */
export const DEFAULT_SPOT_HOURS = 24;

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An optional ISO 8601 instant with its zone: undefined when absent, a 400 naming the parameter when malformed. */
function optionalInstant(name: string, value: unknown): Date | undefined {
  if (value === undefined) return undefined;
  const date = typeof value === 'string' && INSTANT.test(value) ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new BadRequestException(
      `${name}: expected an ISO 8601 instant with a zone, such as 2025-06-01T00:00:00Z`,
    );
  }
  return date;
}

/**
 * The window of `GET /api/black-spots?from&to`: `to` defaults to `now`, `from` to
 * {@link DEFAULT_SPOT_HOURS} hours before `to`; `from` must come before `to`, at most
 * {@link MAX_SPOT_DAYS} days before it.
 */
export function parseSpotWindow(fromText: unknown, toText: unknown, now: number): { from: Date; to: Date } {
  const to = optionalInstant('to', toText) ?? new Date(now);
  const from = optionalInstant('from', fromText) ?? new Date(to.getTime() - DEFAULT_SPOT_HOURS * HOUR);
  if (from.getTime() >= to.getTime()) throw new BadRequestException('from: must be before to');
  if (to.getTime() - from.getTime() > MAX_SPOT_DAYS * DAY) {
    throw new BadRequestException(`from: the window may span at most ${MAX_SPOT_DAYS} days`);
  }
  return { from, to };
}
