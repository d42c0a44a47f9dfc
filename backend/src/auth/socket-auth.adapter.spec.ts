import { Logger } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UserInfo } from '@district-monitor/streams';
import type { SocketData } from '../http/access.js';
import { socketAuthMiddleware, type SocketAuthenticator } from './socket-auth.adapter.js';

const USER: UserInfo = {
  id: 'u-1',
  username: 'vera',
  role: 'viewer',
  districts: null,
  createdAt: '2024-01-01T00:00:00.000Z',
};

const authenticator: SocketAuthenticator = {
  authenticate: (token) =>
    token === 'good'
      ? Promise.resolve({ ok: true, user: USER })
      : token === 'db-down'
        ? Promise.reject(new Error('connection refused'))
        : Promise.resolve({
            ok: false,
            reason: 'invalid session token: log in again (POST /api/auth/login)',
          }),
};

/** Runs the middleware on a handshake with `auth`; resolves with the error passed to next (if any) and the socket's data. */
function handshake(auth: unknown): Promise<{ error: Error | undefined; data: Partial<SocketData> }> {
  const socket = { id: 's-1', handshake: { auth }, data: {} } as unknown as Socket<
    never,
    never,
    never,
    Partial<SocketData>
  >;
  return new Promise((resolve) => {
    socketAuthMiddleware(authenticator)(socket, (error) => {
      resolve({ error, data: socket.data });
    });
  });
}

describe('Socket.IO handshake authentication', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('lets a valid session token through and leaves the user on socket.data', async () => {
    expect(await handshake({ token: 'good' })).toEqual({ error: undefined, data: { user: USER } });
  });

  it.each([
    [undefined, 'unauthorized: no session token: connect with auth: { token } from POST /api/auth/login'],
    [{}, 'unauthorized: no session token: connect with auth: { token } from POST /api/auth/login'],
    [{ token: 42 }, 'unauthorized: no session token: connect with auth: { token } from POST /api/auth/login'],
    [{ token: 'forged' }, 'unauthorized: invalid session token: log in again (POST /api/auth/login)'],
  ])('refuses the handshake auth %j, saying why', async (auth, message) => {
    const { error, data } = await handshake(auth);
    expect(error?.message).toBe(message);
    expect(data.user).toBeUndefined();
  });

  it('refuses as unavailable, not unauthorized, when the session cannot be checked, and logs why', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { error } = await handshake({ token: 'db-down' });
    expect(error?.message).toBe('unavailable: the session could not be checked; retry later');
    expect(String(warn.mock.calls[0]?.[0])).toContain('connection refused');
  });
});
