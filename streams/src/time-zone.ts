/** Time-zone arithmetic shared by the producers (wall times to instants) and the models (local hours). */

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The UTC offset of IANA zone `timeZone` at `instant`, in milliseconds (positive east of Greenwich).
 * Formatters are cached per zone.
 * @throws RangeError when the zone is unknown.
 */
export function utcOffsetMs(instant: number, timeZone: string): number {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  const fields: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
  for (const part of format.formatToParts(instant)) fields[part.type] = Number(part.value);
  const { year = NaN, month = NaN, day = NaN, hour = NaN, minute = NaN, second = NaN } = fields;
  // Some engines print midnight as 24 even with hourCycle h23.
  const wallClock = Date.UTC(year, month - 1, day, hour % 24, minute, second);
  return wallClock - Math.floor(instant / 1000) * 1000;
}
