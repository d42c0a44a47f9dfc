import type { LoginResponse, UserInfo } from '@district-monitor/streams';
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';

/** Kept for the tab only: closing the tab logs out, and no other site or tab can read it. */
const STORAGE_KEY = 'district-monitor.session';

interface StoredSession {
  readonly token: string;
  readonly expiresAt: string;
  readonly user: UserInfo;
}

function readStored(now: number): StoredSession | undefined {
  const text = sessionStorage.getItem(STORAGE_KEY);
  if (text === null) return undefined;
  try {
    const stored = JSON.parse(text) as StoredSession;
    if (typeof stored.token === 'string' && Date.parse(stored.expiresAt) > now) return stored;
  } catch (error) {
    // A damaged entry is dropped below; the user logs in again.
    console.warn('dropping an unreadable stored session', error);
  }
  sessionStorage.removeItem(STORAGE_KEY);
  return undefined;
}

/** Thrown by `authFetch` after a 401: the session is gone and the login form is showing. */
export class SessionEndedError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'SessionEndedError';
  }
}

/**
 * The user's session: the token from `POST /api/auth/login`, sent as a Bearer token by `authFetch`
 * and as `auth: { token }` by the socket. A 401 or a refused socket handshake ends it, and the app
 * shows the login form again with the reason.
 */
export const useSessionStore = defineStore('session', () => {
  const stored = readStored(Date.now());
  const token = ref<string | undefined>(stored?.token);
  const user = shallowRef<UserInfo | undefined>(stored?.user);
  /** Why the last session ended, shown above the login form. */
  const endedBecause = ref<string>();
  const signedIn = computed(() => token.value !== undefined);

  /** Logs in; resolves with the error message to show, or undefined on success. */
  async function login(username: string, password: string): Promise<string | undefined> {
    let response: Response;
    try {
      response = await fetch('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
    } catch (error) {
      return `the server could not be reached (${error instanceof Error ? error.message : String(error)})`;
    }
    const body = (await response.json()) as Partial<LoginResponse> & { message?: string };
    if (!response.ok || body.token === undefined || body.user === undefined || body.expiresAt === undefined) {
      return body.message ?? `login failed (HTTP ${response.status})`;
    }
    const session: StoredSession = { token: body.token, expiresAt: body.expiresAt, user: body.user };
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
    token.value = session.token;
    user.value = session.user;
    endedBecause.value = undefined;
    return undefined;
  }

  /** Forgets the session; `reason` is shown on the login form (none for a deliberate logout). */
  function logout(reason?: string): void {
    sessionStorage.removeItem(STORAGE_KEY);
    token.value = undefined;
    user.value = undefined;
    endedBecause.value = reason;
  }

  /** `fetch` with the session's Bearer token; a 401 ends the session. */
  async function authFetch(path: string, init: RequestInit = {}): Promise<Response> {
    if (token.value === undefined) throw new SessionEndedError('not logged in');
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token.value}`);
    const response = await fetch(path, { ...init, headers });
    if (response.status === 401) {
      const reason = ((await response.json()) as { message?: string }).message ?? 'session ended';
      logout(reason);
      throw new SessionEndedError(reason);
    }
    return response;
  }

  return { token, user, endedBecause, signedIn, login, logout, authFetch };
});
