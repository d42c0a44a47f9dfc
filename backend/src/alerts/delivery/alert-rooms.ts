import {
  CATEGORIES,
  SEVERITIES,
  type Alert,
  type AlertNotification,
  type AlertRoomAnswer,
  type UserInfo,
} from '@district-monitor/streams';

/**
 * Socket.IO alert rooms. A socket joins rooms; an alert is emitted to every room it belongs to, and
 * Socket.IO sends one emit to the union of rooms, so a socket in several matching rooms gets it once.
 *
 * A user who may see every district joins the plain rooms: `all`, `district:<code>`, `severity:<s>`,
 * `category:<c>`. A user limited to some districts never joins `all`, `severity:*` or `category:*`
 * (they hold every district's alerts); their severity and category wishes become one scoped room per
 * allowed district, `district:<code>/severity:<s>` and `district:<code>/category:<c>`. Every alert is
 * also emitted to its own district's scoped rooms, so the scoping is decided when the socket joins,
 * and nothing has to be filtered per socket at emit time.
 */
export const ALL_ROOM = 'all';

/** The prefixes of every alert room (what `alerts:subscribe` leaves before joining the new ones). */
export const ALERT_ROOM_PREFIXES = ['district:', 'severity:', 'category:'] as const;

export const isAlertRoom = (room: string): boolean =>
  room === ALL_ROOM || ALERT_ROOM_PREFIXES.some((prefix) => room.startsWith(prefix));

/** Categories an alert can carry: the incident categories and `*` (a rule over every category). */
export const ALERT_CATEGORIES: readonly string[] = [...CATEGORIES, '*'];

const districtRoom = (code: string) => `district:${code}`;
const severityRoom = (severity: string) => `severity:${severity}`;
const categoryRoom = (category: string) => `category:${category}`;

/** Every room an alert is emitted to. */
export function roomsOfAlert(alert: Pick<Alert, 'labels'>): string[] {
  const { district, severity, category } = alert.labels;
  return [
    ALL_ROOM,
    districtRoom(district),
    severityRoom(severity),
    categoryRoom(category),
    `${districtRoom(district)}/${severityRoom(severity)}`,
    `${districtRoom(district)}/${categoryRoom(category)}`,
  ];
}

/** Every room a notification is emitted to: those of each of its alerts, and its district's. */
export function roomsOfNotification(notification: Pick<AlertNotification, 'district' | 'alerts'>): string[] {
  const rooms = new Set([ALL_ROOM, districtRoom(notification.district)]);
  for (const alert of notification.alerts) for (const room of roomsOfAlert(alert)) rooms.add(room);
  return [...rooms];
}

/**
 * The alerts of an update grouped by the rooms they go to: one emit per group, so a socket receives
 * each alert once, and only the alerts of the rooms it is in.
 */
export function groupByRooms<T extends Pick<Alert, 'labels'>>(
  alerts: readonly T[],
): { rooms: string[]; alerts: T[] }[] {
  const groups = new Map<string, { rooms: string[]; alerts: T[] }>();
  for (const alert of alerts) {
    const rooms = roomsOfAlert(alert);
    const key = rooms.join('\n');
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { rooms, alerts: [alert] });
    else group.alerts.push(alert);
  }
  return [...groups.values()];
}

const DIMENSIONS = ['districts', 'severities', 'categories'] as const;
const MAX_ITEMS = 200;

/** A list of the request, or the reason it is not one. */
function listOf(request: Record<string, unknown>, field: string): string[] | string {
  const value = request[field];
  if (value === undefined) return [];
  if (!Array.isArray(value)) return `${field}: expected an array of strings`;
  if (value.length > MAX_ITEMS) return `${field}: at most ${MAX_ITEMS} entries`;
  const items: string[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'string') return `${field}: expected an array of strings`;
    items.push(item);
  }
  return [...new Set(items)];
}

/**
 * The rooms `alerts:subscribe` joins for `user`: the request parsed, checked against the region's
 * districts (`districts`) and the user's scope. All lists empty or omitted means every alert the user
 * may see. The answer names what is wrong when the request is refused.
 */
export function roomsForRequest(
  user: UserInfo | undefined,
  request: unknown,
  districts: ReadonlySet<string>,
): AlertRoomAnswer {
  if (user === undefined) return { ok: false, error: 'unauthorized: the connection has no signed-in user' };
  const body = request ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, error: 'request: expected an object { districts?, severities?, categories? }' };
  }
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !(DIMENSIONS as readonly string[]).includes(key));
  if (unknown.length > 0) {
    return { ok: false, error: `${unknown.join(', ')}: unknown field; expected ${DIMENSIONS.join(', ')}` };
  }
  const wanted: Record<(typeof DIMENSIONS)[number], string[]> = {
    districts: [],
    severities: [],
    categories: [],
  };
  for (const field of DIMENSIONS) {
    const list = listOf(fields, field);
    if (typeof list === 'string') return { ok: false, error: list };
    wanted[field] = list;
  }
  const unknownDistricts = wanted.districts.filter((code) => !districts.has(code));
  if (unknownDistricts.length > 0) {
    return { ok: false, error: `districts: unknown district ${unknownDistricts.join(', ')}` };
  }
  const badSeverities = wanted.severities.filter((s) => !(SEVERITIES as readonly string[]).includes(s));
  if (badSeverities.length > 0) {
    return {
      ok: false,
      error: `severities: unknown severity ${badSeverities.join(', ')}; expected ${SEVERITIES.join(', ')}`,
    };
  }
  const badCategories = wanted.categories.filter((c) => !ALERT_CATEGORIES.includes(c));
  if (badCategories.length > 0) {
    return {
      ok: false,
      error: `categories: unknown category ${badCategories.join(', ')}; expected one of ${ALERT_CATEGORIES.join(', ')}`,
    };
  }
  const allowed = user.districts;
  if (allowed !== null) {
    const refused = wanted.districts.filter((code) => !allowed.includes(code));
    if (refused.length > 0) {
      return {
        ok: false,
        error: `districts: ${user.username} may not see alerts of ${refused.join(', ')} (allowed: ${allowed.join(', ') || 'none'})`,
      };
    }
  }
  const everything =
    wanted.districts.length === 0 && wanted.severities.length === 0 && wanted.categories.length === 0;
  if (allowed === null) {
    const rooms = everything
      ? [ALL_ROOM]
      : [
          ...wanted.districts.map(districtRoom),
          ...wanted.severities.map(severityRoom),
          ...wanted.categories.map(categoryRoom),
        ];
    return { ok: true, rooms };
  }
  const scope = allowed.filter((code) => districts.has(code));
  if (everything) return { ok: true, rooms: scope.map(districtRoom) };
  const rooms = new Set(wanted.districts.map(districtRoom));
  for (const code of scope) {
    for (const severity of wanted.severities) rooms.add(`${districtRoom(code)}/${severityRoom(severity)}`);
    for (const category of wanted.categories) rooms.add(`${districtRoom(code)}/${categoryRoom(category)}`);
  }
  return { ok: true, rooms: [...rooms] };
}
