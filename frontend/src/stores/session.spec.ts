import type { LoginResponse } from '@district-monitor/streams';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionEndedError, useSessionStore } from './session';

const LOGIN: LoginResponse = {
  token: 'header.payload.signature',
  expiresAt: '2999-01-01T00:00:00.000Z',
  user: {
    id: 'u-1',
    username: 'vera',
    role: 'viewer',
    districts: null,
    createdAt: '2024-01-01T00:00:00.000Z',
  },
};

/** sessionStorage as the browser keeps it for the tab. */
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => {
      items.clear();
    },
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => {
      items.delete(key);
    },
    setItem: (key, value) => {
      items.set(key, value);
    },
  };
}

const reply = (status: number, body: unknown) =>
  Promise.resolve(
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }),
  );

describe('the session store', () => {
  let storage: Storage;
  const fetchMock = vi.fn<typeof fetch>();

  beforeEach(() => {
    storage = memoryStorage();
    vi.stubGlobal('sessionStorage', storage);
    vi.stubGlobal('fetch', fetchMock);
    fetchMock.mockReset();
    setActivePinia(createPinia());
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('logs in, keeps the token for the tab, and sends it as a Bearer token', async () => {
    fetchMock.mockImplementationOnce(() => reply(200, LOGIN));
    const session = useSessionStore();
    expect(session.signedIn).toBe(false);
    expect(await session.login('vera', 'viewer-password')).toBeUndefined();
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/auth/login');
    expect(JSON.parse(fetchMock.mock.calls[0]?.[1]?.body as string)).toEqual({
      username: 'vera',
      password: 'viewer-password',
    });
    expect(session.signedIn).toBe(true);
    expect(session.user?.username).toBe('vera');
    expect(storage.getItem('district-monitor.session')).toContain(LOGIN.token);

    fetchMock.mockImplementationOnce(() => reply(200, { ok: true }));
    await session.authFetch('/api/districts');
    expect(new Headers(fetchMock.mock.calls[1]?.[1]?.headers).get('authorization')).toBe(
      `Bearer ${LOGIN.token}`,
    );

    // A reload of the tab finds the session.
    setActivePinia(createPinia());
    expect(useSessionStore().token).toBe(LOGIN.token);
  });

  it("shows the server's reason when the login is refused, and keeps no token", async () => {
    fetchMock.mockImplementationOnce(() => reply(401, { message: 'wrong username or password' }));
    const session = useSessionStore();
    expect(await session.login('vera', 'nope')).toBe('wrong username or password');
    expect(session.signedIn).toBe(false);
    expect(storage.length).toBe(0);
  });

  it('ends the session on a 401, saying why, so the login form comes back', async () => {
    fetchMock.mockImplementationOnce(() => reply(200, LOGIN));
    const session = useSessionStore();
    await session.login('vera', 'viewer-password');
    fetchMock.mockImplementationOnce(() => reply(401, { message: 'session expired: log in again' }));
    await expect(session.authFetch('/api/districts')).rejects.toBeInstanceOf(SessionEndedError);
    expect(session.signedIn).toBe(false);
    expect(session.endedBecause).toBe('session expired: log in again');
    expect(storage.length).toBe(0);
  });

  it('drops a stored session that has expired', () => {
    storage.setItem(
      'district-monitor.session',
      JSON.stringify({ ...LOGIN, expiresAt: '2000-01-01T00:00:00Z' }),
    );
    expect(useSessionStore().signedIn).toBe(false);
    expect(storage.length).toBe(0);
  });

  it('logs out on request, with no reason to show', async () => {
    fetchMock.mockImplementationOnce(() => reply(200, LOGIN));
    const session = useSessionStore();
    await session.login('vera', 'viewer-password');
    session.logout();
    expect(session.signedIn).toBe(false);
    expect(session.endedBecause).toBeUndefined();
    expect(storage.length).toBe(0);
  });
});
