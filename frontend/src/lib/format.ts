/** Indian digit grouping (12,34,567): the board is read in Indian control rooms. */
const LOCALE = 'en-IN';

const integer = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });

export function formatCount(value: number): string {
  return integer.format(value);
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();

function timeFormat(timeZone: string, seconds: boolean): Intl.DateTimeFormat {
  const key = `${timeZone}|${String(seconds)}`;
  let format = timeFormats.get(key);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(LOCALE, {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      ...(seconds ? { second: '2-digit' } : {}),
      hourCycle: 'h23',
    });
    timeFormats.set(key, format);
  }
  return format;
}

/** "14:05" in the region's time zone, whatever the wall screen's own zone is. */
export function formatMinute(epochMs: number, timeZone: string): string {
  // Intl throws on NaN; chart callbacks may pass anything.
  return Number.isFinite(epochMs) ? timeFormat(timeZone, false).format(epochMs) : '';
}

/** "14:05:09" in the region's time zone. */
export function formatClock(epochMs: number, timeZone: string): string {
  return Number.isFinite(epochMs) ? timeFormat(timeZone, true).format(epochMs) : '';
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

export interface DateTimeOptions {
  /** Add the year ("01 May 2024, 14:05"). */
  readonly year?: boolean;
  /** Add the zone's short name ("01 May, 14:05 IST"). */
  readonly zone?: boolean;
}

/** "01 May, 14:05" on the region's wall clock; "—" for an unreadable instant. */
export function formatDateTime(epochMs: number, timeZone: string, options: DateTimeOptions = {}): string {
  if (!Number.isFinite(epochMs)) return '—';
  const { year = false, zone = false } = options;
  const key = `${timeZone}|${String(year)}|${String(zone)}`;
  let format = dateTimeFormats.get(key);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(LOCALE, {
      timeZone,
      day: '2-digit',
      month: 'short',
      ...(year ? { year: 'numeric' } : {}),
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      ...(zone ? { timeZoneName: 'short' } : {}),
    });
    dateTimeFormats.set(key, format);
  }
  return format.format(epochMs);
}

/** Short zone name, e.g. "IST" for Asia/Kolkata. */
const zoneFormats = new Map<string, Intl.DateTimeFormat>();

export function zoneName(timeZone: string, at: number): string {
  let format = zoneFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(LOCALE, { timeZone, timeZoneName: 'short' });
    zoneFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(at);
  return parts.find((part) => part.type === 'timeZoneName')?.value ?? timeZone;
}

/** "just now", "12 s ago", "3 min ago", "2 h ago". */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 2) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  return `${Math.floor(minutes / 60)} h ago`;
}
