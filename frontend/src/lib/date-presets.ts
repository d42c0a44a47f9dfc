import { floorToMinute, fromInputValue, toInputValue } from './ist-input';

/**
 * Date presets for every place where the board asks for a window, on the region's wall clock (IST by
 * default) whatever the browser's zone: a day or a month starts at local midnight there.
 */
export type PresetKey = 'yesterday' | 'last7' | 'last28' | 'thisMonth' | 'lastMonth' | 'yearToDate';

export const PRESET_KEYS: readonly PresetKey[] = [
  'yesterday',
  'last7',
  'last28',
  'thisMonth',
  'lastMonth',
  'yearToDate',
];

export const PRESET_LABEL: Readonly<Record<PresetKey, string>> = {
  yesterday: 'Yesterday',
  last7: 'Last 7 days',
  last28: 'Last 28 days',
  thisMonth: 'This month',
  lastMonth: 'Last month',
  yearToDate: 'Year to date',
};

/** What each preset means, for its tooltip and the documentation. */
export const PRESET_MEANING: Readonly<Record<PresetKey, string>> = {
  yesterday: 'Yesterday, midnight to midnight',
  last7: 'The last 7 × 24 hours, up to this minute',
  last28: 'The last 28 × 24 hours, up to this minute',
  thisMonth: 'From the 1st of this month, midnight, up to this minute',
  lastMonth: 'The whole of last month, midnight on the 1st to midnight on the 1st of this month',
  yearToDate: 'From 1 January, midnight, up to this minute',
};

export interface DateWindow {
  /** ISO instants (UTC), start included, end excluded: what the REST API takes. */
  readonly from: string;
  readonly to: string;
}

const DAY = 86_400_000;

interface WallDate {
  readonly year: number;
  /** 1 to 12. */
  readonly month: number;
  readonly day: number;
}

function wallDate(epochMs: number, timeZone: string): WallDate {
  const [year = NaN, month = NaN, day = NaN] = toInputValue(epochMs, timeZone)
    .slice(0, 10)
    .split('-')
    .map(Number);
  return { year, month, day };
}

/** Local midnight starting the wall-clock date (months and days may overflow: 13/0 normalise). */
function midnight(year: number, month: number, day: number, timeZone: string): number {
  const date = new Date(Date.UTC(year, month - 1, day));
  const pad = (value: number): string => String(value).padStart(2, '0');
  const value = `${String(date.getUTCFullYear()).padStart(4, '0')}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T00:00`;
  const at = fromInputValue(value, timeZone);
  if (at === undefined) throw new RangeError(`no local midnight for ${value} in ${timeZone}`);
  return at;
}

/**
 * The window a preset means at `now` (epoch ms) on `timeZone`'s wall clock. Windows that run "up to
 * this minute" end at the current minute, so the same click a few seconds later gives the same link.
 */
export function presetWindow(key: PresetKey, now: number, timeZone: string): DateWindow {
  if (!Number.isFinite(now)) throw new RangeError('presetWindow: now is not a time');
  const end = floorToMinute(now);
  const today = wallDate(now, timeZone);
  const window = (from: number, to: number): DateWindow => ({
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
  });
  switch (key) {
    case 'yesterday':
      return window(
        midnight(today.year, today.month, today.day - 1, timeZone),
        midnight(today.year, today.month, today.day, timeZone),
      );
    case 'last7':
      return window(end - 7 * DAY, end);
    case 'last28':
      return window(end - 28 * DAY, end);
    case 'thisMonth':
      return window(midnight(today.year, today.month, 1, timeZone), end);
    case 'lastMonth':
      return window(
        midnight(today.year, today.month - 1, 1, timeZone),
        midnight(today.year, today.month, 1, timeZone),
      );
    case 'yearToDate':
      return window(midnight(today.year, 1, 1, timeZone), end);
  }
}

/** The preset whose window at `now` is exactly `range`, if any: the buttons show which one is in force. */
export function matchPreset(range: DateWindow, now: number, timeZone: string): PresetKey | undefined {
  const from = Date.parse(range.from);
  const to = Date.parse(range.to);
  return PRESET_KEYS.find((key) => {
    const candidate = presetWindow(key, now, timeZone);
    return Date.parse(candidate.from) === from && Date.parse(candidate.to) === to;
  });
}
