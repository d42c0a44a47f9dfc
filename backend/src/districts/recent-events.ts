import { BadRequestException } from '@nestjs/common';

/** Most events one `GET /api/districts/:code/events` lists, and how many when `limit` is not given. */
export const MAX_RECENT_EVENTS = 200;
export const DEFAULT_RECENT_EVENTS = 50;

/** The `limit` query parameter: a whole number from 1 to {@link MAX_RECENT_EVENTS}; a 400 naming it otherwise. */
export function parseEventLimit(value: unknown): number {
  if (value === undefined) return DEFAULT_RECENT_EVENTS;
  const limit = typeof value === 'string' && /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= MAX_RECENT_EVENTS)) {
    throw new BadRequestException(`limit: expected a whole number from 1 to ${MAX_RECENT_EVENTS}`);
  }
  return limit;
}
