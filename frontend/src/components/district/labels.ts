/**
 * Words for the district and analysis views: category names, feature names of the model, and CompStat
 * changes said with a direction word (never colour alone). Pure, specced in node.
 */
import type { Category, Severity } from '@district-monitor/streams';
import { formatDateTime } from '../../lib/format';

/** In the fixed order of the event contract (streams/src/categories.ts). */
export const CATEGORY_ORDER = [
  'crime_body',
  'crime_property',
  'crime_women',
  'crime_children',
  'suicide',
  'harassment',
  'other',
  'road_accident',
] as const satisfies readonly Category[];

export const CATEGORY_LABEL: Readonly<Record<Category, string>> = {
  crime_body: 'Crimes against the body',
  crime_property: 'Property crime',
  crime_women: 'Crimes against women',
  crime_children: 'Crimes against children',
  suicide: 'Suicide',
  harassment: 'Harassment',
  other: 'Other offences',
  road_accident: 'Road accidents',
};

export const SEVERITY_LABEL: Readonly<Record<Severity, string>> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

/** The category's readable name; unknown keys come back with underscores as spaces. */
export function categoryLabel(key: string): string {
  return (CATEGORY_LABEL as Readonly<Record<string, string>>)[key] ?? key.replaceAll('_', ' ');
}

const WINDOW_WORDS: Readonly<Record<string, string>> = {
  '1h': 'this hour',
  '24h': '24 h',
  '7d': '7 days',
  '28d': '28 days',
  '365d': '365 days',
};

const BLOCK_WORDS: Readonly<Record<string, string>> = {
  incidents: 'All incidents',
  accidents: 'Road casualties',
  population: 'Population',
  socio: 'Census',
  mix: 'Mix',
  recency: 'Recency',
};

/** Exact names that read better said whole. */
const WHOLE: Readonly<Record<string, string>> = {
  'population.log10': 'Population (log scale)',
  'population.density_log10': 'Population density (log scale)',
  'population.share_of_region': "Share of the region's population",
  'socio.literacy_rate': 'Literacy rate',
  'socio.sex_ratio': 'Sex ratio',
  'socio.urban_share': 'Urban share',
  'mix.accidents_per_incident_365d': 'Road accidents per incident, 365 days',
  'mix.night_share_28d': 'Share at night (22:00–05:59), 28 days',
  'mix.weekend_share_28d': 'Share at weekends, 28 days',
  'recency.hours_since_last_event': 'Hours since the last event',
};

function feature(suffix: string): string | undefined {
  let match = /^count_(\w+)$/.exec(suffix);
  if (match?.[1] !== undefined) return `count, ${WINDOW_WORDS[match[1]] ?? match[1]}`;
  match = /^rate_(\w+)$/.exec(suffix);
  if (match?.[1] !== undefined) return `rate per 100k, ${WINDOW_WORDS[match[1]] ?? match[1]}`;
  const changes: Readonly<Record<string, string>> = {
    change_wow: 'change week over week',
    change_28d: 'change, 28 days vs previous 28',
    change_ytd: 'change, year to date',
    surprise_hour: 'surprise this hour vs usual',
    surprise_24h: 'surprise in 24 h vs usual',
  };
  if (changes[suffix] !== undefined) return changes[suffix];
  match = /^(killed|injured)_per_accident_(\w+)$/.exec(suffix);
  if (match?.[1] !== undefined && match[2] !== undefined)
    return `${match[1]} per accident, ${WINDOW_WORDS[match[2]] ?? match[2]}`;
  match = /^(killed|injured)_rate_(\w+)$/.exec(suffix);
  if (match?.[1] !== undefined && match[2] !== undefined)
    return `${match[1]} per 100k, ${WINDOW_WORDS[match[2]] ?? match[2]}`;
  match = /^(killed|injured)_(\w+)$/.exec(suffix);
  if (match?.[1] !== undefined && match[2] !== undefined)
    return `${match[1]}, ${WINDOW_WORDS[match[2]] ?? match[2]}`;
  match = /^(\w+)_share_(\w+)$/.exec(suffix);
  if (match?.[1] !== undefined && match[2] !== undefined)
    return `${match[1]} crime share, ${WINDOW_WORDS[match[2]] ?? match[2]}`;
  return undefined;
}

/**
 * "Property crime: change, 28 days vs previous 28" for `crime_property.change_28d`: the model's
 * dotted feature names (models/src/features/catalog.ts) in words; unknown names are kept readable.
 */
export function featureLabel(name: string): string {
  const whole = WHOLE[name];
  if (whole !== undefined) return whole;
  const dot = name.indexOf('.');
  if (dot === -1) return name.replaceAll('_', ' ');
  const block = name.slice(0, dot);
  const suffix = name.slice(dot + 1);
  const blockWords = BLOCK_WORDS[block] ?? categoryLabel(block);
  const words = feature(suffix) ?? suffix.replaceAll('_', ' ');
  return `${blockWords}: ${words}`;
}

/** The direction of a change, in words. */
export type ChangeDirection = 'up' | 'down' | 'same' | 'new' | 'none';

export interface ChangeText {
  readonly direction: ChangeDirection;
  /** "up 12.5%", "down 3.0%", "no change", "new (none before)", "—". */
  readonly text: string;
}

/** A CompStat change in words; `changePct` null means the previous count was 0. */
export function describeChange(current: number, previous: number, changePct: number | null): ChangeText {
  if (changePct === null || !Number.isFinite(changePct)) {
    return current > 0 && previous === 0
      ? { direction: 'new', text: 'up (none before)' }
      : { direction: 'none', text: 'no change (none in either)' };
  }
  if (Math.abs(changePct) < 0.05) return { direction: 'same', text: 'no change' };
  const pct = Math.abs(changePct).toLocaleString('en-IN', {
    maximumFractionDigits: 1,
    minimumFractionDigits: 1,
  });
  return changePct > 0
    ? { direction: 'up', text: `up ${pct}%` }
    : { direction: 'down', text: `down ${pct}%` };
}

/** A tail probability as people read it: "0.3%", "< 0.01%", "62%". */
export function formatProbability(p: number): string {
  if (!Number.isFinite(p)) return '—';
  const pct = p * 100;
  if (pct < 0.01) return '< 0.01%';
  if (pct < 1) return `${pct.toFixed(2)}%`;
  return `${pct.toFixed(pct < 10 ? 1 : 0)}%`;
}

/** "1,234.5"-style decimals in Indian grouping. */
export function formatDecimal(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return '—';
  return value.toLocaleString('en-IN', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

const ACRONYMS: Readonly<Record<string, string>> = { mae: 'MAE', rmse: 'RMSE', auc: 'AUC', k: 'k', id: 'ID' };

/** "validationCountMae" -> "Validation count MAE": a model card's keys in words. */
export function humanKey(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replaceAll('_', ' ')
    .split(' ')
    .filter((word) => word !== '')
    .map((word, i) => {
      const acronym = ACRONYMS[word.toLowerCase()];
      if (acronym !== undefined) return acronym;
      const lower = word.toLowerCase();
      return i === 0 ? lower.charAt(0).toUpperCase() + lower.slice(1) : lower;
    });
  if (words.length === 0) return key;
  return words.join(' ');
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A model card's value as text: instants in the region's zone, integers grouped, decimals to 3 places. */
export function formatCardValue(value: number | string | null, timeZone: string): string {
  if (value === null) return '—';
  if (typeof value === 'string') {
    return ISO_INSTANT.test(value) && Number.isFinite(Date.parse(value))
      ? formatDateTime(Date.parse(value), timeZone, { year: true, zone: true })
      : value;
  }
  if (!Number.isFinite(value)) return '—';
  if (Number.isInteger(value)) return value.toLocaleString('en-IN');
  return value.toLocaleString('en-IN', { maximumFractionDigits: Math.abs(value) < 1 ? 3 : 2 });
}
