import type { Alert, AlertState, Severity, Silence } from '@district-monitor/streams';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../lib/api';
import { RECENTLY_RESOLVED, useAlertsStore } from './alerts';
import { useSessionStore } from './session';

const T = Date.parse('2024-05-01T10:00:00Z');
const at = (minutes: number) => new Date(T + minutes * 60_000).toISOString();

function alert(
  id: string,
  state: AlertState,
  updatedMinute: number,
  extra: { severity?: Severity; district?: string; firedMinute?: number } = {},
): Alert {
  return {
    id,
    fingerprint: `fp-${id}`,
    labels: {
      rule: 'spike-body',
      kind: 'spike',
      district: extra.district ?? 'TN-CHN',
      category: 'crime_body',
      severity: extra.severity ?? 'high',
    },
    state,
    value: 12,
    summary: `alert ${id}`,
    startedAt: at(0),
    firedAt: state === 'pending' ? null : at(extra.firedMinute ?? 1),
    acknowledgedAt: state === 'acknowledged' ? at(updatedMinute) : null,
    acknowledgedBy: state === 'acknowledged' ? 'olga' : null,
    resolvedAt: state === 'resolved' ? at(updatedMinute) : null,
    escalationLevel: 0,
    flapping: false,
    silencedBy: [],
    inhibitedBy: null,
    updatedAt: at(updatedMinute),
  };
}

const ids = (alerts: readonly Alert[]) => alerts.map((a) => a.id).sort();
const update = (...alerts: Alert[]) => ({ at: at(99), alerts });

describe('alerts store: merging', () => {
  beforeEach(() => {
    vi.stubGlobal('sessionStorage', { getItem: () => null, removeItem: () => undefined });
    setActivePinia(createPinia());
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('adds new alerts and replaces known ones with a newer update', () => {
    const store = useAlertsStore();
    store.applyUpdate(update(alert('a', 'pending', 1), alert('b', 'firing', 1)));
    store.applyUpdate(update(alert('a', 'firing', 2)));
    expect(ids(store.open)).toEqual(['a', 'b']);
    expect(store.open.find((a) => a.id === 'a')?.state).toBe('firing');
  });

  it('ignores an older update that arrives after a newer one (out of order)', () => {
    const store = useAlertsStore();
    store.applyUpdate(update(alert('a', 'acknowledged', 5)));
    store.applyUpdate(update(alert('a', 'firing', 3)));
    expect(store.open.map((a) => a.state)).toEqual(['acknowledged']);
  });

  it('moves a resolved alert out of open into recently resolved, and a late older update does not reopen it', () => {
    const store = useAlertsStore();
    store.applyUpdate(update(alert('a', 'firing', 1), alert('b', 'firing', 1)));
    store.applyUpdate(update(alert('a', 'resolved', 4)));
    expect(ids(store.open)).toEqual(['b']);
    expect(ids(store.recentlyResolved)).toEqual(['a']);
    store.applyUpdate(update(alert('a', 'firing', 2)));
    expect(ids(store.open)).toEqual(['b']);
    expect(ids(store.recentlyResolved)).toEqual(['a']);
  });

  it('reopens an alert when a newer update than its resolution arrives', () => {
    const store = useAlertsStore();
    store.applyUpdate(update(alert('a', 'resolved', 4)));
    store.applyUpdate(update(alert('a', 'firing', 6)));
    expect(ids(store.open)).toEqual(['a']);
    expect(store.recentlyResolved).toEqual([]);
  });

  it('keeps only the last 50 resolved, newest resolution first', () => {
    const store = useAlertsStore();
    const resolved = Array.from({ length: RECENTLY_RESOLVED + 10 }, (_, i) => alert(`r${i}`, 'resolved', i));
    store.applyUpdate(update(...resolved));
    expect(store.recentlyResolved).toHaveLength(RECENTLY_RESOLVED);
    expect(store.recentlyResolved[0]?.id).toBe(`r${RECENTLY_RESOLVED + 9}`);
    expect(store.recentlyResolved.at(-1)?.id).toBe('r10');
  });

  it('replaceOpen replaces the list but keeps a state a push already made newer', () => {
    const store = useAlertsStore();
    store.applyUpdate(update(alert('a', 'acknowledged', 5), alert('gone', 'firing', 1)));
    store.replaceOpen([alert('a', 'firing', 3), alert('c', 'pending', 3)]);
    expect(ids(store.open)).toEqual(['a', 'c']);
    expect(store.open.find((a) => a.id === 'a')?.state).toBe('acknowledged');
  });

  it('replaceOpen does not reopen an alert resolved by a newer push', () => {
    const store = useAlertsStore();
    store.applyUpdate(update(alert('a', 'resolved', 5)));
    store.replaceOpen([alert('a', 'firing', 3)]);
    expect(store.open).toEqual([]);
  });

  it('counts open alerts by severity, resolved ones not at all', () => {
    const store = useAlertsStore();
    store.applyUpdate(
      update(
        alert('a', 'firing', 1, { severity: 'critical' }),
        alert('b', 'pending', 1, { severity: 'critical' }),
        alert('c', 'acknowledged', 1, { severity: 'low' }),
        alert('d', 'resolved', 1, { severity: 'medium' }),
      ),
    );
    expect(store.countsBySeverity).toEqual({ low: 1, medium: 0, high: 0, critical: 2 });
  });

  it('groups open alerts by district, newest first', () => {
    const store = useAlertsStore();
    store.applyUpdate(
      update(
        alert('old', 'firing', 1, { firedMinute: 1 }),
        alert('new', 'firing', 1, { firedMinute: 9 }),
        alert('m', 'firing', 1, { district: 'TN-MDU' }),
      ),
    );
    expect(store.byDistrict.get('TN-CHN')?.map((a) => a.id)).toEqual(['new', 'old']);
    expect(store.byDistrict.get('TN-MDU')?.map((a) => a.id)).toEqual(['m']);
  });

  it('does not keep the audit trail of REST answers in the store', () => {
    const store = useAlertsStore();
    store.replaceOpen([{ ...alert('a', 'firing', 1), history: [] } as Alert]);
    expect(store.open[0]).not.toHaveProperty('history');
  });
});

describe('alerts store: operator actions', () => {
  const fetchMock = vi.fn<typeof fetch>();
  const reply = (status: number, body: unknown) =>
    Promise.resolve(
      new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }),
    );

  beforeEach(() => {
    vi.stubGlobal('sessionStorage', {
      getItem: () =>
        JSON.stringify({
          token: 't',
          expiresAt: '2999-01-01T00:00:00Z',
          user: { id: 'u', username: 'olga', role: 'operator', districts: null, createdAt: at(0) },
        }),
      removeItem: () => undefined,
    });
    vi.stubGlobal('fetch', fetchMock);
    fetchMock.mockReset();
    setActivePinia(createPinia());
    expect(useSessionStore().signedIn).toBe(true);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('acknowledges through REST and shows the answer at once', async () => {
    const store = useAlertsStore();
    store.applyUpdate(update(alert('a', 'firing', 1)));
    fetchMock.mockImplementationOnce(() => reply(200, alert('a', 'acknowledged', 2)));
    await store.acknowledge('a', '  on it ');
    const [path, init] = fetchMock.mock.calls[0] ?? [];
    expect(path).toBe('/api/alerts/a/acknowledge');
    expect(init?.method).toBe('POST');
    expect(JSON.parse(init?.body as string)).toEqual({ reason: 'on it' });
    expect(store.open[0]?.state).toBe('acknowledged');
  });

  it('sends no reason for an acknowledgement without one', async () => {
    const store = useAlertsStore();
    fetchMock.mockImplementationOnce(() => reply(200, alert('a', 'acknowledged', 2)));
    await store.acknowledge('a', ' ');
    expect(JSON.parse(fetchMock.mock.calls[0]?.[1]?.body as string)).toEqual({});
  });

  it('throws the server reason on a refusal and leaves the alert as it was', async () => {
    const store = useAlertsStore();
    store.applyUpdate(update(alert('a', 'pending', 1)));
    fetchMock.mockImplementationOnce(() =>
      reply(409, { statusCode: 409, message: 'alert a is pending: only a firing alert can be acknowledged' }),
    );
    const failure = store.acknowledge('a');
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toThrow('only a firing alert can be acknowledged');
    expect(store.open[0]?.state).toBe('pending');
  });

  it('resolving by hand moves the alert to recently resolved', async () => {
    const store = useAlertsStore();
    store.applyUpdate(update(alert('a', 'firing', 1)));
    fetchMock.mockImplementationOnce(() => reply(200, alert('a', 'resolved', 2)));
    await store.resolve('a', 'false alarm');
    expect(store.open).toEqual([]);
    expect(ids(store.recentlyResolved)).toEqual(['a']);
  });

  it('silences the alert rule in its district and marks the matching open alerts', async () => {
    const store = useAlertsStore();
    const target = alert('a', 'firing', 1);
    store.applyUpdate(update(target, alert('b', 'firing', 1, { district: 'TN-MDU' })));
    const silence: Silence = {
      id: 's1',
      matchers: [
        { label: 'district', op: '=', value: 'TN-CHN' },
        { label: 'rule', op: '=', value: 'spike-body' },
      ],
      reason: 'festival',
      createdBy: 'olga',
      startsAt: new Date(Date.now() - 1000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      expiredBy: null,
    };
    fetchMock.mockImplementationOnce(() => reply(201, silence));
    await store.silence(target, 'festival', silence.endsAt);
    const [path, init] = fetchMock.mock.calls[0] ?? [];
    expect(path).toBe('/api/silences');
    expect(JSON.parse(init?.body as string)).toEqual({
      matchers: silence.matchers,
      reason: 'festival',
      endsAt: silence.endsAt,
    });
    expect(store.open.find((a) => a.id === 'a')?.silencedBy).toEqual(['s1']);
    expect(store.open.find((a) => a.id === 'b')?.silencedBy).toEqual([]);
    // The engine's push (newer) replaces the local mark.
    store.applyUpdate(update({ ...alert('a', 'firing', 3), silencedBy: ['s1'] }));
    expect(store.open.find((a) => a.id === 'a')?.updatedAt).toBe(at(3));
  });

  it('lists the silences in force, ending first first, and ends one: its mark leaves the alerts', async () => {
    const store = useAlertsStore();
    const silence = (id: string, endsInMs: number): Silence => ({
      id,
      matchers: [{ label: 'district', op: '=', value: 'TN-CHN' }],
      reason: 'festival',
      createdBy: 'olga',
      startsAt: new Date(Date.now() - 1000).toISOString(),
      endsAt: new Date(Date.now() + endsInMs).toISOString(),
      expiredBy: null,
    });
    store.applyUpdate(update({ ...alert('a', 'firing', 1), silencedBy: ['s1', 's2'] }));
    fetchMock.mockImplementationOnce(() =>
      reply(200, { silences: [silence('s1', 7_200_000), silence('s2', 60_000)] }),
    );
    await store.loadSilences();
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/silences?active=true');
    expect(store.silences.map((item) => item.id)).toEqual(['s2', 's1']);

    fetchMock.mockImplementationOnce(() => Promise.resolve(new Response(null, { status: 204 })));
    await store.endSilence('s1');
    const [path, init] = fetchMock.mock.calls[1] ?? [];
    expect([path, init?.method]).toEqual(['/api/silences/s1', 'DELETE']);
    expect(store.silences.map((item) => item.id)).toEqual(['s2']);
    expect(store.open[0]?.silencedBy).toEqual(['s2']);

    // Past its end, a silence leaves the list on the desk's clock.
    store.pruneSilences(Date.now() + 120_000);
    expect(store.silences).toEqual([]);
  });

  it('keeps a silence listed when ending it is refused', async () => {
    const store = useAlertsStore();
    fetchMock.mockImplementationOnce(() =>
      reply(200, {
        silences: [
          {
            id: 's1',
            matchers: [],
            reason: 'r',
            createdBy: 'olga',
            startsAt: new Date(Date.now() - 1000).toISOString(),
            endsAt: new Date(Date.now() + 60_000).toISOString(),
            expiredBy: null,
          },
        ],
      }),
    );
    await store.loadSilences();
    fetchMock.mockImplementationOnce(() =>
      reply(404, { statusCode: 404, message: 'no silence s1 in force' }),
    );
    await expect(store.endSilence('s1')).rejects.toThrow('no silence s1 in force');
    expect(store.silences.map((item) => item.id)).toEqual(['s1']);
  });

  it('load asks for the open alerts and replaces the list', async () => {
    const store = useAlertsStore();
    store.applyUpdate(update(alert('stale', 'firing', 1)));
    fetchMock.mockImplementationOnce(() =>
      reply(200, { alerts: [{ ...alert('a', 'firing', 1), history: [] }] }),
    );
    await store.load();
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/alerts?state=pending,firing,acknowledged&limit=500');
    expect(ids(store.open)).toEqual(['a']);
  });
});
