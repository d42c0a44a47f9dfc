/**
 * `<input type="datetime-local">` values read and written in the region's zone (IST by default),
 * whatever the browser's own zone is: the input has no zone, so "14:05" typed on a wall screen set to
 * UTC still means 14:05 in Chennai.
 */

import { utcOffsetMs } from '@district-monitor/streams/time-zone';

/** The region's zone; India keeps no daylight saving, but nothing here assumes that. */
export const IST = 'Asia/Kolkata';

const MINUTE = 60_000;
/** `YYYY-MM-DDTHH:mm`, optionally with `:ss` (browsers add seconds when `step` is below 60). */
const INPUT_VALUE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** The input value (`YYYY-MM-DDTHH:mm`, seconds dropped) showing `epochMs` on `timeZone`'s wall clock. */
export function toInputValue(epochMs: number, timeZone: string = IST): string {
  if (!Number.isFinite(epochMs)) return '';
  const wall = new Date(epochMs + utcOffsetMs(epochMs, timeZone));
  return (
    `${pad(wall.getUTCFullYear(), 4)}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}` +
    `T${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}`
  );
}

/**
 * The instant an input value means on `timeZone`'s wall clock, in epoch ms; undefined for an empty or
 * malformed value or a date that does not exist (31 February).
 */
export function fromInputValue(value: string, timeZone: string = IST): number | undefined {
  const match = INPUT_VALUE.exec(value.trim());
  if (match === null) return undefined;
  const field = (index: number): number => Number(match[index] ?? 0);
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map(field) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wall);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    return undefined;
  // Offset at the guess, then again at the result: right across a zone's offset change as well.
  const guess = wall - utcOffsetMs(wall, timeZone);
  return wall - utcOffsetMs(guess, timeZone);
}

/** An ISO instant (UTC, `…Z`) for an input value read on `timeZone`'s wall clock; undefined when unreadable. */
export function inputToIso(value: string, timeZone: string = IST): string | undefined {
  const at = fromInputValue(value, timeZone);
  return at === undefined ? undefined : new Date(at).toISOString();
}

/** The input value for an ISO instant, on `timeZone`'s wall clock; '' when the instant is unreadable. */
export function isoToInput(iso: string, timeZone: string = IST): string {
  return toInputValue(Date.parse(iso), timeZone);
}

/** `epochMs` rounded down to the whole minute (an input shows minutes only). */
export function floorToMinute(epochMs: number): number {
  return Math.floor(epochMs / MINUTE) * MINUTE;
}
