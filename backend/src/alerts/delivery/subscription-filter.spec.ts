import type { Alert, AlertNotification, Severity, SubscriptionFilter } from '@district-monitor/streams';
import { describe, expect, it } from 'vitest';
import { MATCH_ALL, matchesFilter, parseCreate, parseFilter, parseUpdate } from './subscription-filter.js';

const DISTRICTS = new Set(['TN-CHN', 'TN-MDU', 'TN-CBE']);

function alert(district: string, severity: Severity, category: string): Alert {
  return {
    id: `${district}-${severity}-${category}`,
    fingerprint: `r|${district}|${category}`,
    labels: { rule: 'r', kind: 'category', district, category, severity },
    state: 'firing',
    value: 1,
    summary: '',
    startedAt: '2024-01-01T00:00:00.000Z',
    firedAt: '2024-01-01T00:00:00.000Z',
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

function notification(district: string, level: number, alerts: Alert[]): AlertNotification {
  return {
    id: 'n1',
    idempotencyKey: 'k1',
    district,
    kind: level === 0 ? 'firing' : 'escalation',
    level,
    levelName: `level ${level}`,
    createdAt: '2024-01-01T00:00:00.000Z',
    alerts,
  };
}

const filter = (f: Partial<SubscriptionFilter>): SubscriptionFilter => ({ ...MATCH_ALL, ...f });

describe('matchesFilter', () => {
  const chennai = notification('TN-CHN', 1, [
    alert('TN-CHN', 'high', 'crime_property'),
    alert('TN-CHN', 'low', '*'),
  ]);

  it.each([
    ['everything (null lists)', filter({}), true],
    ['everything (empty lists)', filter({ districts: [], severities: [], categories: [] }), true],
    ['its district', filter({ districts: ['TN-MDU', 'TN-CHN'] }), true],
    ['another district', filter({ districts: ['TN-MDU'] }), false],
    ['the severity of one of its alerts', filter({ severities: ['low'] }), true],
    ['a severity none of its alerts has', filter({ severities: ['critical'] }), false],
    ['the category of one of its alerts', filter({ categories: ['crime_property'] }), true],
    ['the all-categories label', filter({ categories: ['*'] }), true],
    ['a category none has', filter({ categories: ['suicide'] }), false],
    ['its level', filter({ minLevel: 1 }), true],
    ['a higher level', filter({ minLevel: 2 }), false],
    [
      'all of district, severity and category',
      filter({ districts: ['TN-CHN'], severities: ['high'], categories: ['crime_property'] }),
      true,
    ],
    [
      'district and severity but not category',
      filter({ districts: ['TN-CHN'], severities: ['high'], categories: ['crime_body'] }),
      false,
    ],
  ])('a filter on %s: %s', (_, f, expected) => {
    expect(matchesFilter(f, chennai)).toBe(expected);
  });
});

describe('parseFilter', () => {
  it('defaults to everything and stores empty lists as null', () => {
    expect(parseFilter(undefined, DISTRICTS)).toEqual({ ok: true, value: MATCH_ALL });
    expect(parseFilter({ districts: [], minLevel: 2 }, DISTRICTS)).toEqual({
      ok: true,
      value: { districts: null, severities: null, categories: null, minLevel: 2 },
    });
  });

  it.each([
    [{ districts: ['TN-XYZ'] }, 'filter.districts: "TN-XYZ" is not a district of the region'],
    [{ districts: 'TN-CHN' }, 'filter.districts: expected an array of strings or null'],
    [
      { severities: ['urgent'] },
      'filter.severities: "urgent" is not a severity (low, medium, high, critical)',
    ],
    [{ categories: ['jaywalking'] }, 'filter.categories: "jaywalking" is not an incident category or *'],
    [{ minLevel: -1 }, 'filter.minLevel: expected a whole number from 0 to 5'],
    [{ minLevel: 1.5 }, 'filter.minLevel: expected a whole number from 0 to 5'],
    [{ district: ['TN-CHN'] }, 'filter.district: unknown field'],
    [[], 'filter: expected an object'],
  ])('refuses %j naming the field', (value, reason) => {
    const parsed = parseFilter(value, DISTRICTS);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toContain(reason);
  });
});

describe('parseCreate', () => {
  it('takes name, url, filter and enabled', () => {
    expect(
      parseCreate(
        { name: ' Ops ', url: 'https://hooks.example.org/dm', filter: { severities: ['critical'] } },
        DISTRICTS,
      ),
    ).toEqual({
      ok: true,
      value: {
        name: 'Ops',
        url: 'https://hooks.example.org/dm',
        filter: { ...MATCH_ALL, severities: ['critical'] },
        enabled: true,
      },
    });
  });

  it.each([
    [{ url: 'https://x.example' }, 'name: expected a non-empty string'],
    [{ name: 'a' }, 'url: expected an http:// or https:// URL'],
    [{ name: 'a', url: 'ftp://x.example/' }, 'url: the scheme must be http or https, not ftp'],
    [{ name: 'a', url: 'not a url' }, 'url: "not a url" is not a URL'],
    [{ name: 'a', url: 'http://x.example', enabled: 'yes' }, 'enabled: expected true or false'],
    [{ name: 'a', url: 'http://x.example', secret: 's' }, 'secret: unknown field'],
    ['[]', 'body: expected a JSON object'],
  ])('refuses %j naming the field', (body, reason) => {
    const parsed = parseCreate(body, DISTRICTS);
    expect(parsed.ok ? '' : parsed.reason).toContain(reason);
  });
});

describe('parseUpdate', () => {
  it('takes any of the fields, a filter replacing the whole filter', () => {
    expect(parseUpdate({ enabled: false }, DISTRICTS)).toEqual({ ok: true, value: { enabled: false } });
    expect(parseUpdate({ filter: null }, DISTRICTS)).toEqual({ ok: true, value: { filter: MATCH_ALL } });
  });

  it('refuses an empty change and bad fields', () => {
    const empty = parseUpdate({}, DISTRICTS);
    expect(empty.ok ? '' : empty.reason).toContain('give at least one of');
    const bad = parseUpdate({ url: 'mailto:a@b.c' }, DISTRICTS);
    expect(bad.ok ? '' : bad.reason).toContain('url: the scheme must be http or https');
  });
});
