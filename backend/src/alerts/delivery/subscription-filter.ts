import {
  SEVERITIES,
  type AlertNotification,
  type Parsed,
  type Severity,
  type SubscriptionFilter,
} from '@district-monitor/streams';
import { ALERT_CATEGORIES } from './alert-rooms.js';

/** Matches every notification. */
export const MATCH_ALL: SubscriptionFilter = Object.freeze({
  districts: null,
  severities: null,
  categories: null,
  minLevel: 0,
});

/** The highest escalation level a filter may ask for (rules have at most 6 levels: 0..5). */
export const MAX_LEVEL = 5;

const isEmpty = (list: readonly string[] | null): list is null => list === null || list.length === 0;

/**
 * Whether a subscription with `filter` receives `notification`: its district is listed, one of its
 * alerts has a listed severity, one has a listed category, and its level is at least `minLevel`.
 * An empty or null list matches everything.
 */
export function matchesFilter(
  filter: SubscriptionFilter,
  notification: Pick<AlertNotification, 'district' | 'level' | 'alerts'>,
): boolean {
  if (notification.level < filter.minLevel) return false;
  if (!isEmpty(filter.districts) && !filter.districts.includes(notification.district)) return false;
  const severities = filter.severities;
  if (!isEmpty(severities) && !notification.alerts.some((a) => severities.includes(a.labels.severity))) {
    return false;
  }
  const categories = filter.categories;
  if (!isEmpty(categories) && !notification.alerts.some((a) => categories.includes(a.labels.category))) {
    return false;
  }
  return true;
}

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function unknownFields(
  value: Record<string, unknown>,
  known: readonly string[],
  path: string,
): string | null {
  const extra = Object.keys(value).filter((key) => !known.includes(key));
  if (extra.length === 0) return null;
  return `${extra.map((key) => `${path}${key}`).join(', ')}: unknown field; expected ${known.join(', ')}`;
}

/** A list of allowed strings, null, or the reason it is neither. An empty list is stored as null. */
function stringList(
  value: unknown,
  field: string,
  allowed: (item: string) => boolean,
  what: string,
): Parsed<string[] | null> {
  if (value === undefined || value === null) return { ok: true, value: null };
  if (!Array.isArray(value)) return fail(`${field}: expected an array of strings or null`);
  const items: string[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'string') return fail(`${field}: expected an array of strings or null`);
    if (!allowed(item)) return fail(`${field}: "${item}" is not ${what}`);
    if (!items.includes(item)) items.push(item);
  }
  if (items.length > 500) return fail(`${field}: at most 500 entries`);
  return { ok: true, value: items.length === 0 ? null : items };
}

/**
 * A subscription filter from a request body (`filter` of POST / PATCH): missing lists mean every
 * district, severity or category; `districts` must be districts of the region.
 */
export function parseFilter(value: unknown, districts: ReadonlySet<string>): Parsed<SubscriptionFilter> {
  if (value === undefined || value === null) return { ok: true, value: MATCH_ALL };
  if (!isRecord(value))
    return fail('filter: expected an object { districts, severities, categories, minLevel }');
  const extra = unknownFields(value, ['districts', 'severities', 'categories', 'minLevel'], 'filter.');
  if (extra !== null) return fail(extra);
  const districtList = stringList(
    value.districts,
    'filter.districts',
    (code) => districts.has(code),
    'a district of the region',
  );
  if (!districtList.ok) return districtList;
  const severityList = stringList(
    value.severities,
    'filter.severities',
    (s) => (SEVERITIES as readonly string[]).includes(s),
    `a severity (${SEVERITIES.join(', ')})`,
  );
  if (!severityList.ok) return severityList;
  const categoryList = stringList(
    value.categories,
    'filter.categories',
    (c) => ALERT_CATEGORIES.includes(c),
    'an incident category or *',
  );
  if (!categoryList.ok) return categoryList;
  const minLevel = value.minLevel ?? 0;
  if (typeof minLevel !== 'number' || !Number.isInteger(minLevel) || minLevel < 0 || minLevel > MAX_LEVEL) {
    return fail(`filter.minLevel: expected a whole number from 0 to ${MAX_LEVEL}`);
  }
  return {
    ok: true,
    value: {
      districts: districtList.value,
      severities: severityList.value as Severity[] | null,
      categories: categoryList.value,
      minLevel,
    },
  };
}

export interface SubscriptionInput {
  readonly name: string;
  readonly url: string;
  readonly filter: SubscriptionFilter;
  readonly enabled: boolean;
}

function parseName(value: unknown): Parsed<string> {
  if (typeof value !== 'string' || value.trim() === '' || value.trim().length > 120) {
    return fail('name: expected a non-empty string of at most 120 characters');
  }
  return { ok: true, value: value.trim() };
}

/** An absolute http:// or https:// URL. */
export function parseUrl(value: unknown): Parsed<string> {
  if (typeof value !== 'string' || value.length > 2000) {
    return fail('url: expected an http:// or https:// URL of at most 2000 characters');
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    return fail(`url: "${value}" is not a URL (${(error as Error).message})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return fail(`url: the scheme must be http or https, not ${url.protocol.replace(/:$/, '')}`);
  }
  return { ok: true, value: url.toString() };
}

const FIELDS = ['name', 'url', 'filter', 'enabled'];

/** `POST /api/subscriptions`: name and url required, filter (default: everything) and enabled (default true). */
export function parseCreate(body: unknown, districts: ReadonlySet<string>): Parsed<SubscriptionInput> {
  if (!isRecord(body)) return fail('body: expected a JSON object { name, url, filter?, enabled? }');
  const extra = unknownFields(body, FIELDS, '');
  if (extra !== null) return fail(extra);
  const name = parseName(body.name);
  if (!name.ok) return name;
  const url = parseUrl(body.url);
  if (!url.ok) return url;
  const filter = parseFilter(body.filter, districts);
  if (!filter.ok) return filter;
  const enabled = body.enabled ?? true;
  if (typeof enabled !== 'boolean') return fail('enabled: expected true or false');
  return { ok: true, value: { name: name.value, url: url.value, filter: filter.value, enabled } };
}

/** `PATCH /api/subscriptions/:id`: any of the fields; a given filter replaces the whole filter. */
export function parseUpdate(
  body: unknown,
  districts: ReadonlySet<string>,
): Parsed<Partial<SubscriptionInput>> {
  if (!isRecord(body)) return fail('body: expected a JSON object with name, url, filter or enabled');
  const extra = unknownFields(body, FIELDS, '');
  if (extra !== null) return fail(extra);
  if (Object.keys(body).length === 0) return fail('body: give at least one of name, url, filter, enabled');
  const update: { -readonly [K in keyof SubscriptionInput]?: SubscriptionInput[K] } = {};
  if (body.name !== undefined) {
    const name = parseName(body.name);
    if (!name.ok) return name;
    update.name = name.value;
  }
  if (body.url !== undefined) {
    const url = parseUrl(body.url);
    if (!url.ok) return url;
    update.url = url.value;
  }
  if ('filter' in body) {
    const filter = parseFilter(body.filter, districts);
    if (!filter.ok) return filter;
    update.filter = filter.value;
  }
  if (body.enabled !== undefined) {
    if (typeof body.enabled !== 'boolean') return fail('enabled: expected true or false');
    update.enabled = body.enabled;
  }
  return { ok: true, value: update };
}
