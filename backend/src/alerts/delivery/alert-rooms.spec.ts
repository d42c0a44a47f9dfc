import type { Alert, AlertRoomRequest, Severity, UserInfo } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import {
  groupByRooms,
  isAlertRoom,
  roomsForRequest,
  roomsOfAlert,
  roomsOfNotification,
} from './alert-rooms.js';

const DISTRICTS = new Set(['TN-CHN', 'TN-MDU', 'TN-CBE']);

function user(districts: string[] | null, username = 'u'): UserInfo {
  return { id: username, username, role: 'viewer', districts, createdAt: '2024-01-01T00:00:00.000Z' };
}

function alert(district: string, severity: Severity, category: string): Alert {
  return {
    id: `${district}-${severity}-${category}`,
    fingerprint: `r|${district}|${category}`,
    labels: { rule: 'r', kind: 'category', district, category, severity },
    state: 'firing',
    value: 1,
    summary: '',
    startedAt: '2024-01-01T00:00:00.000Z',
    firedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    escalationLevel: 0,
    flapping: false,
    silencedBy: [],
    inhibitedBy: null,
    updatedAt: '2024-01-01T00:00:00.000Z',
  };
}

const rooms = (u: UserInfo | undefined, request: unknown): readonly string[] => {
  const answer = roomsForRequest(u, request, DISTRICTS);
  if (!answer.ok) throw new Error(answer.error);
  return answer.rooms;
};

const refusal = (u: UserInfo | undefined, request: unknown): string => {
  const answer = roomsForRequest(u, request, DISTRICTS);
  return answer.ok ? `joined ${answer.rooms.join(', ')}` : answer.error;
};

describe('roomsForRequest', () => {
  it('gives a user of every district the room "all" for an empty request', () => {
    expect(rooms(user(null), {})).toEqual(['all']);
    expect(rooms(user(null), undefined)).toEqual(['all']);
    expect(rooms(user(null), { districts: [], severities: [] })).toEqual(['all']);
  });

  it('gives a limited user their district rooms for an empty request', () => {
    expect(rooms(user(['TN-CHN', 'TN-MDU']), {})).toEqual(['district:TN-CHN', 'district:TN-MDU']);
    expect(rooms(user([]), {})).toEqual([]);
  });

  it('gives a user of every district the plain rooms asked for', () => {
    expect(
      rooms(user(null), { districts: ['TN-CBE'], severities: ['critical', 'high'], categories: ['*'] }),
    ).toEqual(['district:TN-CBE', 'severity:critical', 'severity:high', 'category:*']);
  });

  it("scopes a limited user's severity and category rooms to their districts", () => {
    expect(rooms(user(['TN-CHN', 'TN-MDU']), { severities: ['critical'], categories: ['suicide'] })).toEqual([
      'district:TN-CHN/severity:critical',
      'district:TN-CHN/category:suicide',
      'district:TN-MDU/severity:critical',
      'district:TN-MDU/category:suicide',
    ]);
  });

  it('refuses a district outside the user scope, naming it', () => {
    expect(refusal(user(['TN-CHN'], 'chennai-desk'), { districts: ['TN-CHN', 'TN-MDU'] })).toBe(
      'districts: chennai-desk may not see alerts of TN-MDU (allowed: TN-CHN)',
    );
  });

  it.each([
    [{ districts: ['TN-XYZ'] }, 'districts: unknown district TN-XYZ'],
    [{ districts: 'TN-CHN' }, 'districts: expected an array of strings'],
    [{ severities: ['urgent'] }, 'severities: unknown severity urgent; expected low, medium, high, critical'],
    [{ categories: ['jaywalking'] }, 'categories: unknown category jaywalking'],
    [{ district: ['TN-CHN'] }, 'district: unknown field; expected districts, severities, categories'],
    ['TN-CHN', 'request: expected an object'],
    [[], 'request: expected an object'],
  ])('refuses %j, naming what is wrong', (request, error) => {
    expect(refusal(user(null), request)).toContain(error);
  });

  it('refuses a socket without a user', () => {
    expect(refusal(undefined, {})).toContain('unauthorized');
  });

  it('joins only alert rooms', () => {
    for (const room of [
      ...rooms(user(null), { severities: ['low'] }),
      ...rooms(user(['TN-CHN']), { categories: ['other'] }),
    ]) {
      expect(isAlertRoom(room)).toBe(true);
    }
    expect(isAlertRoom('some-socket-id')).toBe(false);
  });
});

describe('room design', () => {
  const users = [
    user(null, 'state-hq'),
    user(['TN-CHN'], 'chennai'),
    user(['TN-CHN', 'TN-MDU'], 'south'),
    user([], 'none'),
  ];
  const requests: AlertRoomRequest[] = [
    {},
    { districts: ['TN-CHN'] },
    { severities: ['critical'] },
    { categories: ['crime_women'] },
    { districts: ['TN-CHN'], severities: ['low'], categories: ['*'] },
  ];
  const alerts = ['TN-CHN', 'TN-MDU', 'TN-CBE'].flatMap((district) =>
    (['low', 'critical'] as const).flatMap((severity) =>
      ['crime_women', '*'].map((category) => alert(district, severity, category)),
    ),
  );

  /** What a user asked for and may see: the rule the rooms must implement. */
  const wanted = (u: UserInfo, request: AlertRoomRequest, a: Alert): boolean => {
    const visible = u.districts === null || u.districts.includes(a.labels.district);
    const everything =
      (request.districts ?? []).length +
        (request.severities ?? []).length +
        (request.categories ?? []).length ===
      0;
    const asked =
      everything ||
      (request.districts ?? []).includes(a.labels.district) ||
      (request.severities ?? []).includes(a.labels.severity) ||
      (request.categories ?? []).includes(a.labels.category);
    return visible && asked;
  };

  it('delivers an alert to a socket exactly when the user asked for it and may see it', () => {
    let checked = 0;
    for (const u of users) {
      for (const request of requests) {
        const answer = roomsForRequest(u, request, DISTRICTS);
        if (!answer.ok) {
          // Only a district outside the user's scope is refused.
          expect(answer.error).toContain('may not see alerts of');
          continue;
        }
        const joined = new Set(answer.rooms);
        for (const a of alerts) {
          const receives = roomsOfAlert(a).some((room) => joined.has(room));
          expect(receives, `${u.username} ${JSON.stringify(request)} ${a.id}`).toBe(wanted(u, request, a));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(150);
  });

  it('sends a notification to the rooms of its district and of each alert it carries', () => {
    const n = {
      district: 'TN-MDU',
      alerts: [alert('TN-MDU', 'low', '*'), alert('TN-MDU', 'critical', 'crime_women')],
    };
    expect(new Set(roomsOfNotification(n))).toEqual(
      new Set([
        'all',
        'district:TN-MDU',
        'severity:low',
        'severity:critical',
        'category:*',
        'category:crime_women',
        'district:TN-MDU/severity:low',
        'district:TN-MDU/severity:critical',
        'district:TN-MDU/category:*',
        'district:TN-MDU/category:crime_women',
      ]),
    );
  });

  it('groups an update so each alert is emitted once, with the alerts of the same rooms together', () => {
    const a = alert('TN-CHN', 'low', '*');
    const b = { ...alert('TN-CHN', 'low', '*'), id: 'second' };
    const c = alert('TN-MDU', 'low', '*');
    const groups = groupByRooms([a, c, b]);
    expect(groups.map((g) => g.alerts.map((x) => x.id))).toEqual([[a.id, 'second'], [c.id]]);
    expect(groups[0]?.rooms).toEqual(roomsOfAlert(a));
  });
});
