import { utcOffsetMs } from '@district-monitor/streams';

/**
 * Wall-clock time in an IANA zone to a UTC instant. Offsets are cached per zone-hour (the replay
 * converts hundreds of thousands of rows). In the repeated hour when clocks go back the earlier
 * instant is chosen; a time skipped when clocks go forward is read with the offset before the change.
 */
export function zonedWallTimeToUtc(
  wall: { year: number; month: number; day: number; hour: number; minute: number; second: number },
  timeZone: string,
  cache: Map<string, number> = new Map(),
): number {
  const naive = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  const key = `${timeZone}|${Math.floor(naive / 3_600_000)}`;
  let offset = cache.get(key);
  if (offset === undefined) {
    // Candidates: the offsets a day either side (at most one change lies between); a candidate is valid if
    // the instant it gives really has that offset. Two valid: a repeated hour. None valid: a skipped hour.
    const before = utcOffsetMs(naive - 86_400_000, timeZone);
    const after = utcOffsetMs(naive + 86_400_000, timeZone);
    const valid = [before, after].filter(
      (candidate) => utcOffsetMs(naive - candidate, timeZone) === candidate,
    );
    offset = valid.length === 0 ? before : Math.max(...valid);
    cache.set(key, offset);
  }
  return naive - offset;
}
